"""Error pages in both languages; a stack trace is never shown.

Every handler first rolls back the request's database session: an error raised by the database
leaves its transaction failed, and the page (the menu reads the logged-in user) would otherwise
fail a second time and replace the friendly page with a bare crash.
"""

from html import escape

from flask import Flask, Response, current_app, g, jsonify, make_response, render_template, request
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


def reset_database_session() -> None:
    """Roll back the request's session so the error page can read the database again."""
    session = g.get("db_session")
    if session is None:
        return
    try:
        session.rollback()
    except Exception:  # noqa: BLE001 - a dead connection must not stop the error page
        current_app.logger.exception("rolling back after an error failed")
        g.pop("db_session", None)
        session.close()


def render_error(code: int, detail: str | None = None) -> tuple[Response | str, int]:
    """The error page (or JSON for the API, or a small fragment for htmx)."""
    reset_database_session()
    title, message = MESSAGES.get(code, MESSAGES[500])
    if request.blueprint == "api" or request.path == "/healthz":
        return jsonify(error=str(title), message=str(detail or message)), code
    template = "errors/_error.html" if htmx.is_partial() else "errors/error.html"
    try:
        return render_template(template, code=code, title=title, message=detail or message), code
    except Exception:  # noqa: BLE001 - the last resort must not fail in turn
        current_app.logger.exception("the error page could not be rendered")
        # No template, no database, no user: only the translated texts.
        page = f"<!doctype html><title>{escape(str(title))}</title><h1>{escape(str(title))}</h1>"
        return page + f"<p>{escape(str(detail or message))}</p>", code


def register(app: Flask) -> None:
    """Install the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> tuple[Response | str, int]:
        return render_error(400, str(CSRF_EXPIRED))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
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
    def unhandled(error: Exception) -> Response | tuple[Response | str, int]:
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("unhandled error", exc_info=error)
        return render_error(InternalServerError.code)
