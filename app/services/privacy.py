"""The portal's single door to ``consent/``: legal-basis checks and access logging.

Services ask here before using personal data for a purpose; the answer comes from the
append-only consent ledger on every call, so a withdrawal takes effect on the next request.
Reads by anyone but the person themselves (caseworkers, employers, the scheduler) go through
``consent.guard`` and are written to the access log, refused attempts included.
"""

from flask import current_app
from sqlmodel import Session

from consent import guard, ledger
from consent.pseudonym import Pseudonymiser

CORE_MATCHING = "core_matching"
CASEWORKER_SHARING = "caseworker_sharing"
SWIPE_PERSONALISATION = "swipe_personalisation"
EMPLOYER_COFFEE = "employer_coffee"
EMAIL_NOTIFICATIONS = "email_notifications"
RESEARCH = "research_evaluation"


def matching_allowed(*, session: Session, user_id: int, actor: str | None = None) -> bool:
    """May the recommender run on this person's data (no opt-out, no objection)?

    ``actor`` names a non-personal reader (e.g. "scheduler"): the check is then access-logged.
    """
    if actor is None:
        return ledger.algorithmic_processing_allowed(session, user_id)
    return guard.permitted(
        session,
        user_id,
        CORE_MATCHING,
        actor_id=None,
        actor_role=actor,
        data_categories=("cv", "job_preferences", "match_results"),
        via="job",
    )


def personalisation_allowed(*, session: Session, user_id: int) -> bool:
    """May swipes personalise the ranking (optional purpose: consent)?"""
    return ledger.is_permitted(session, user_id, SWIPE_PERSONALISATION)


def email_allowed(*, session: Session, user_id: int) -> bool:
    """May we send this person e-mail notifications (optional purpose: consent)?"""
    return ledger.is_permitted(session, user_id, EMAIL_NOTIFICATIONS)


def pseudonymiser() -> Pseudonymiser:
    """The keyed pseudonymiser; its key comes from configuration, never from the database."""
    return Pseudonymiser.from_hex(current_app.config["PSEUDONYM_KEY"])


def record_decision(
    *, session: Session, user_id: int, purpose_id: str, action: str, actor_id: int, actor_role: str,
    channel: str = "web",
) -> None:
    """Append a consent decision (grant, withdraw, object, opt_out, opt_in) and commit it."""
    ledger.record(
        session,
        subject_id=user_id,
        purpose_id=purpose_id,
        action=action,
        channel=channel,
        actor_id=actor_id,
        actor_role=actor_role,
        pseudonymiser=pseudonymiser(),
    )
    session.commit()
