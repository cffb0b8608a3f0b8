"""Feedback on suggestions ("this is wrong"), for caseworkers and the model owners."""

from sqlmodel import Session, col, select

from app.models import SuggestionFeedback


def record(
    *,
    session: Session,
    user_id: int,
    posting_id: int | None,
    reason: str,
    comment: str,
    explanation: dict,
) -> SuggestionFeedback:
    """Store feedback with a snapshot of the explanation the person saw."""
    item = SuggestionFeedback(
        user_id=user_id,
        posting_id=posting_id,
        reason=reason,
        comment=comment.strip(),
        explanation=explanation,
    )
    session.add(item)
    session.commit()
    return item


def for_user(*, session: Session, user_id: int) -> list[SuggestionFeedback]:
    """A person's feedback, newest first."""
    return list(
        session.exec(
            select(SuggestionFeedback)
            .where(SuggestionFeedback.user_id == user_id)
            .order_by(col(SuggestionFeedback.created_at).desc())
        ).all()
    )
