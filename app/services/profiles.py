"""Jobseeker profiles and who they are shared with."""

from sqlmodel import Session, select

from app.models import CaseworkerAssignment, JobseekerProfile, User


def get_profile(*, session: Session, user_id: int) -> JobseekerProfile | None:
    """The jobseeker's own profile."""
    return session.exec(select(JobseekerProfile).where(JobseekerProfile.user_id == user_id)).first()


def shared_with(*, session: Session, caseworker_id: int) -> list[User]:
    """Jobseekers whose profile is currently shared with this caseworker."""
    statement = (
        select(User)
        .join(CaseworkerAssignment, CaseworkerAssignment.jobseeker_id == User.id)
        .where(
            CaseworkerAssignment.caseworker_id == caseworker_id,
            CaseworkerAssignment.ended_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(User.name)
    )
    return list(session.exec(statement).all())
