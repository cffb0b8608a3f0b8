"""Pseudonymised export for evaluation research and the trial analysis.

Only people who consented to ``research_evaluation`` are included; every read goes through the
consent guard and is access-logged. Identifiers are replaced by keyed HMAC-SHA256 pseudonyms
(the key comes from configuration, never from the database), and free text never leaves.
"""

from collections import Counter
from typing import Any

from sqlmodel import Session, col, select

from app.models import (
    JobPosting,
    JobseekerProfile,
    Postcode,
    Role,
    SavedJob,
    Swipe,
    TrialAssignment,
    User,
)
from app.services import privacy
from consent import guard

CATEGORIES = ("usage", "match_results", "swipe_history", "job_preferences", "trial")


def export_rows(*, session: Session) -> list[dict[str, Any]]:
    """One row per consenting jobseeker: pseudonym, trial arm and aggregate behaviour."""
    pseudonymiser = privacy.pseudonymiser()
    rows = []
    for user_id in session.exec(
        select(User.id).where(User.role == Role.JOBSEEKER).order_by(col(User.id))
    ).all():
        assert user_id is not None  # a stored row
        if not guard.permitted(
            session,
            user_id,
            privacy.RESEARCH,
            actor_id=None,
            actor_role="research",
            data_categories=CATEGORIES,
            via="job",
            commit=False,
        ):
            continue
        profile = session.exec(
            select(JobseekerProfile).where(JobseekerProfile.user_id == user_id)
        ).first()
        home = (
            session.get(Postcode, profile.home_postcode)
            if profile and profile.home_postcode
            else None
        )
        arm = session.get(TrialAssignment, user_id)
        swipes = Counter(
            s.action for s in session.exec(select(Swipe).where(Swipe.user_id == user_id)).all()
        )
        statuses = Counter(
            s.status
            for s in session.exec(select(SavedJob).where(SavedJob.user_id == user_id)).all()
        )
        hired_isco = session.exec(
            select(JobPosting.isco_code)
            .join(SavedJob, col(SavedJob.posting_id) == JobPosting.id)
            .where(SavedJob.user_id == user_id, SavedJob.status == "hired")
        ).first()
        rows.append(
            {
                "pseudonym": pseudonymiser.user(user_id),
                "trial_id": arm.trial_id if arm else None,
                "arm": arm.arm if arm else None,
                "region": home.region if home else None,
                "commute_km": profile.commute_km if profile else None,
                "wished_isco_groups": sorted(
                    {
                        str(o["isco_code"])[:2]
                        for o in (profile.wished_occupations if profile else [])
                        if o.get("isco_code")
                    }
                ),
                "swipes": {action: swipes.get(action, 0) for action in ("yes", "no", "save")},
                "applications": dict(sorted(statuses.items())),
                "hired": hired_isco is not None,
                "hired_isco_group": str(hired_isco)[:2] if hired_isco else None,
            }
        )
    session.commit()  # the access-log rows
    return rows
