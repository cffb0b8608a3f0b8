"""The randomised controlled trial built into the portal, and its legal basis.

Jobseekers are randomised 1:1 to **treatment** (the hybrid recommender) or **control** (Jobnet's
automatch rule, today's practice), in permuted blocks within strata (their jobcentre), so the arms
stay balanced per jobcentre. The block order comes from an HMAC of the trial, stratum and block
number under the pseudonymisation key: reproducible for an audit, unpredictable without the key
(allocation concealment).

Only participants are randomised and counted. Who participates depends on the configured legal
basis (``TRIAL_LEGAL_BASIS``): with ``"consent"`` (the default) only people who currently consent
to the research purpose; with ``"public_task"`` everyone, under the statutory basis named in
``TRIAL_LEGAL_REFERENCE`` (without one nobody is randomised). Nobody who opted out of, or objected
to, matching takes part. Everyone else gets the portal's standard service, the hybrid
recommender, exactly like the treatment arm, and is never counted. Randomisation happens only
where data is written (a ranking in the background or by the scheduler), never on a page view.
A person who withdraws their research consent leaves the trial: the assignment row stays for the
audit of the allocation sequence, but it no longer chooses their service and is not counted.

The analysis uses aggregates only: hires per arm, the difference in hire rates with a 95 %
confidence interval, and days from randomisation to hire.
"""

import hashlib
import hmac
import math
import random
import statistics
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.models import JobseekerProfile, SavedJob, TrialAssignment
from app.services import privacy
from consent import ledger

ARMS = ("treatment", "control")
CONSENT_BASIS = "consent"
PUBLIC_TASK_BASIS = "public_task"
LEGAL_BASES = (CONSENT_BASIS, PUBLIC_TASK_BASIS)


def _block(trial_id: str, stratum: str, block_number: int, block_size: int) -> list[str]:
    key = bytes.fromhex(current_app.config["PSEUDONYM_KEY"])
    digest = hmac.new(key, f"{trial_id}|{stratum}|{block_number}".encode(), hashlib.sha256).digest()
    arms = [ARMS[i % 2] for i in range(block_size)]
    random.Random(digest).shuffle(arms)
    return arms


def stratum_of(*, session: Session, user_id: int) -> str:
    """The randomisation stratum: the person's jobcentre."""
    centre = session.exec(
        select(JobseekerProfile.jobcentre_id).where(JobseekerProfile.user_id == user_id)
    ).first()
    return f"jobcentre-{centre}" if centre else "none"


def legal_basis() -> str | None:
    """The configured basis for randomising, or None when the trial cannot run lawfully.

    None when the trial is switched off, the basis is unknown, or ``public_task`` is chosen
    without naming the statutory provision (a public task must rest on a law the person can
    look up).
    """
    config = current_app.config
    basis = config.get("TRIAL_LEGAL_BASIS", CONSENT_BASIS)
    if not config.get("TRIAL_ENABLED") or basis not in LEGAL_BASES:
        return None
    if basis == PUBLIC_TASK_BASIS and not str(config.get("TRIAL_LEGAL_REFERENCE") or "").strip():
        return None
    return basis


@dataclass(frozen=True)
class LegalBasisRecord:
    """The trial as the record of processing describes it."""

    trial_id: str
    running: bool
    basis: str | None  # CONSENT_BASIS, PUBLIC_TASK_BASIS, or None when nobody is randomised
    reference: str  # the statutory provision for PUBLIC_TASK_BASIS, as configured


def legal_basis_record() -> LegalBasisRecord:
    """The configured legal basis for the record-of-processing page (the same check the
    randomisation uses, so page and code cannot disagree)."""
    basis = legal_basis()
    return LegalBasisRecord(
        trial_id=current_app.config["TRIAL_ID"],
        running=basis is not None,
        basis=basis,
        reference=str(current_app.config.get("TRIAL_LEGAL_REFERENCE") or "").strip(),
    )


def participates(*, session: Session, user_id: int) -> bool:
    """Does the person take part in the trial right now (legal basis, no opt-out)? Read-only."""
    basis = legal_basis()
    if basis is None or not privacy.matching_allowed(session=session, user_id=user_id):
        return False
    return basis == PUBLIC_TASK_BASIS or ledger.is_permitted(session, user_id, privacy.RESEARCH)


