"""Demo history: trial arms and recorded application outcomes for the demo jobseekers.

Gives the statistics pages ("what worked for people like me", the trial report) something to
show. Deterministic by seed and idempotent (people who already have saved jobs are skipped).
Both trial arms get the same hire probability: the demo data show no effect, by design.
"""

import random
from datetime import timedelta

from sqlmodel import Session, col, select

from app.models import JobPosting, JobseekerProfile, SavedJob, User, utcnow
from app.services import privacy, trial
from app.services.postings import active_postings_filter

HIRE_PROBABILITY = 0.3
# Share of demo jobseekers who consented to the evaluation: only they are randomised and counted.
RESEARCH_CONSENT_SHARE = 0.7
STATUSES = ("saved", "applied", "interview", "rejected")


def seed_history(*, session: Session, seed: int = 42) -> int:
    """Randomise demo jobseekers into the trial and record 1–4 applications each.

    Returns the number of rows added.
    """
    postings_by_group: dict[str, list[int]] = {}
    for posting_id, isco in session.exec(
        select(JobPosting.id, JobPosting.isco_code)
        .where(active_postings_filter())
        .order_by(col(JobPosting.id))
    ).all():
        assert posting_id is not None  # a stored row
        if isco:
            postings_by_group.setdefault(isco[:2], []).append(posting_id)
    people = session.exec(
        select(User.id, JobseekerProfile)
        .join(JobseekerProfile, col(JobseekerProfile.user_id) == User.id)
        .where(User.is_demo, User.role == "jobseeker")
        .order_by(col(User.id))
    ).all()
    added = 0
    now = utcnow()
    for user_id, profile in people:
        assert user_id is not None  # a stored row
        if session.exec(select(SavedJob.id).where(SavedJob.user_id == user_id)).first() is not None:
            continue
        rng = random.Random(f"{seed}-history-{user_id}")
        if random.Random(f"{seed}-research-{user_id}").random() < RESEARCH_CONSENT_SHARE:
            privacy.record_decision(
                session=session,
                user_id=user_id,
                purpose_id=privacy.RESEARCH,
                action="grant",
                actor_id=user_id,
                actor_role="jobseeker",
            )
        # The demo trial started months ago: randomised then, outcomes recorded since.
        assignment = trial.ensure_assigned(session=session, user_id=user_id)
        started = now - timedelta(days=rng.randint(120, 300))
        if assignment is not None:
            assignment.assigned_at = started
            session.add(assignment)
        groups = [str(o["isco_code"])[:2] for o in profile.wished_occupations if o.get("isco_code")]
        candidates = sorted({pid for g in groups for pid in postings_by_group.get(g, [])})
        if not candidates:
            continue
        chosen = rng.sample(candidates, k=min(len(candidates), rng.randint(1, 4)))
        hired = rng.random() < HIRE_PROBABILITY
        for index, posting_id in enumerate(chosen):
            status = "hired" if hired and index == 0 else rng.choice(STATUSES)
            when = started + timedelta(days=rng.randint(7, 110))
            session.add(
                SavedJob(
                    user_id=user_id,
                    posting_id=posting_id,
                    status=status,
                    created_at=when,
                    updated_at=when,
                )
            )
            added += 1
    session.commit()
    return added
