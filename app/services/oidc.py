"""OpenID Connect providers: MitID (via the NemLog-in broker) for jobseekers, the municipality's
identity provider for caseworkers. Each is configured by issuer URL, client id and secret.

Each provider may require an assurance level (``acr``; MitID "substantial" by default, a higher
NSIS level is accepted), and the municipality's provider a group/role claim: only people in the
configured caseworker group become (or stay) caseworkers."""

from dataclasses import dataclass
from typing import Any

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


# NSIS assurance levels as NemLog-in/MitID send them in ``acr``, lowest first.
NSIS_LEVELS = (
    "https://data.gov.dk/concept/core/nsis/loa/Low",
    "https://data.gov.dk/concept/core/nsis/loa/Substantial",
    "https://data.gov.dk/concept/core/nsis/loa/High",
)


def required_acr(config: Any, provider: Provider) -> list[str]:
    """The configured ``acr`` values of a provider (space-separated), empty when none."""
    return (config.get(f"{provider.config_prefix}_ACR_VALUES") or "").split()


def acceptable_acr(required: list[str]) -> set[str]:
    """The configured levels plus every higher NSIS level (High satisfies Substantial)."""
    accepted = set(required)
    for value in required:
        if value in NSIS_LEVELS:
            accepted.update(NSIS_LEVELS[NSIS_LEVELS.index(value) :])
    return accepted


def authorize_params(config: Any, provider: Provider, *, reauthenticate: bool) -> dict[str, Any]:
    """Extra authorisation-request parameters: the wanted assurance level, and for a
    re-authentication a fresh login (``prompt=login``, ``max_age=0``)."""
    params: dict[str, Any] = {}
    if acr := required_acr(config, provider):
        params["acr_values"] = " ".join(acr)
    if reauthenticate:
        params.update(prompt="login", max_age=0)
    return params


def _claim_values(value: Any) -> set[str]:
    """A group/role claim as a set: providers send a list or a space/comma-separated string."""
    if isinstance(value, str):
        return set(value.replace(",", " ").split())
    if isinstance(value, list | tuple):
        return {str(item) for item in value}
    return set()


def refusal(*, config: Any, provider: Provider, claims: dict) -> str | None:
    """Why these ID-token claims may not log in (``"assurance"`` or ``"role"``), or None.

    Checked at every login, so someone removed from the caseworker group loses access at once.
    """
    required = required_acr(config, provider)
    if required and claims.get("acr") not in acceptable_acr(required):
        return "assurance"
    if provider.role == Role.CASEWORKER:
        claim = config.get(f"{provider.config_prefix}_ROLE_CLAIM")
        wanted = config.get(f"{provider.config_prefix}_CASEWORKER_ROLE")
        if claim and wanted and wanted not in _claim_values(claims.get(claim)):
            return "role"
    return None


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
        assert user.id is not None  # assigned by the flush
        if provider.role == Role.JOBSEEKER:
            session.add(JobseekerProfile(user_id=user.id))
        session.commit()
    return user


def provider_for(config: Any, user: User) -> str | None:
    """The configured provider an OIDC account logs in with (by issuer and role), or None."""
    for provider in PROVIDERS.values():
        issuer = config.get(f"{provider.config_prefix}_ISSUER")
        if (
            issuer
            and user.oidc_issuer
            and provider.role == user.role
            and issuer.rstrip("/") == user.oidc_issuer.rstrip("/")
        ):
            return provider.name
    return None
