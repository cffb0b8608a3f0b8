""" "What worked for people like me": where similar jobseekers got hired, k-anonymous.

Similar people share an ISCO sub-major group (first two digits) among their wished occupations.
Only occupations at least ``K_MIN`` different people were hired into are shown, and nothing at
all unless at least ``K_MIN`` similar people contribute; no individual data ever leaves here.

Matching people with others is algorithmic processing of their profiles: a person who opted out
of, or objected to, it is neither shown this aggregate nor counted in anyone else's.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.models import IscoGroup, JobPosting, JobseekerProfile, SavedJob
from app.services import privacy, vocabulary

K_MIN = 10


@dataclass
class OutcomeRow:
    """One occupation similar people were hired into."""

    label: str
    isco_code: str
    people: int


@dataclass
class OutcomeStats:
    """The aggregate shown to the person; empty rows when too few contribute."""

    groups: list[str]
    contributors: int
    rows: list[OutcomeRow] = field(default_factory=list)
    # The person opted out of algorithmic processing: nothing is computed for them.
    opted_out: bool = False

    @property
    def shown(self) -> bool:
        return self.contributors >= K_MIN and bool(self.rows)


def _groups(profile: JobseekerProfile) -> set[str]:
    return {str(o["isco_code"])[:2] for o in profile.wished_occupations if o.get("isco_code")}


def _label(session: Session, isco_code: str) -> str:
    for term in vocabulary.danish_occupations():
        if term.isco_code == isco_code:
            return term.label
    group = session.get(IscoGroup, isco_code)
    return group.label if group else isco_code


def similar_outcomes(*, session: Session, user_id: int, k_min: int = K_MIN) -> OutcomeStats:
    """Where people with the same occupational interests as the person got hired.

    Empty (``opted_out``) for a person who opted out of matching; people who opted out are
    never counted for anyone else.
    """
    if not privacy.matching_allowed(session=session, user_id=user_id):
        return OutcomeStats(groups=[], contributors=0, opted_out=True)
    own = session.exec(select(JobseekerProfile).where(JobseekerProfile.user_id == user_id)).first()
    groups = _groups(own) if own else set()
    if not groups:
        return OutcomeStats(groups=[], contributors=0)
    hired = session.exec(
        select(JobseekerProfile, JobPosting.isco_code)
        .join(SavedJob, col(SavedJob.user_id) == JobseekerProfile.user_id)
        .join(JobPosting, col(JobPosting.id) == SavedJob.posting_id)
        .where(SavedJob.status == "hired", JobseekerProfile.user_id != user_id)
    ).all()
    people_by_code: dict[str, set[int]] = defaultdict(set)
    contributors: set[int] = set()
    allowed: dict[int, bool] = {}
    for profile, isco_code in hired:
        if not (isco_code and _groups(profile) & groups):
            continue
        if profile.user_id not in allowed:
            allowed[profile.user_id] = privacy.matching_allowed(
                session=session, user_id=profile.user_id
            )
        if allowed[profile.user_id]:
            contributors.add(profile.user_id)
            people_by_code[isco_code].add(profile.user_id)
    stats = OutcomeStats(groups=sorted(groups), contributors=len(contributors))
    if len(contributors) < k_min:
        return stats
    stats.rows = sorted(
        (
            OutcomeRow(label=_label(session, code), isco_code=code, people=len(people))
            for code, people in people_by_code.items()
            if len(people) >= k_min
        ),
        key=lambda row: -row.people,
    )
    return stats
