"""Jobunivers: the application factory."""

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request
from flask import session as http_session
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from app import bodylimit, converters, db, keys
from app.config import Config
from app.extensions import babel, csrf, limiter, login_manager
from consent.pseudonym import Pseudonymiser

# Browsers must use HTTPS for a year, on every subdomain, once they have seen this header.
HSTS = "max-age=31536000; includeSubDomains"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask application: config, extensions, blueprints, error handlers, commands."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    app.config.from_prefixed_env("JOBUNIVERS")
    if os.environ.get("DATABASE_URL") and "JOBUNIVERS_DATABASE_URL" not in os.environ:
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    if test_config:
        app.config.update(test_config)
    configure_security(app)
    db.init_app(app)
    register_extensions(app)
    converters.register(app)  # before any rule exists: ids in URLs are range-checked
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    return app


def configure_security(app: Flask) -> None:
    """Fail loudly on an unsafe start; demo mode and generated keys exist only in development;
    forwarded headers are trusted only from configured proxies; production cookies are hardened.
    """
    env_name = app.config["ENV_NAME"]
    development = env_name == "development"
    demo = app.config.get("DEMO")
    if demo is None:
        app.config["DEMO"] = development
    elif not isinstance(demo, bool):
        raise RuntimeError("JOBUNIVERS_DEMO must be true or false")
    elif demo and not development:
        # Refusing (rather than silently switching it off) makes the mistake visible at once;
        # either way no demo login, demo password or demo seed can run outside development.
        raise RuntimeError(
            "JOBUNIVERS_DEMO=true is only allowed with JOBUNIVERS_ENV_NAME=development"
        )
    for name in ("SECRET_KEY", "PSEUDONYM_KEY"):
        if not app.config.get(name):
            if not development:
                raise RuntimeError(f"JOBUNIVERS_{name} must be set in {env_name}")
            app.config[name] = keys.load_or_create(Path(app.instance_path) / name.lower())
    # A malformed or short key must stop the start-up, not produce unlinkable pseudonyms.
    Pseudonymiser.from_hex(app.config["PSEUDONYM_KEY"])
    hops = app.config["PROXY_HOPS"]
    if not isinstance(hops, int) or isinstance(hops, bool) or hops < 0:
        raise RuntimeError("JOBUNIVERS_PROXY_HOPS must be a whole number >= 0")
    if hops:
        # Each proxy appends one X-Forwarded-For value; only the last ``hops`` can be trusted.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    if env_name == "production":
        app.config.update(
            SESSION_COOKIE_NAME="__Host-session",
            SESSION_COOKIE_SECURE=True,
            SESSION_COOKIE_PATH="/",
            PREFERRED_URL_SCHEME="https",
        )
    bodylimit.register(app)  # the first before_request hook: CSRF already reads the body


def select_locale() -> str:
    """The user's choice, then the cookie, then Accept-Language; Danish by default."""
    from flask_login import current_user

    languages: tuple[str, ...] = tuple(current_app.config["LANGUAGES"])
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    chosen = http_session.get("locale") or request.cookies.get("locale")
    if chosen in languages:
        return chosen
    default: str = current_app.config["BABEL_DEFAULT_LOCALE"]
    return request.accept_languages.best_match(languages) or default


def register_extensions(app: Flask) -> None:
    """Bind the unbound extension objects from ``app.extensions``."""
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    if app.config.get("RATELIMIT_STORAGE_URL"):
        # JOBUNIVERS_RATELIMIT_STORAGE_URL (e.g. Redis) makes the limits global across workers.
        app.config["RATELIMIT_STORAGE_URI"] = app.config["RATELIMIT_STORAGE_URL"]
    limiter.init_app(app)
    login_manager.init_app(app)
    from app import security
    from app.services import auth as auth_service
    from app.services import oidc

    auth_service.init_login_manager(login_manager)
    login_manager.unauthorized_handler(security.unauthorized)
    oidc.register_providers(app)


def register_blueprints(app: Flask) -> None:
    """One blueprint per audience, each with its own URL prefix and role gate."""
    from app.blueprints.admin import bp as admin_bp
    from app.blueprints.api import bp as api_bp
    from app.blueprints.auth import bp as auth_bp
    from app.blueprints.caseworker import bp as caseworker_bp
    from app.blueprints.employer import bp as employer_bp
    from app.blueprints.jobseeker import bp as jobseeker_bp
    from app.blueprints.public import bp as public_bp
    from app.blueprints.transparency import bp as transparency_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(jobseeker_bp, url_prefix="/jobsoeger")
    app.register_blueprint(caseworker_bp, url_prefix="/sagsbehandler")
    app.register_blueprint(employer_bp, url_prefix="/arbejdsgiver")
    app.register_blueprint(transparency_bp, url_prefix="/aabenhed")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(api_bp, url_prefix="/api")


def register_errorhandlers(app: Flask) -> None:
    """Friendly error pages in both languages; never a stack trace."""
    from app.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    """``flask reference load``, ``flask demo seed``, ``flask jobs run``."""
    from app.commands import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    """Globals every template may use, and security headers on every response."""
    from app import htmx

    @app.context_processor
    def inject_globals() -> dict[str, Any]:
        return {
            "current_locale": str(get_locale()),
            "demo_mode": app.config["DEMO"],
            "is_partial": htmx.is_partial(),
        }

    @app.template_filter("labels")
    def labels(keys: Iterable[str], names: Mapping[str, object]) -> list[object]:
        """Readable labels for machine keys (unknown keys are shown as they are)."""
        return [names.get(key, key) for key in keys]

    from app.services.auth import SESSION_KEY

    production = app.config["ENV_NAME"] == "production"

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "geolocation=(), camera=(), microphone=()"
        )
        # Another site opened from here (or opening us) gets no handle on this window.
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if production:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        # Anything answered to a logged-in person (pages, fragments, downloads, redirects) may
        # hold personal data: no browser, proxy or back-button cache may keep it. The user loader
        # needs this session token, so without it nobody is logged in. Static files are the same
        # for everyone and stay cacheable.
        if SESSION_KEY in http_session and request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response
