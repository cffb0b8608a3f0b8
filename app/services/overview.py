""" "Mit overblik": everything the jobcentre holds and does about one jobseeker, on one page.

``build`` collects it in one call for the view: the profile, consents, coffee meetings, saved jobs,
current suggestions, trial group, the latest reads of the person's data, their caseworker and the
k-anonymous "what worked for people like me". It only reads; the person's own view of their data
is not access-logged (the log records reads by others).
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from app.models import (
    CaseworkerAssignment,
    CoffeeMeeting,
    CoffeeResponse,
    Employer,
    Jobcentre,
    JobPosting,
    JobseekerProfile,
    Suggestion,
    TrialAssignment,
    User,
    utcnow,
)
from app.services import deck, matching_status, privacy, profiles, trial
from app.services.outcomes import K_MIN, OutcomeStats, similar_outcomes
from app.services.postings import active_postings_filter

TOP_SUGGESTIONS = 10
LATEST_ACCESSES = 10


@dataclass(frozen=True)
class CoffeeItem:
    """An upcoming coffee meeting the person said yes to, and the employer's answer."""

    meeting: CoffeeMeeting
    response: CoffeeResponse
    employer_name: str


@dataclass(frozen=True)
class SuggestionItem:
    """One of the person's current suggestions with its score (0-1)."""

    suggestion: Suggestion
    posting: JobPosting

    @property
    def score_percent(self) -> int:
        return round(self.suggestion.score * 100)


@dataclass(frozen=True)
class CaseworkerContact:
    """The caseworker currently assigned to the person."""

    name: str
    email: str | None
    jobcentre: str | None
    since: datetime


@dataclass
class Overview:
    """Everything shown on "Mit overblik"."""

    user: User
    profile: JobseekerProfile | None
    home_town: str | None
    purposes: list[privacy.PurposeView]
    coffee: list[CoffeeItem]
    saved: list[deck.SavedEntry]
    suggestions: list[SuggestionItem]
    opted_out: bool
    trial: TrialAssignment | None
    accesses: privacy.AccessPage
    caseworker: CaseworkerContact | None
    outcomes: OutcomeStats
    # Whether the person takes part in the trial now (``trial`` is their stored draw, if any).
    in_trial: bool = False
    # Whether the first ranking is still being prepared (pages never rank).
    suggestions_state: matching_status.RefreshState | None = None
    consents_needing_renewal: list[str] = field(default_factory=list)
    # The smallest group "what worked for people like me" ever shows (k-anonymity).
    outcome_k: int = K_MIN

    @property
    def consent_purposes(self) -> list[privacy.PurposeView]:
        return [p for p in self.purposes if p.consent_based]

    @property
    def public_task_purposes(self) -> list[privacy.PurposeView]:
        return [p for p in self.purposes if not p.consent_based]


def upcoming_coffee(*, session: Session, user_id: int) -> list[CoffeeItem]:
    """Meetings not yet held and not cancelled that the person said yes to, soonest first."""
    rows = session.exec(
        select(CoffeeResponse, CoffeeMeeting, Employer)
        .join(CoffeeMeeting, col(CoffeeMeeting.id) == CoffeeResponse.meeting_id)
        .join(Employer, col(Employer.id) == CoffeeMeeting.employer_id)
        .where(
            CoffeeResponse.user_id == user_id,
            CoffeeResponse.answer == "yes",
            col(CoffeeMeeting.cancelled_at).is_(None),
            CoffeeMeeting.starts_at >= utcnow(),
        )
        .order_by(col(CoffeeMeeting.starts_at))
    ).all()
    return [CoffeeItem(meeting=m, response=r, employer_name=e.name) for r, m, e in rows]


def top_suggestions(
    *, session: Session, user_id: int, k: int = TOP_SUGGESTIONS
) -> list[SuggestionItem]:
    """The person's best current matches on open postings, by rank."""
    rows = session.exec(
        select(Suggestion, JobPosting)
        .join(JobPosting, col(JobPosting.id) == Suggestion.posting_id)
        .where(Suggestion.user_id == user_id, Suggestion.kind == "match", active_postings_filter())
        .order_by(col(Suggestion.rank))
        .limit(k)
    ).all()
    return [SuggestionItem(suggestion=s, posting=p) for s, p in rows]


def caseworker_contact(*, session: Session, user_id: int) -> CaseworkerContact | None:
    """The caseworker of the person's newest active assignment, with their jobcentre."""
    row = session.exec(
        select(CaseworkerAssignment, User)
        .join(User, col(User.id) == CaseworkerAssignment.caseworker_id)
        .where(
            CaseworkerAssignment.jobseeker_id == user_id,
            col(CaseworkerAssignment.ended_at).is_(None),
        )
        .order_by(col(CaseworkerAssignment.created_at).desc(), col(CaseworkerAssignment.id).desc())
    ).first()
    if row is None:
        return None
    assignment, caseworker = row
    centre = session.get(Jobcentre, assignment.jobcentre_id)
    return CaseworkerContact(
        name=caseworker.name,
        email=caseworker.email,
        jobcentre=centre.name if centre else None,
        since=assignment.created_at,
    )


def build(*, session: Session, user_id: int, locale: str) -> Overview:
    """Collect "Mit overblik" for the person (read-only)."""
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(f"no user {user_id}")
    profile = profiles.get_profile(session=session, user_id=user_id)
    purposes = privacy.purposes_for(session=session, user_id=user_id, locale=locale)
    opted_out = not privacy.matching_allowed(session=session, user_id=user_id)
    return Overview(
        user=user,
        profile=profile,
        home_town=profiles.postcode_name(
            session=session, code=profile.home_postcode if profile else None
        ),
        purposes=purposes,
        coffee=upcoming_coffee(session=session, user_id=user_id),
        saved=deck.saved_jobs(session=session, user_id=user_id),
        suggestions=[] if opted_out else top_suggestions(session=session, user_id=user_id),
        opted_out=opted_out,
        trial=session.get(TrialAssignment, user_id),
        in_trial=trial.participates(session=session, user_id=user_id),
        accesses=privacy.access_log(
            session=session, user_id=user_id, locale=locale, per_page=LATEST_ACCESSES
        ),
        caseworker=caseworker_contact(session=session, user_id=user_id),
        outcomes=similar_outcomes(session=session, user_id=user_id),
        suggestions_state=matching_status.status(session=session, user_id=user_id),
        consents_needing_renewal=[p.title for p in purposes if p.state.needs_renewal],
    )
