"""What a caseworker may see: only citizens who are assigned to them, every read access-logged.

The algorithm only advises: suggestions are shown with their explanation so the caseworker can
use them in the dialogue with the citizen; decisions stay with the caseworker. Opening a page
only reads (and logs the read): it never ranks or randomises anyone. For a citizen who opted out
of, or objected to, algorithmic processing, nothing algorithmic is computed from their data: no
suggestions and no intervention advice, only the manual assessment.
"""

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.models import (
    CaseworkerAssignment,
    Jobcentre,
    JobPosting,
    JobseekerProfile,
    Suggestion,
    SuggestionFeedback,
    Swipe,
    User,
)
from app.services import interventions, matching_status, privacy, profiles
from consent import guard

CATEGORIES = (
    "identity",
    "cv",
    "job_preferences",
    "accessibility_needs",
    "match_results",
    "swipe_history",
)


class NotAssigned(LookupError):
    """The caseworker has no active assignment to this citizen (the attempt is logged)."""


class CitizenObjected(PermissionError):
    """The citizen objected to sharing with caseworkers (Art. 21)."""


@dataclass
class CitizenView:
    """Everything shown on the caseworker's page about one citizen."""

    citizen: User
    profile: JobseekerProfile | None
    suggestions: list[tuple[Suggestion, JobPosting]] = field(default_factory=list)
    feedback: list[SuggestionFeedback] = field(default_factory=list)
    swipe_counts: dict[str, int] = field(default_factory=dict)
    algorithm_opted_out: bool = False
    # Whether a ranking is stored yet (pages never rank; the scheduler does).
    state: matching_status.RefreshState | None = None
    # Intervention advice; None when the citizen opted out (the caseworker assesses manually).
    advice: interventions.CitizenAdvice | None = None


def _organisation(session: Session, caseworker: User) -> str | None:
    centre = session.get(Jobcentre, caseworker.jobcentre_id) if caseworker.jobcentre_id else None
    return centre.name if centre else None


def is_assigned(*, session: Session, caseworker_id: int, citizen_id: int) -> bool:
    """Is there an active assignment of this citizen to this caseworker?"""
    return (
        session.exec(
            select(CaseworkerAssignment.id).where(
                CaseworkerAssignment.caseworker_id == caseworker_id,
                CaseworkerAssignment.jobseeker_id == citizen_id,
                col(CaseworkerAssignment.ended_at).is_(None),
            )
        ).first()
        is not None
    )


def citizens(*, session: Session, caseworker: User) -> list[User]:
    """The caseworker's list: assigned citizens who have not objected to sharing.

    Showing a name is a read of the citizen's data, so each listed citizen gets an access-log
    row; citizens who objected are neither shown nor read.
    """
    assert caseworker.id is not None  # the logged-in account
    listed = profiles.shared_with(session=session, caseworker_id=caseworker.id)
    organisation = _organisation(session, caseworker)
    for citizen in listed:
        assert citizen.id is not None  # a stored row
        guard.log_access(
            session,
            citizen.id,
            purpose_id=privacy.CASEWORKER_SHARING,
            actor_id=caseworker.id,
            actor_role="caseworker",
            actor_organisation=organisation,
            data_categories=("identity",),
            via="web",
            commit=False,
        )
    session.commit()
    return listed


def citizen_view(*, session: Session, caseworker: User, citizen_id: int) -> CitizenView:
    """The citizen's profile, suggestions and feedback, after the legal-basis check.

    Raises ``NotAssigned`` or ``CitizenObjected``; both attempts are written to the access log.
    """
    assert caseworker.id is not None  # the logged-in account
    organisation = _organisation(session, caseworker)
    citizen = session.get(User, citizen_id)
    if citizen is None or not is_assigned(
        session=session, caseworker_id=caseworker.id, citizen_id=citizen_id
    ):
        if citizen is not None:
            guard.log_refusal(
                session,
                citizen_id,
                purpose_id=privacy.CASEWORKER_SHARING,
                actor_id=caseworker.id,
                actor_role="caseworker",
                actor_organisation=organisation,
                data_categories=("identity",),
                via="web",
                reason="not_assigned",
            )
        raise NotAssigned(citizen_id)
    try:
        guard.require(
            session,
            citizen_id,
            privacy.CASEWORKER_SHARING,
            actor_id=caseworker.id,
            actor_role="caseworker",
            actor_organisation=organisation,
            data_categories=CATEGORIES,
            via="web",
        )
    except guard.PurposeNotPermitted as error:
        raise CitizenObjected(citizen_id) from error
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == citizen_id)
    ).first()
    feedback = list(
        session.exec(
            select(SuggestionFeedback)
            .where(SuggestionFeedback.user_id == citizen_id)
            .order_by(col(SuggestionFeedback.created_at).desc())
            .limit(20)
        ).all()
    )
    counts: dict[str, int] = {"yes": 0, "no": 0, "save": 0}
    for swipe in session.exec(select(Swipe).where(Swipe.user_id == citizen_id)).all():
        counts[swipe.action] = counts.get(swipe.action, 0) + 1
    view = CitizenView(
        citizen=citizen,
        profile=profile,
        feedback=feedback,
        swipe_counts=counts,
        algorithm_opted_out=not privacy.matching_allowed(session=session, user_id=citizen_id),
    )
    if view.algorithm_opted_out:
        return view
    view.state = matching_status.status(session=session, user_id=citizen_id)
    view.suggestions = [
        (s, p)
        for s, p in session.exec(
            select(Suggestion, JobPosting)
            .join(JobPosting, col(JobPosting.id) == Suggestion.posting_id)
            .where(Suggestion.user_id == citizen_id, Suggestion.kind == "match")
            .order_by(col(Suggestion.rank))
            .limit(10)
        ).all()
    ]
    view.advice = interventions.advice_for_citizen(
        session=session, user_id=citizen_id, profile=profile
    )
    return view
