"""Table models for the portal (SQLModel).

Naming follows ``XBase`` -> ``X(table=True)``; ``XCreate``/``XUpdate`` are added only when
something reads them (forms validate input in the blueprints). Timestamps are timezone-aware UTC
and always come from ``default_factory`` (``consent.schema.utcnow``) so nothing is computed at
import time. Later features add tables here and through new Alembic migrations.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

# The naming convention and ``utcnow`` are shared with ``consent.models`` and must be in place
# before the first table is defined; ``utcnow`` stays importable from here.
from consent.schema import utcnow


class Role(StrEnum):
    """The four audiences of the portal."""

    JOBSEEKER = "jobseeker"
    CASEWORKER = "caseworker"
    EMPLOYER = "employer"
    ADMIN = "admin"


# --- Organisations -----------------------------------------------------------------------------


class Jobcentre(SQLModel, table=True):
    """A municipal jobcentre; caseworkers belong to one."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    municipality_code: str = Field(max_length=3, unique=True)
    municipality: str = Field(max_length=80)


class EmployerBase(SQLModel):
    name: str = Field(max_length=160)
    cvr: str | None = Field(default=None, max_length=8, unique=True)
    industry: str | None = Field(default=None, max_length=120)
    postcode: str | None = Field(default=None, max_length=4)
    website: str | None = Field(default=None, max_length=255)


class Employer(EmployerBase, table=True):
    """An employer organisation that posts jobs and coffee meetings."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)


# --- Accounts and sessions ---------------------------------------------------------------------


class UserBase(SQLModel):
    role: str = Field(max_length=20, index=True)
    name: str = Field(max_length=160)
    email: str | None = Field(default=None, max_length=254, unique=True)
    locale: str | None = Field(default=None, max_length=5)


class User(UserBase, table=True):
    """An account. Local accounts have a password hash; OIDC accounts an (issuer, subject) pair.

    SQLite must never reuse an erased person's id (pseudonyms derive from it): AUTOINCREMENT.
    """

    __table_args__ = (
        UniqueConstraint("oidc_issuer", "oidc_subject"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str | None = Field(default=None, max_length=255)
    oidc_issuer: str | None = Field(default=None, max_length=255)
    oidc_subject: str | None = Field(default=None, max_length=255)
    is_active: bool = Field(default=True)
    is_demo: bool = Field(default=False)
    jobcentre_id: int | None = Field(default=None, foreign_key="jobcentre.id", index=True)
    employer_id: int | None = Field(default=None, foreign_key="employer.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None

    # Flask-Login protocol, kept here so the model needs no Flask import.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)


class AuthSession(SQLModel, table=True):
    """A server-side login session. The cookie carries a random token; only its hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    auth_method: str = Field(max_length=20)
    # When the person last proved who they are (login or re-authentication); erasure and changes
    # to the second factor need this to be recent.
    authenticated_at: datetime = Field(default_factory=utcnow)


class LoginAttempt(SQLModel, table=True):
    """A failed (or still running) local login, for throttling across workers and restarts.

    Keyed by keyed pseudonyms (HMAC-SHA256) of the normalised e-mail and of the client address,
    so the table never holds an e-mail address (of an unknown account or any other) or an IP.
    """

    id: int | None = Field(default=None, primary_key=True)
    account_key: str = Field(max_length=64, index=True)
    address_key: str = Field(max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class MfaCredential(SQLModel, table=True):
    """A local account's TOTP second factor; the secret is encrypted (see app/services/mfa.py).

    ``confirmed_at`` is empty while the person is still setting it up; ``last_used_step`` is the
    TOTP time step of the last accepted code, so a code is never accepted twice.
    """

    user_id: int = Field(primary_key=True, foreign_key="user.id", ondelete="CASCADE")
    secret_encrypted: str = Field(max_length=255)
    confirmed_at: datetime | None = None
    last_used_step: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)


