"""Configuration defaults; every key can be overridden by a ``JOBUNIVERS_``-prefixed
environment variable.

Flask's ``from_prefixed_env`` parses values as JSON where possible, so
``JOBUNIVERS_DEMO=false`` and ``JOBUNIVERS_SESSION_IDLE_MINUTES=15`` arrive typed.
"""

from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Config:
    """Defaults for the embedded, single-machine set-up (SQLite, demo data, local model)."""

    SECRET_KEY: str | None = None
    ENV_NAME = "development"  # "production" makes a missing SECRET_KEY fatal and cookies __Host-
    DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'instance' / 'jobunivers.db'}"
    DEMO = True

    # Sessions: server-side session records; idle and absolute limits.
    SESSION_IDLE_MINUTES = 30
    SESSION_ABSOLUTE_HOURS = 12
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

    # Pseudonymisation key (HMAC-SHA256, hex, >= 128 bit). Never stored in the database.
    PSEUDONYM_KEY: str | None = None

    # OIDC: jobseekers via MitID (NemLog-in broker), caseworkers via the municipality's IdP.
    OIDC_MITID_ISSUER: str | None = None
    OIDC_MITID_CLIENT_ID: str | None = None
    OIDC_MITID_CLIENT_SECRET: str | None = None
    OIDC_MUNICIPALITY_ISSUER: str | None = None
    OIDC_MUNICIPALITY_CLIENT_ID: str | None = None
    OIDC_MUNICIPALITY_CLIENT_SECRET: str | None = None

    # Embedding model used by the recommender.
    MODEL_PATH = str(PROJECT_ROOT / "models" / "multilingual-e5-small")
    ENCODER_BACKEND = "onnx"  # "onnx" (int8, fast), "torch" or "hashing" (tests only)
    ENCODER_MAX_TOKENS = 256  # truncation; 256 costs a quarter of 512 on long postings

    BABEL_DEFAULT_LOCALE = "da"
    BABEL_DEFAULT_TIMEZONE = "Europe/Copenhagen"
    LANGUAGES = ("da", "en")

    RATELIMIT_DEFAULT = "600 per minute"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    ACCESS_LOG_RETENTION_DAYS = 183

    # The data controller named on consent receipts and the Art. 30 record.
    CONTROLLER_NAME = "Jobcentret i kommunen"
    CONTROLLER_CONTACT = "Databeskyttelsesrådgiveren (DPO)"
    CONTROLLER_STREET_ADDRESS = ""
    CONTROLLER_POSTAL_CODE = ""
    CONTROLLER_LOCALITY = ""
    CONTROLLER_EMAIL = ""
    CONTROLLER_PHONE = ""
    CONTROLLER_URL = ""
    PUBLIC_URL = "http://127.0.0.1:5000"

    # The randomised controlled trial: treatment = hybrid recommender, control = automatch.
    TRIAL_ENABLED = True
    TRIAL_ID = "jobunivers-pilot-1"
    TRIAL_BLOCK_SIZE = 4  # base of links in e-mails sent by the scheduler
