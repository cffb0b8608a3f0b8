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

    # Without SECRET_KEY/PSEUDONYM_KEY, development generates random keys once into instance/;
    # any other environment refuses to start.
    SECRET_KEY: str | None = None
    ENV_NAME = "development"  # "production" makes a missing SECRET_KEY fatal and cookies __Host-
    DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'instance' / 'jobunivers.db'}"
    # Demo mode (one-click demo logins, demo seed, demo passwords). None: on in development only;
    # true in any other environment stops the start-up.
    DEMO: bool | None = None

    # Requests: bodies above this are refused with 413 (a CV upload is at most 5 MB).
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024
    # Reverse proxies in front of the app that set X-Forwarded-For/-Proto/-Host. 0 trusts none:
    # a client reaching gunicorn directly must not choose its own address.
    PROXY_HOPS = 0

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
    # Assurance level (``acr``) requested and required, space-separated; a higher NSIS level is
    # accepted too. MitID: "substantial" by default. None: no requirement.
    OIDC_MITID_ACR_VALUES: str | None = "https://data.gov.dk/concept/core/nsis/loa/Substantial"
    OIDC_MUNICIPALITY_ACR_VALUES: str | None = None
    # Only people with this value in this claim of the municipality's ID token become caseworkers.
    OIDC_MUNICIPALITY_ROLE_CLAIM = "groups"
    OIDC_MUNICIPALITY_CASEWORKER_ROLE = "jobunivers-caseworker"

    # Local password logins are throttled per account and per client address, in the database
    # (so across workers and restarts): from the N-th failure within the window on, wait
    # BASE seconds, doubling with each further failure, up to MAX (the temporary lock).
    LOGIN_THROTTLE_ACCOUNT_FAILURES = 5
    LOGIN_THROTTLE_ADDRESS_FAILURES = 20
    LOGIN_THROTTLE_BASE_SECONDS = 60
    LOGIN_THROTTLE_MAX_SECONDS = 3600
    LOGIN_THROTTLE_WINDOW_HOURS = 24
    # Second factor (TOTP): required for these roles, offered to these (local accounts only).
    MFA_REQUIRED_ROLES = ("admin",)
    MFA_OFFERED_ROLES = ("admin", "caseworker", "employer")
    # Key that encrypts TOTP secrets at rest; None derives one from SECRET_KEY (HKDF).
    MFA_ENCRYPTION_KEY: str | None = None
    # Erasure and changes to the second factor need a login or re-authentication this recent.
    REAUTH_MINUTES = 5

    # Embedding model used by the recommender.
    MODEL_PATH = str(PROJECT_ROOT / "models" / "multilingual-e5-small")
    ENCODER_BACKEND = "onnx"  # "onnx" (int8, fast), "torch" or "hashing" (tests only)
    ENCODER_MAX_TOKENS = 256  # truncation; 256 costs a quarter of 512 on long postings

    BABEL_DEFAULT_LOCALE = "da"
    BABEL_DEFAULT_TIMEZONE = "Europe/Copenhagen"
    LANGUAGES = ("da", "en")

    RATELIMIT_DEFAULT = "600 per minute"
    RATELIMIT_STORAGE_URI = "memory://"
    # redis://host:6379/0 makes the limits global across workers and restarts (mapped onto
    # RATELIMIT_STORAGE_URI by the factory); when Redis is down the limits fall back to memory.
    RATELIMIT_STORAGE_URL: str | None = None
    RATELIMIT_KEY_PREFIX = "jobunivers"
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    UNSUBSCRIBE_TOKEN_DAYS = 60  # how long the unsubscribe link in an e-mail works

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
    # Who may be randomised and counted: "consent" (only people who consented to the research
    # purpose) or "public_task" (everyone not opted out of matching; then name the statutory
    # basis in TRIAL_LEGAL_REFERENCE, shown on the record of processing, or nobody is randomised).
    TRIAL_LEGAL_BASIS = "consent"
    TRIAL_LEGAL_REFERENCE = ""
