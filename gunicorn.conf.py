"""gunicorn settings for `make run`: two workers, no preload (torch must load after the fork)."""

import os
import re

from gunicorn.glogging import Logger

# One BLAS thread per worker: two workers on two cores; more threads only add tail latency.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

workers = 2
worker_class = "gthread"  # htmx polling and slow clients must not block a worker
threads = 4
timeout = 120
preload_app = False
accesslog = "-"
# Method, path and status, never the query string (OIDC codes, next URLs), the referer (a page
# with a token in its address) or the user agent.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)s'

# Access-log atoms that can never carry a token or personal data once the path is redacted.
_SAFE_ATOMS = ("h", "t", "m", "U", "H", "s", "B", "b", "L", "T", "D", "M", "p")
# A path segment of 16 or more characters that is not a plain lowercase word (page names are)
# is taken for a token, such as the one in the unsubscribe link of every e-mail.
_TOKEN_SEGMENT = re.compile(r"(?![a-z-]+\Z)[^/]{16,}")


def redact_path(path: str) -> str:
    """The path with every token-like segment replaced by ``[redacted]``."""
    return "/".join(
        "[redacted]" if _TOKEN_SEGMENT.fullmatch(segment) else segment
        for segment in path.split("/")
    )


class AccessLogger(Logger):
    """gunicorn's logger, whose access log only ever sees the safe atoms and a redacted path:
    a format given on the command line that asks for ``%(r)s``, ``%(q)s``, ``%(f)s``, headers or
    environment variables gets ``-`` for them."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        safe = {name: atoms[name] for name in _SAFE_ATOMS}
        safe["U"] = redact_path(safe["U"] or "")
        return safe


logger_class = AccessLogger


def post_worker_init(worker):
    """Build the posting index in the background so the first visitor does not wait for it."""
    from app.services import matching

    matching.warm_up_in_background(worker.wsgi)
