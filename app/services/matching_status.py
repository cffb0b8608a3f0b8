"""Are a person's suggestions up to date with their profile? Read-only, for page views.

Pages never rank: a person who has not been ranked yet sees that their suggestions are being
prepared (the fragment polls ``status``) until the background task started by their last change,
or the scheduler's ``matching.refresh_pending``, has stored a ranking.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from app.models import JobseekerProfile
from app.services import privacy


@dataclass
class RefreshState:
    """When suggestions were last computed and whether a refresh is pending."""

    refreshed_at: datetime | None
    pending: bool
    opted_out: bool

    @property
    def preparing(self) -> bool:
        """Never ranked yet: the first suggestions are on their way."""
        return self.pending and self.refreshed_at is None


def status(*, session: Session, user_id: int) -> RefreshState:
    """Compare the profile's last change with the start of the stored ranking (reads only)."""
    if not privacy.matching_allowed(session=session, user_id=user_id):
        return RefreshState(refreshed_at=None, pending=False, opted_out=True)
    row = session.exec(
        select(JobseekerProfile.updated_at, JobseekerProfile.suggestions_refreshed_at).where(
            JobseekerProfile.user_id == user_id
        )
    ).first()
    if row is None:  # no profile, nothing to rank
        return RefreshState(refreshed_at=None, pending=False, opted_out=False)
    updated, refreshed = row
    pending = refreshed is None or refreshed < updated
    return RefreshState(refreshed_at=refreshed, pending=pending, opted_out=False)
