"""Jobunivers: the application factory."""

import os
from typing import Any

from flask import Flask, request, session
from flask_babel import get_locale
from werkzeug.middleware.proxy_fix import ProxyFix

from app import db
from app.config import Config
from app.extensions import babel, csrf, limiter, login_manager
from consent.pseudonym import Pseudonymiser


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
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    return app


def configure_security(app: Flask) -> None:
    """Fail loudly on an unsafe production start; harden cookies in production."""
    production = app.config["ENV_NAME"] == "production"
    if not app.config.get("SECRET_KEY"):
        if production:
            raise RuntimeError("JOBUNIVERS_SECRET_KEY must be set in production")
        app.config["SECRET_KEY"] = "dev-only-not-secret"
    if not app.config.get("PSEUDONYM_KEY"):
        if production:
            raise RuntimeError("JOBUNIVERS_PSEUDONYM_KEY must be set in production")
        app.config["PSEUDONYM_KEY"] = "00" * 32
    # A malformed or short key must stop the start-up, not produce unlinkable pseudonyms.
    Pseudonymiser.from_hex(app.config["PSEUDONYM_KEY"])
    if production:
        app.config.update(
            SESSION_COOKIE_NAME="__Host-session",
            SESSION_COOKIE_SECURE=True,
            SESSION_COOKIE_PATH="/",
            PREFERRED_URL_SCHEME="https",
        )
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]


def select_locale() -> str:
    """The user's choice, then the cookie, then Accept-Language; Danish by default."""
    from flask_login import current_user

    languages = ("da", "en")
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale") or request.cookies.get("locale")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or "da"


def register_extensions(app: Flask) -> None:
    """Bind the unbound extension objects from ``app.extensions``."""
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from app.services import auth as auth_service
    from app.services import oidc

    auth_service.init_login_manager(login_manager)
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
    def labels(keys, names: dict) -> list:
        """Readable labels for machine keys (unknown keys are shown as they are)."""
        return [names.get(key, key) for key in keys]

    @app.after_request
    def security_headers(response):
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
        return response