class RecoveryCode(SQLModel, table=True):
    """A one-time recovery code for the second factor; only its SHA-256 is stored."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


# --- Jobseekers and caseworkers ----------------------------------------------------------------


#: The commute a profile has until the person states theirs.
DEFAULT_COMMUTE_KM = 30


class JobseekerProfileBase(SQLModel):
    cv_text: str = Field(default="", sa_type=Text)
    experience: list[dict] = Field(default_factory=list, sa_type=JSON)
    education: list[dict] = Field(default_factory=list, sa_type=JSON)
    skills: list[dict] = Field(default_factory=list, sa_type=JSON)
    wished_occupations: list[dict] = Field(default_factory=list, sa_type=JSON)
    wished_industries: list[str] = Field(default_factory=list, sa_type=JSON)
    hours_per_week: int | None = Field(default=None, ge=1, le=60)
    commute_km: int = Field(default=DEFAULT_COMMUTE_KM, ge=1, le=300)
    accessibility_needs: str = Field(default="", sa_type=Text)
    home_postcode: str | None = Field(default=None, max_length=4)
    # ESCO URIs the person said were read wrongly from their words: never used in matching.
    rejected_concepts: list[str] = Field(
        default_factory=list, sa_type=JSON, sa_column_kwargs={"server_default": "[]"}
    )


class JobseekerProfile(JobseekerProfileBase, table=True):
    """What the jobseeker tells the jobcentre about themselves."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True, ondelete="CASCADE")
    jobcentre_id: int | None = Field(default=None, foreign_key="jobcentre.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # When the ranking now stored in Suggestion started (also after an empty or withdrawn one);
    # older than updated_at, or None, means the scheduler still has to rank the person.
    suggestions_refreshed_at: datetime | None = None


class CaseworkerAssignment(SQLModel, table=True):
    """A jobseeker's profile shared with a caseworker; caseworkers see only these."""

    __table_args__ = (UniqueConstraint("caseworker_id", "jobseeker_id"),)

    id: int | None = Field(default=None, primary_key=True)
    caseworker_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    jobseeker_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    jobcentre_id: int = Field(foreign_key="jobcentre.id")
    created_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None


# --- Job postings (schema.org JobPosting) ------------------------------------------------------


class JobPostingBase(SQLModel):
    title: str = Field(max_length=200)
    description: str = Field(sa_type=Text)
    hiring_organization: str = Field(max_length=160)
    postcode: str | None = Field(default=None, max_length=4, index=True)
    city: str | None = Field(default=None, max_length=80)
    latitude: float | None = None
    longitude: float | None = None
    remote: bool = Field(default=False)
    occupation_uri: str | None = Field(default=None, max_length=255, index=True)
    isco_code: str | None = Field(default=None, max_length=4, index=True)
    industry: str | None = Field(default=None, max_length=120)
    skills: list[str] = Field(default_factory=list, sa_type=JSON)
    employment_type: str = Field(default="FULL_TIME", max_length=20)
    hours_per_week: int | None = None
    date_posted: date
    valid_through: date | None = Field(default=None, index=True)


class JobPosting(JobPostingBase, table=True):
    """A job posting, from an employer on the portal or an external source (e.g. Jobnet)."""

    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(default="jobunivers", max_length=40)
    source_id: str = Field(max_length=120)
    employer_id: int | None = Field(default=None, foreign_key="employer.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


# --- Reference data ----------------------------------------------------------------------------


class Postcode(SQLModel, table=True):
    """A Danish postcode with its centroid (countrystatecity, ODbL)."""

    code: str = Field(primary_key=True, max_length=4)
    name: str = Field(max_length=80)
    latitude: float
    longitude: float
    region: str | None = Field(default=None, max_length=40)


class IscoGroup(SQLModel, table=True):
    """An ISCO-08 group (1 to 4 digits) as published with ESCO."""

    code: str = Field(primary_key=True, max_length=4)
    label: str = Field(max_length=255)


class EscoOccupation(SQLModel, table=True):
    """An ESCO v1.1.1 occupation."""

    uri: str = Field(primary_key=True, max_length=255)
    isco_code: str = Field(max_length=4, index=True)
    label: str = Field(max_length=255, index=True)
    alt_labels: str = Field(default="", sa_type=Text)
    description: str = Field(default="", sa_type=Text)


class EscoSkill(SQLModel, table=True):
    """An ESCO v1.1.1 skill or knowledge concept."""

    uri: str = Field(primary_key=True, max_length=255)
    label: str = Field(max_length=255, index=True)
    alt_labels: str = Field(default="", sa_type=Text)
    skill_type: str = Field(default="", max_length=40)
    reuse_level: str = Field(default="", max_length=40)


class EscoOccupationSkill(SQLModel, table=True):
    """Essential or optional skill of an ESCO occupation."""

    occupation_uri: str = Field(primary_key=True, foreign_key="escooccupation.uri", max_length=255)
    skill_uri: str = Field(primary_key=True, foreign_key="escoskill.uri", max_length=255)
    relation: str = Field(max_length=10)


# --- Matching: embeddings, suggestions, swipes -------------------------------------------------


class PostingEmbedding(SQLModel, table=True):
    """Passage embedding of a posting; recomputed only when its text (content hash) changes."""

    posting_id: int = Field(primary_key=True, foreign_key="jobposting.id", ondelete="CASCADE")
    model: str = Field(max_length=120)
    content_hash: str = Field(max_length=64)
    vector: bytes = Field(sa_type=LargeBinary)
    computed_at: datetime = Field(default_factory=utcnow)


class ProfileEmbedding(SQLModel, table=True):
    """Query embedding of a jobseeker's profile (personal data: erased with the person)."""

    user_id: int = Field(primary_key=True, foreign_key="user.id", ondelete="CASCADE")
    model: str = Field(max_length=120)
    content_hash: str = Field(max_length=64)
    vector: bytes = Field(sa_type=LargeBinary)
    computed_at: datetime = Field(default_factory=utcnow)


class Suggestion(SQLModel, table=True):
    """A cached ranking result shown to the jobseeker, with the recommender's explanation."""

    __table_args__ = (UniqueConstraint("user_id", "kind", "posting_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    posting_id: int = Field(foreign_key="jobposting.id", index=True, ondelete="CASCADE")
    kind: str = Field(default="match", max_length=12)  # "match" or "alternative"
    rank: int
    score: float
    explanation: dict = Field(default_factory=dict, sa_type=JSON)
    alternative_label: str | None = Field(default=None, max_length=255)
    algorithm_version: str = Field(max_length=40)
    created_at: datetime = Field(default_factory=utcnow)


class Swipe(SQLModel, table=True):
    """The jobseeker's answer to a suggested posting; one per person and posting."""

    __table_args__ = (UniqueConstraint("user_id", "posting_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    posting_id: int = Field(foreign_key="jobposting.id", index=True, ondelete="CASCADE")
    action: str = Field(max_length=8)  # "yes", "no", "save"
    created_at: datetime = Field(default_factory=utcnow)


class SavedJob(SQLModel, table=True):
    """A posting the jobseeker keeps, with the application status they record."""

    __table_args__ = (UniqueConstraint("user_id", "posting_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    posting_id: int = Field(foreign_key="jobposting.id", index=True, ondelete="CASCADE")
    status: str = Field(
        default="saved", max_length=12
    )  # saved, applied, interview, hired, rejected
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SuggestionFeedback(SQLModel, table=True):
    """ "This is wrong": feedback on a suggestion for the caseworker and the model owners."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    posting_id: int | None = Field(default=None, foreign_key="jobposting.id", ondelete="SET NULL")
    reason: str = Field(max_length=30)
    comment: str = Field(default="", sa_type=Text)
    explanation: dict = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow)
    handled_at: datetime | None = None


# --- Notifications -----------------------------------------------------------------------------


class Notification(SQLModel, table=True):
    """An in-app notification: a new posting in the person's top 20, or an employer's answer
    to the person's yes to a coffee meeting."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=30)  # "new_match" or "coffee_answer"
    posting_id: int | None = Field(default=None, foreign_key="jobposting.id", ondelete="CASCADE")
    coffee_meeting_id: int | None = Field(
        default=None, foreign_key="coffeemeeting.id", ondelete="CASCADE"
    )
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None


class EmailOutbox(SQLModel, table=True):
    """E-mails waiting for the SMTP sender (in demo mode they stay here)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str = Field(sa_type=Text)
    status: str = Field(default="queued", max_length=10)  # queued, sent, dropped, failed
    error: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class UnsubscribeToken(SQLModel, table=True):
    """The random token of one unsubscribe link; only its SHA-256 is stored.

    The link carries no user id, expires, and works once (``used_at``).
    """

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


# --- Coffee meetings ---------------------------------------------------------------------------


class CoffeeMeetingBase(SQLModel):
    title: str = Field(max_length=160)
    description: str = Field(sa_type=Text)
    postcode: str | None = Field(default=None, max_length=4)
    location: str = Field(max_length=200)
    occupation_uri: str | None = Field(default=None, max_length=255)
    isco_code: str | None = Field(default=None, max_length=4)
    starts_at: datetime
    duration_minutes: int = Field(default=30, ge=10, le=240)
    capacity: int = Field(default=5, ge=1, le=100)


class CoffeeMeeting(CoffeeMeetingBase, table=True):
    """An employer's offer of an informal coffee meeting with jobseekers."""

    id: int | None = Field(default=None, primary_key=True)
    employer_id: int = Field(foreign_key="employer.id", index=True, ondelete="CASCADE")
    latitude: float | None = None
    longitude: float | None = None
    created_at: datetime = Field(default_factory=utcnow)
    cancelled_at: datetime | None = None


class CoffeeResponse(SQLModel, table=True):
    """A jobseeker's yes/no to a coffee meeting and the employer's answer to a yes."""

    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="coffeemeeting.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    answer: str = Field(max_length=4)  # "yes" or "no"
    employer_status: str = Field(default="pending", max_length=10)  # pending, accepted, declined
    employer_message: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow)
    answered_at: datetime | None = None


# --- Randomised controlled trial ---------------------------------------------------------------


class TrialAssignment(SQLModel, table=True):
    """The trial arm a jobseeker was randomised to (treatment: hybrid, control: automatch)."""

    user_id: int = Field(primary_key=True, foreign_key="user.id", ondelete="CASCADE")
    trial_id: str = Field(max_length=40)
    arm: str = Field(max_length=12)
    stratum: str = Field(default="", max_length=40)
    assigned_at: datetime = Field(default_factory=utcnow)


# --- Personal-data registry --------------------------------------------------------------------
# Every table that holds a user id is registered with consent/, so export (Art. 15/20) and erasure
# (Art. 17) cover it; a test fails when a new table is forgotten.
from consent.rights import register_personal_table  # noqa: E402

for _table, _category in (
    ("profileembedding", "cv"),
    ("suggestion", "match_results"),
    ("swipe", "swipe_history"),
    ("savedjob", "swipe_history"),
    ("suggestionfeedback", "match_results"),
    ("notification", "match_results"),
    ("emailoutbox", "email"),
    ("coffeeresponse", "coffee_meetings"),
    ("trialassignment", "trial"),
):
    register_personal_table(_table, "user_id", _category)
# Second-factor secrets are erased with the person and never exported.
register_personal_table("mfacredential", "user_id", "account", redact=("secret_encrypted",))
register_personal_table("recoverycode", "user_id", "account", redact=("code_hash",))
# The hash of a live unsubscribe link is a secret: erased with the person, never exported.
register_personal_table("unsubscribetoken", "user_id", "email", redact=("token_hash",))


# --- Historical intervention cases (decision support) ------------------------------------------


class InterventionCase(SQLModel, table=True):
    """One pseudonymised historical unemployment spell: the intervention and when a job followed.

    Holds no user id (only a pseudonym and coarse groups), so it is not in the personal-data
    registry: the caseworker advice and the bias audit only ever show aggregates of it.
    """

    id: int | None = Field(default=None, primary_key=True)
    pseudonym: str = Field(max_length=64, unique=True)
    # internship, wage_subsidy, upskilling, mentor, job_search_course, none
    intervention: str = Field(max_length=20, index=True)
    isco_major: str = Field(max_length=1, index=True)
    education_level: str = Field(max_length=12)  # none, vocational, short, bachelor, master
    age_band: str = Field(max_length=5)  # 18-29, 30-49, 50+
    gender: str = Field(max_length=1)  # f, m, x
    region: str = Field(max_length=40)
    origin: str = Field(max_length=12)  # danish, western, non_western
    days_to_job: int | None = None  # None: still unemployed after 365 days
    started_on: date
