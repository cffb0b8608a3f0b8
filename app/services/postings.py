"""Job postings."""

from sqlmodel import Session, select

from app.models import JobPosting


def for_employer(*, session: Session, employer_id: int | None, limit: int = 50) -> list[JobPosting]:
    """The newest postings of one employer organisation."""
    if employer_id is None:
        return []
    statement = (
        select(JobPosting)
        .where(JobPosting.employer_id == employer_id)
        .order_by(JobPosting.date_posted.desc(), JobPosting.id.desc())  # type: ignore[union-attr]
        .limit(limit)
    )
    return list(session.exec(statement).all())
