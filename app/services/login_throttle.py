"""Throttling of local password logins, per account and per client address, in the database.

Rate limits in a worker's memory reset on every restart and count per worker; these rows are
shared by every worker and survive restarts, on SQLite and PostgreSQL alike. Each row is one
failed (or still running) attempt, keyed by keyed pseudonyms (HMAC-SHA256 with the pseudonym
key) of the normalised e-mail and of the client address: the table never holds an e-mail of
an unknown account, nor an IP address, and a copy of the database alone cannot reverse them.

The policy: from the ``free_failures``-th failure within ``window`` on, the next try must wait
``base_delay``, doubling with each further failure up to ``max_delay`` (the temporary lock).
A successful login clears the account's streak, but not the address's: one valid account must
not let an attacker reset the counter of the address it guesses other accounts from.

An attempt is written *before* the password is checked and removed again when it succeeds, so
parallel guesses in several workers see each other while the slow password hash runs.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.models import LoginAttempt, utcnow
from consent.pseudonym import Pseudonymiser


@dataclass(frozen=True)
class Policy:
    """How many failures are free and how the wait grows after them."""

    free_failures: int
    base_delay: timedelta
    max_delay: timedelta

    def delay_after(self, failures: int) -> timedelta | None:
        """The wait after ``failures`` failures in the window, or None when none is needed."""
        if failures < self.free_failures:
            return None
        # Cap the exponent first: 2 ** 10_000 seconds would overflow timedelta.
        doublings = min(failures - self.free_failures, 32)
        return min(self.base_delay * 2**doublings, self.max_delay)


@dataclass(frozen=True)
class Limits:
    """The per-account and per-address policies and how far back failures count."""

    account: Policy
    address: Policy
    window: timedelta

    @classmethod
    def from_config(cls, config: Any) -> "Limits":
        """Read the ``LOGIN_THROTTLE_*`` settings."""
        base = timedelta(seconds=config["LOGIN_THROTTLE_BASE_SECONDS"])
        ceiling = timedelta(seconds=config["LOGIN_THROTTLE_MAX_SECONDS"])
        return cls(
            account=Policy(config["LOGIN_THROTTLE_ACCOUNT_FAILURES"], base, ceiling),
            address=Policy(config["LOGIN_THROTTLE_ADDRESS_FAILURES"], base, ceiling),
            window=timedelta(hours=config["LOGIN_THROTTLE_WINDOW_HOURS"]),
        )


@dataclass(frozen=True)
class Keys:
    """The pseudonymous keys of one login: the account (e-mail) and the client address."""

    account: str
    address: str

    @classmethod
    def of(cls, pseudonymiser: Pseudonymiser, *, email: str, address: str | None) -> "Keys":
        """Keys for an e-mail as typed (normalised here) and a client address."""
        return cls(
            account=pseudonymiser.pseudonym("login_account", email.strip().casefold()),
            address=pseudonymiser.pseudonym("login_address", address or "unknown"),
        )


@dataclass(frozen=True)
class Verdict:
    """Whether a login may be tried now; if not, from when and why."""

    retry_at: datetime | None = None
    scope: str | None = None  # "account" or "address"

    @property
    def allowed(self) -> bool:
        return self.retry_at is None


def _wait_until(
    session: Session, column: Any, key: str, policy: Policy, since: datetime
) -> datetime | None:
    failures, latest = session.exec(
        select(func.count(), func.max(LoginAttempt.created_at)).where(
            column == key, LoginAttempt.created_at >= since
        )
    ).one()
    delay = policy.delay_after(failures)
    if delay is None or latest is None:
        return None
    return latest + delay


def check(*, session: Session, keys: Keys, limits: Limits, now: datetime | None = None) -> Verdict:
    """May this account be tried from this address now? The later of the two waits wins."""
    now = now or utcnow()
    since = now - limits.window
    account = _wait_until(session, LoginAttempt.account_key, keys.account, limits.account, since)
    address = _wait_until(session, LoginAttempt.address_key, keys.address, limits.address, since)
    waits = [
        (until, scope)
        for until, scope in ((account, "account"), (address, "address"))
        if until is not None and until > now
    ]
    if not waits:
        return Verdict()
    until, scope = max(waits)
    return Verdict(retry_at=until, scope=scope)


def begin(*, session: Session, keys: Keys) -> int:
    """Record an attempt before the secret is checked; it counts as a failure unless removed."""
    attempt = LoginAttempt(account_key=keys.account, address_key=keys.address)
    session.add(attempt)
    session.commit()
    assert attempt.id is not None
    return attempt.id


def passed(*, session: Session, attempt_id: int) -> None:
    """This attempt's secret was right: it is no failure (the streak stays until fully in)."""
    session.execute(delete(LoginAttempt).where(col(LoginAttempt.id) == attempt_id))
    session.commit()


def clear_account(*, session: Session, keys: Keys) -> None:
    """A complete login ends the account's failure streak (the address keeps its count)."""
    session.execute(delete(LoginAttempt).where(col(LoginAttempt.account_key) == keys.account))
    session.commit()


def purge_login_attempts(*, session: Session, older_than: timedelta) -> int:
    """Retention: delete attempts older than ``older_than`` (at least the throttle window)."""
    cutoff = utcnow() - older_than
    result = session.exec(delete(LoginAttempt).where(col(LoginAttempt.created_at) < cutoff))
    session.commit()
    return result.rowcount or 0
