"""OpenID Connect providers: MitID (via the NemLog-in broker) for jobseekers, the municipality's
identity provider for caseworkers. Each is configured by issuer URL, client id and secret."""

from dataclasses import dataclass

from authlib.integrations.flask_client import FlaskOAuth2App, OAuth
from flask import Flask, current_app
from sqlmodel import Session, select

from app.models import JobseekerProfile, Role, User

# Where each app keeps its own client registry (Authlib's OAuth.init_app uses this key).
_REGISTRY_KEY = "authlib.integrations.flask_client"


@dataclass(frozen=True)
class Provider:
    """An OIDC provider and the role its users get."""

    name: str
    config_prefix: str
    role: str


PROVIDERS = {
    "mitid": Provider("mitid", "OIDC_MITID", Role.JOBSEEKER),
    "municipality": Provider("municipality", "OIDC_MUNICIPALITY", Role.CASEWORKER),
}


def register_providers(app: Flask) -> None:
    """Register every provider whose issuer is configured, in a client registry of this app.

    Each app gets its own ``OAuth`` registry: a shared module-level one caches the first client
    built under a name, so a second app (another client id or issuer) would silently reuse it.
    """
    registry = OAuth(app)
    for provider in PROVIDERS.values():
        issuer = app.config.get(f"{provider.config_prefix}_ISSUER")
        if not issuer:
            continue
        registry.register(
            provider.name,
            client_id=app.config[f"{provider.config_prefix}_CLIENT_ID"],
            client_secret=app.config[f"{provider.config_prefix}_CLIENT_SECRET"],
            server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256"},
        )


def client(name: str) -> FlaskOAuth2App:
    """The current app's OAuth client for provider ``name`` (it must be configured)."""
    return current_app.extensions[_REGISTRY_KEY].create_client(name)


def configured(app: Flask) -> list[str]:
    """Names of the providers that are set up."""
    return [p.name for p in PROVIDERS.values() if app.config.get(f"{p.config_prefix}_ISSUER")]


def user_from_claims(*, session: Session, provider: Provider, issuer: str, claims: dict) -> User:
    """Find or create the account for an (issuer, subject) pair; jobseekers get an empty profile."""
    subject = str(claims["sub"])
    user = session.exec(
        select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject)
    ).first()
    if user is None:
        user = User(
            role=provider.role,
            name=str(claims.get("name") or claims.get("email") or subject)[:160],
            oidc_issuer=issuer,
            oidc_subject=subject,
        )
        session.add(user)
        session.flush()
        if provider.role == Role.JOBSEEKER:
            session.add(JobseekerProfile(user_id=user.id))
        session.commit()
    return user
