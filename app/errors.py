"""Error pages in both languages; a stack trace is never shown."""

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app import htmx

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("We could not understand the request. Please check what you entered."),
    ),
    403: (_l("Access denied"), _l("You do not have access to this page.")),
    404: (_l("Page not found"), _l("The page does not exist or has been moved.")),
    405: (_l("Not allowed"), _l("This action is not allowed here.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    429: (
        _l("Too many requests"),
        _l("You have made too many requests. Please wait a minute and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An error occurred on our side. Nothing you entered was lost; please try again."),
    ),
}

CSRF_EXPIRED = _l("The form has expired or was sent from elsewhere. Reload the page and try again.")
KEPT_HEADERS = {"Allow", "Retry-After", "WWW-Authenticate"}


def render_error(code: int, detail: str | None = None):
    """The error page (or JSON for the API, or a small fragment for htmx)."""
    title, message = MESSAGES.get(code, MESSAGES[500])
    if request.blueprint == "api" or request.path == "/healthz":
        return jsonify(error=str(title), message=str(detail or message)), code
    template = "errors/_error.html" if htmx.is_partial() else "errors/error.html"
    return render_template(template, code=code, title=title, message=detail or message), code


def register(app: Flask) -> None:
    """Install the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError):
        return render_error(400, str(CSRF_EXPIRED))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        response = make_response(
            render_error(code if code in MESSAGES else 500 if code >= 500 else 400)
        )
        # Headers the status code promises (a 405 must list the allowed methods).
        for name, value in error.get_headers():
            if name in KEPT_HEADERS:
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("unhandled error", exc_info=error)
        return render_error(InternalServerError.code)
