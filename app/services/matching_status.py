"""Are a person's suggestions up to date with their profile?"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from app.models import JobseekerProfile, Suggestion
from app.services import privacy


@dataclass
class RefreshState:
    """When suggestions were last computed and whether a refresh is pending."""

    refreshed_at: datetime | None
    pending: bool
    opted_out: bool


def status(*, session: Session, user_id: int) -> RefreshState:
    """Compare the profile's last change with the newest suggestion."""
    if not privacy.matching_allowed(session=session, user_id=user_id):
        return RefreshState(refreshed_at=None, pending=False, opted_out=True)
    refreshed = session.exec(
        select(func.max(Suggestion.created_at)).where(Suggestion.user_id == user_id)
    ).one()
    updated = session.exec(
        select(JobseekerProfile.updated_at).where(JobseekerProfile.user_id == user_id)
    ).first()
    pending = updated is not None and (refreshed is None or refreshed < updated)
    return RefreshState(refreshed_at=refreshed, pending=pending, opted_out=False)


def ensure_first_suggestions(*, session: Session, user_id: int) -> RefreshState:
    """On a person's first visit rank once, synchronously (stored vectors only, one CV
    embedding at most), so the landing page and the deck are never empty for no reason."""
    from app.services import matching

    state = status(session=session, user_id=user_id)
    if state.refreshed_at is None and not state.opted_out:
        matching.refresh_suggestions(session=session, user_id=user_id)
        state = status(session=session, user_id=user_id)
    return state
