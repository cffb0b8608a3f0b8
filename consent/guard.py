"""The one guard in front of every use of a person's data by someone else.

``require`` checks the ledger for the purpose, writes an access-log row (refused attempts too)
and raises ``ConsentRequired`` or ``ProcessingObjected`` when the purpose is not permitted.
``permitted`` does the same and returns a bool. ``log_access`` only logs, for reads on a
public-task purpose whose legitimacy was established elsewhere.

Nothing is cached: each call reads the ledger, so a withdrawal takes effect on the next call.
The access-log row is committed at once (``commit=True``), because a refused attempt ends the
request with an error and the request's rollback must not erase the evidence; call the guard
before making other changes in the same session, or pass ``commit=False`` in batch jobs that
commit themselves.
"""

from collections.abc import Iterable

from sqlmodel import Session

from consent import purposes
from consent.ledger import PurposeState, Status, purpose_state
from consent.models import AccessLogEntry, AccessOutcome, AccessVia


class PurposeNotPermitted(Exception):
    """Processing for this purpose is not permitted for this person right now."""

    def __init__(self, state: PurposeState, subject_id: int) -> None:
        self.state = state
        self.purpose_id = state.purpose_id
        self.subject_id = subject_id
        super().__init__(
            f"{state.purpose_id} not permitted for subject {subject_id}: {state.status}"
        )


class ConsentRequired(PurposeNotPermitted):
    """A consent purpose without valid consent (never given, withdrawn, or for an old text)."""

    @property
    def needs_renewal(self) -> bool:
        return self.state.needs_renewal


class ProcessingObjected(PurposeNotPermitted):
    """A public-task purpose the person objected to or opted out of."""


def _validated(purpose_id: str, data_categories: Iterable[str], via: str) -> tuple[list[str], str]:
    purpose = purposes.get(purpose_id)
    categories = list(dict.fromkeys(data_categories))
    if not categories:
        raise ValueError("name the data categories being read")
    outside = [c for c in categories if c not in purpose.data_categories]
    if outside:
        # Purpose limitation: reading data the purpose does not cover is a bug, not a refusal.
        raise ValueError(f"{purpose_id!r} does not cover the data categories {outside}")
    return categories, AccessVia(via).value


def _write(
    session: Session,
    *,
    subject_id: int,
    purpose_id: str,
    actor_id: int | None,
    actor_role: str,
    actor_organisation: str | None,
    data_categories: list[str],
    via: str,
    outcome: AccessOutcome,
    reason: str | None,
    commit: bool,
) -> AccessLogEntry:
    entry = AccessLogEntry(
        subject_id=subject_id,
        actor_id=actor_id,
        actor_role=actor_role,
        actor_organisation=actor_organisation,
        data_categories=data_categories,
        purpose_id=purpose_id,
        outcome=outcome.value,
        via=via,
        reason=reason,
    )
    session.add(entry)
    if commit:
        session.commit()
    else:
        session.flush()
    return entry


def _check(
    session: Session,
    subject_id: int,
    purpose_id: str,
    *,
    actor_id: int | None,
    actor_role: str,
    actor_organisation: str | None,
    data_categories: Iterable[str],
    via: str,
    commit: bool,
) -> PurposeState:
    categories, via_value = _validated(purpose_id, data_categories, via)
    state = purpose_state(session, subject_id, purpose_id)
    reason = None
    if not state.permitted:
        reason = "needs_renewal" if state.needs_renewal else state.status.value
    _write(
        session,
        subject_id=subject_id,
        purpose_id=purpose_id,
        actor_id=actor_id,
        actor_role=actor_role,
        actor_organisation=actor_organisation,
        data_categories=categories,
        via=via_value,
        outcome=AccessOutcome.ALLOWED if state.permitted else AccessOutcome.REFUSED,
        reason=reason,
        commit=commit,
    )
    return state


def require(
    session: Session,
    subject_id: int,
    purpose_id: str,
    *,
    actor_id: int | None,
    actor_role: str,
    actor_organisation: str | None = None,
    data_categories: Iterable[str],
    via: str,
    commit: bool = True,
) -> None:
    """Log the access and raise unless ``purpose_id`` is permitted for ``subject_id``.

    Raises ``ConsentRequired`` for a consent purpose without valid consent and
    ``ProcessingObjected`` for a public-task purpose the person objected to or opted out of;
    ``ValueError`` when ``data_categories`` are not covered by the purpose.
    """
    state = _check(
        session,
        subject_id,
        purpose_id,
        actor_id=actor_id,
        actor_role=actor_role,
        actor_organisation=actor_organisation,
        data_categories=data_categories,
        via=via,
        commit=commit,
    )
    if state.permitted:
        return
    if state.status in (Status.OBJECTED, Status.OPTED_OUT):
        raise ProcessingObjected(state, subject_id)
    raise ConsentRequired(state, subject_id)


def permitted(
    session: Session,
    subject_id: int,
    purpose_id: str,
    *,
    actor_id: int | None,
    actor_role: str,
    actor_organisation: str | None = None,
    data_categories: Iterable[str],
    via: str,
    commit: bool = True,
) -> bool:
    """Like ``require`` (the access is logged either way) but answer with a bool."""
    return _check(
        session,
        subject_id,
        purpose_id,
        actor_id=actor_id,
        actor_role=actor_role,
        actor_organisation=actor_organisation,
        data_categories=data_categories,
        via=via,
        commit=commit,
    ).permitted


def log_access(
    session: Session,
    subject_id: int,
    *,
    purpose_id: str,
    actor_id: int | None,
    actor_role: str,
    actor_organisation: str | None = None,
    data_categories: Iterable[str],
    via: str,
    commit: bool = True,
) -> AccessLogEntry:
    """Log a read of ``subject_id``'s data on a public-task purpose without a ledger check.

    For reads whose legitimacy is already settled, e.g. the further reads of a page after one
    ``require`` for ``caseworker_sharing``, or a caseworker reading a profile while handling the
    person's own request. Consent purposes always need ``require`` (``ValueError`` here).
    """
    if purposes.get(purpose_id).consent_based:
        raise ValueError(f"{purpose_id!r} is based on consent; use require() to check it")
    categories, via_value = _validated(purpose_id, data_categories, via)
    return _write(
        session,
        subject_id=subject_id,
        purpose_id=purpose_id,
        actor_id=actor_id,
        actor_role=actor_role,
        actor_organisation=actor_organisation,
        data_categories=categories,
        via=via_value,
        outcome=AccessOutcome.ALLOWED,
        reason=None,
        commit=commit,
    )


def log_refusal(
    session: Session,
    subject_id: int,
    *,
    purpose_id: str,
    actor_id: int | None,
    actor_role: str,
    actor_organisation: str | None = None,
    data_categories: Iterable[str],
    via: str,
    reason: str,
    commit: bool = True,
) -> AccessLogEntry:
    """Log an attempt refused for a reason outside the ledger (e.g. the caseworker is not
    assigned to the person), so the person sees refused attempts too."""
    categories, via_value = _validated(purpose_id, data_categories, via)
    return _write(
        session,
        subject_id=subject_id,
        purpose_id=purpose_id,
        actor_id=actor_id,
        actor_role=actor_role,
        actor_organisation=actor_organisation,
        data_categories=categories,
        via=via_value,
        outcome=AccessOutcome.REFUSED,
        reason=reason[:40],
        commit=commit,
    )
