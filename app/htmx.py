"""The one htmx helper: is this request asking for a fragment, and answering it with one."""

from typing import Any

from flask import Response, make_response, render_template, request


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


def render(page: str, fragment: str, /, *, status: int = 200, **context: Any) -> Response:
    """``fragment`` alone for a partial request, else ``page`` (which includes the fragment),
    rendered with ``context`` and marked as varying on ``HX-Request``."""
    template = fragment if is_partial() else page
    return vary(make_response(render_template(template, **context), status))
