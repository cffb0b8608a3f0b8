"""The one htmx helper: is this request asking for a fragment?"""

from flask import Response, request


def is_partial() -> bool:
    """True for an htmx request that is neither boosted nor a history restore."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def vary(response: Response) -> Response:
    """Mark a response that differs for htmx requests, so caches keep both."""
    response.vary.add("HX-Request")
    return response
