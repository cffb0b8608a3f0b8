"""The swipe deck: the next suggested posting, storing answers once, undo, saved jobs."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from app.models import JobPosting, SavedJob, Suggestion, Swipe, utcnow
from app.services.concurrency import insert_once
from app.services.postings import active_postings_filter

ACTIONS = ("yes", "no", "save")
KINDS = ("match", "alternative")
APPLICATION_STATUSES = ("saved", "applied", "interview", "hired", "rejected")


class DeckError(ValueError):
    """A swipe that cannot be stored (unknown, never shown or closed posting, unknown action)."""


@dataclass
class Card:
    """One suggestion ready to show: the posting and why it was suggested."""

    suggestion: Suggestion
    posting: JobPosting
    remaining: int

    @property
    def explanation(self) -> dict:
        return self.suggestion.explanation


def _unanswered(user_id: int, kind: str) -> Select[Suggestion, JobPosting]:
    answered = select(Swipe.posting_id).where(Swipe.user_id == user_id)
    return (
        select(Suggestion, JobPosting)
        .join(JobPosting, col(JobPosting.id) == Suggestion.posting_id)
        .where(
            Suggestion.user_id == user_id,
            Suggestion.kind == kind,
            col(Suggestion.posting_id).not_in(answered),
            active_postings_filter(),
        )
    )


def next_card(*, session: Session, user_id: int, kind: str = "match") -> Card | None:
    """The best suggestion the person has not answered yet, or None when the deck is empty."""
    if kind not in KINDS:
        raise DeckError("unknown_kind")
    statement = _unanswered(user_id, kind)
    rows = session.exec(statement.order_by(col(Suggestion.rank)).limit(1)).all()
    if not rows:
        return None
    remaining = len(session.exec(statement).all())
    suggestion, posting = rows[0]
    return Card(suggestion=suggestion, posting=posting, remaining=remaining)


def _stored_swipe(session: Session, user_id: int, posting_id: int) -> Swipe | None:
    return session.exec(
        select(Swipe).where(Swipe.user_id == user_id, Swipe.posting_id == posting_id)
    ).first()


def swipe(*, session: Session, user_id: int, posting_id: int, action: str) -> tuple[Swipe, bool]:
    """Store an answer once: a repeated, double-tapped or concurrent swipe returns the first one.

    Returns (swipe, created). "yes" and "save" also put the posting on the saved list. Only a
    posting that was suggested to this person (a match, an alternative) and is still open can be
    answered: ``DeckError("unknown_posting")`` for any other id (whether it exists is not
    revealed), ``DeckError("closed")`` when it closed after it was shown. Nothing is stored then.
    """
    if action not in ACTIONS:
        raise DeckError("unknown_action")
    existing = _stored_swipe(session, user_id, posting_id)
    if existing is not None:
        return existing, False
    shown = session.exec(
        select(Suggestion.id).where(
            Suggestion.user_id == user_id, Suggestion.posting_id == posting_id
        )
    ).first()
    if shown is None:
        raise DeckError("unknown_posting")
    posting = session.exec(
        select(JobPosting).where(JobPosting.id == posting_id, active_postings_filter())
    ).first()
    if posting is None:
        raise DeckError("closed")
    # The database picks the one request that stores the answer; the others read it back.
    record = Swipe(user_id=user_id, posting_id=posting_id, action=action)
    created = insert_once(session=session, record=record, keys=("user_id", "posting_id"))
    if created and action in ("yes", "save"):
        insert_once(
            session=session,
            record=SavedJob(user_id=user_id, posting_id=posting_id),
            keys=("user_id", "posting_id"),
        )
    session.commit()
    stored = _stored_swipe(session, user_id, posting_id)
    if stored is None:  # pragma: no cover - undone by a concurrent request in between
        raise DeckError("unknown_posting")
    return stored, created


def undo_last(*, session: Session, user_id: int) -> Swipe | None:
    """Take back the latest answer (and the saved entry it created, if untouched).

    Two undos sent at the same moment take back one answer: the second finds it gone.
    """
    last = session.exec(
        select(Swipe)
        .where(Swipe.user_id == user_id)
        .order_by(col(Swipe.created_at).desc(), col(Swipe.id).desc())
    ).first()
    if last is None:
        return None
    # A plain DELETE, so a row a concurrent undo removed first counts 0 instead of failing.
    removed = session.exec(delete(Swipe).where(col(Swipe.id) == last.id))
    if not removed.rowcount:
        session.rollback()
        return None
    session.execute(
        delete(SavedJob).where(
            col(SavedJob.user_id) == user_id,
            col(SavedJob.posting_id) == last.posting_id,
            col(SavedJob.status) == "saved",
        )
    )
    session.commit()
    return last


@dataclass
class SavedEntry:
    """A saved posting with whether it is still open."""

    saved: SavedJob
    posting: JobPosting

    @property
    def expired(self) -> bool:
        return self.posting.valid_through is not None and self.posting.valid_through < date.today()


def saved_jobs(*, session: Session, user_id: int) -> list[SavedEntry]:
    """The person's saved postings, newest first; expired ones are kept and marked."""
    rows = session.exec(
        select(SavedJob, JobPosting)
        .join(JobPosting, col(JobPosting.id) == SavedJob.posting_id)
        .where(SavedJob.user_id == user_id)
        .order_by(col(SavedJob.updated_at).desc())
    ).all()
    return [SavedEntry(saved=s, posting=p) for s, p in rows]


def set_status(*, session: Session, user_id: int, saved_id: int, status: str) -> SavedJob:
    """Record where an application stands (applied, interview, hired, rejected)."""
    if status not in APPLICATION_STATUSES:
        raise DeckError("unknown_status")
    saved = session.get(SavedJob, saved_id)
    if saved is None or saved.user_id != user_id:
        raise DeckError("unknown_saved_job")
    saved.status = status
    saved.updated_at = utcnow()
    session.add(saved)
    session.commit()
    return saved


def suggestion_for(
    *, session: Session, user_id: int, posting_id: int
) -> tuple[Suggestion, JobPosting] | None:
    """The person's own suggestion of a posting, with the posting (for the explanation page)."""
    row = session.exec(
        select(Suggestion, JobPosting)
        .join(JobPosting, col(JobPosting.id) == Suggestion.posting_id)
        .where(Suggestion.user_id == user_id, Suggestion.posting_id == posting_id)
        .order_by(col(Suggestion.kind).desc())
    ).first()
    return (row[0], row[1]) if row else None
