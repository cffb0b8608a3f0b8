"""``MAX_CONTENT_LENGTH`` for request bodies without a length (``Transfer-Encoding: chunked``).

werkzeug refuses a body whose ``Content-Length`` is too large, and a multipart body that streams
past the limit. But ``request.get_data()`` and url-encoded forms read a streamed body "to the
end", and werkzeug's limited stream ends quietly at the limit: the view would get a body cut at
6 MiB and store it as if it were whole. So a streamed body is read here first, at most one byte
past the limit, and refused with 413 when it is longer; otherwise the view reads it from memory
like any body with a length. This runs before every other ``before_request`` hook (CSRF reads
the form), which is why the factory registers it before the extensions.
"""

import io
from typing import IO

from flask import Flask, abort, request


def _read_at_most(stream: IO[bytes], limit: int) -> bytes | None:
    """The whole stream if it holds at most ``limit`` bytes, else None."""
    body = bytearray()
    while len(body) <= limit:
        # A de-chunking stream may return less than asked for; only b"" means the end.
        chunk = stream.read(min(64 * 1024, limit + 1 - len(body)))
        if not chunk:
            return bytes(body)
        body += chunk
    return None


def register(app: Flask) -> None:
    """Install the check as the first ``before_request`` hook of ``app``."""

    @app.before_request
    def limit_streamed_body() -> None:
        limit = request.max_content_length
        environ = request.environ
        # Without wsgi.input_terminated werkzeug reads no length-less body at all.
        if limit is None or request.content_length is not None:
            return
        if not environ.get("wsgi.input_terminated"):
            return
        body = _read_at_most(environ["wsgi.input"], limit)
        if body is None:
            abort(413)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