def current_arm(*, session: Session, user_id: int) -> TrialAssignment | None:
    """The person's arm if they take part now; None otherwise. Never randomises (page views)."""
    if not participates(session=session, user_id=user_id):
        return None
    return session.exec(
        select(TrialAssignment).where(
            TrialAssignment.user_id == user_id,
            TrialAssignment.trial_id == current_app.config["TRIAL_ID"],
        )
    ).first()


def ensure_assigned(*, session: Session, user_id: int) -> TrialAssignment | None:
    """The participant's arm, randomised on first use; None for everyone outside the trial.

    Call it only where data is written (ranking in the background or by the scheduler). An
    assignment kept from an earlier participation is reused, never redrawn.
    """
    if not participates(session=session, user_id=user_id):
        return None
    existing = session.get(TrialAssignment, user_id)
    if existing is not None:
        # One row per person: a draw in another trial keeps them out of this one.
        return existing if existing.trial_id == current_app.config["TRIAL_ID"] else None
    config = current_app.config
    trial_id, block_size = config["TRIAL_ID"], int(config["TRIAL_BLOCK_SIZE"])
    stratum = stratum_of(session=session, user_id=user_id)
    for _attempt in range(3):
        n = session.exec(
            select(func.count()).where(
                TrialAssignment.trial_id == trial_id, TrialAssignment.stratum == stratum
            )
        ).one()
        arm = _block(trial_id, stratum, n // block_size, block_size)[n % block_size]
        assignment = TrialAssignment(user_id=user_id, trial_id=trial_id, arm=arm, stratum=stratum)
        session.add(assignment)
        try:
            session.commit()
            return assignment
        except IntegrityError:  # a concurrent request randomised the same person first
            session.rollback()
            existing = session.get(TrialAssignment, user_id)
            if existing is not None:
                return existing
    return None


@dataclass
class ArmResult:
    """Outcomes of one arm."""

    arm: str
    n: int
    hired: int
    days_to_hire: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.hired / self.n if self.n else 0.0

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days_to_hire) if self.days_to_hire else None


@dataclass
class TrialReport:
    """The aggregate analysis shown to administrators."""

    trial_id: str
    arms: dict[str, ArmResult]
    difference: float | None
    ci_low: float | None
    ci_high: float | None


def report(*, session: Session) -> TrialReport:
    """Hire rate per arm and the treatment-minus-control difference with a 95 % Wald interval.

    Counts only assignments whose owner takes part now: a withdrawn research consent (or an
    opt-out of matching) removes the person from every new analysis.
    """
    trial_id = current_app.config["TRIAL_ID"]
    arms = {arm: ArmResult(arm=arm, n=0, hired=0) for arm in ARMS}
    assignments = [
        assignment
        for assignment in session.exec(
            select(TrialAssignment).where(TrialAssignment.trial_id == trial_id)
        ).all()
        if participates(session=session, user_id=assignment.user_id)
    ]
    hires = {
        user_id: updated
        for user_id, updated in session.exec(
            select(SavedJob.user_id, func.min(SavedJob.updated_at))
            .where(SavedJob.status == "hired")
            .group_by(col(SavedJob.user_id))
        ).all()
    }
    for assignment in assignments:
        result = arms[assignment.arm]
        result.n += 1
        hired_at = hires.get(assignment.user_id)
        if hired_at is not None:
            result.hired += 1
            result.days_to_hire.append(
                max(0.0, (hired_at - assignment.assigned_at).total_seconds() / 86400)
            )
    treatment, control = arms["treatment"], arms["control"]
    if treatment.n and control.n:
        difference = treatment.rate - control.rate
        se = math.sqrt(
            treatment.rate * (1 - treatment.rate) / treatment.n
            + control.rate * (1 - control.rate) / control.n
        )
        return TrialReport(
            trial_id, arms, difference, difference - 1.96 * se, difference + 1.96 * se
        )
    return TrialReport(trial_id, arms, None, None, None)
