"""Decision support on employment interventions, and a bias audit of who gets which intervention.

The caseworker decides; the algorithm only advises, and never for a citizen who opted out of
algorithmic processing (the caseworker then makes a manual assessment). The advice is descriptive
statistics over pseudonymised historical cases (``InterventionCase``): observational data, so
differences between interventions mix their effect with who was offered them; nothing here is a
causal estimate.

Similar cases share the ISCO major group (first digit) of the citizen's first wished occupation
with an ISCO code and, when it can be derived, the education level. The profile has no age, so the
age band is used only when a caller knows it. Every row shown rests on at least ``K_MIN`` cases
(k-anonymity); smaller groups are left out, never shown with a small count.
"""

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, select

from app.models import InterventionCase, JobseekerProfile
from app.services import privacy

K_MIN = 20
WITHIN_DAYS = 180
INTERVENTIONS = ("internship", "wage_subsidy", "upskilling", "mentor", "job_search_course", "none")
EDUCATION_LEVELS = ("none", "vocational", "short", "bachelor", "master")
AGE_BANDS = ("18-29", "30-49", "50+")
# Interventions with a real employer attached: the ones whose unequal allocation matters most.
STRONG_INTERVENTIONS = ("wage_subsidy", "internship")
FLAG_THRESHOLD = 0.10  # ten percentage points
PROTECTED_ATTRIBUTES = ("gender", "age_band", "origin")
Z_95 = 1.959964

# Keywords in an education title, highest level first; the first level any entry matches wins.
# Danish and English titles both occur in CVs. School-leaving exams alone mean "none"
# (no qualifying education); titles matching nothing leave the level unknown.
_LEVEL_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("master", ("kandidat", "cand.", "master", "ph.d", "phd", "msc", "m.sc")),
    (
        "bachelor",
        (
            "bachelor",
            "diplom",
            "læreruddannelse",
            "sygeplejerske",
            "pædagoguddannelse",
            "socialrådgiver",
            "bsc",
            "b.sc",
        ),
    ),
    ("short", ("erhvervsakademi", "akademiuddannelse", "ap degree", "datamatiker", "økonom")),
    (
        "vocational",
        (
            "erhvervsuddannelse",
            "svendebrev",
            "svend",
            "faglært",
            "eud",
            "vocational",
            "grunduddannelse",
            "social- og sundhed",
            "uddannelse som",
        ),
    ),
    (
        "none",
        ("folkeskole", "studentereksamen", "stx", "hhx", "htx", "hf", "forberedelseseksamen"),
    ),
)


@dataclass(frozen=True)
class Features:
    """What makes historical cases "similar" to a citizen; None means unknown (filter ignored)."""

    isco_major: str | None
    education_level: str | None = None
    age_band: str | None = None


@dataclass
class Advice:
    """Aggregate outcome of one intervention among similar cases."""

    intervention: str
    cases: int
    median_days: float | None  # None: more than half were still unemployed after 365 days
    employed_share: float  # share employed within WITHIN_DAYS
    difference: float | None = None  # employed_share minus that of "none"
    ci_low: float | None = None
    ci_high: float | None = None


@dataclass
class Flag:
    """A group whose share of a strong intervention differs from the overall share."""

    intervention: str
    group_share: float
    overall_share: float

    @property
    def difference(self) -> float:
        return self.group_share - self.overall_share


@dataclass
class GroupRow:
    """One group of a protected attribute in the bias audit."""

    group: str
    cases: int
    shares: dict[str, float]
    employed_share: float
    flags: list[Flag] = field(default_factory=list)


@dataclass
class AttributeAudit:
    """All shown groups of one protected attribute, and how many small groups were suppressed."""

    attribute: str
    groups: list[GroupRow]
    suppressed: int = 0


@dataclass
class BiasAudit:
    """The bias audit: overall intervention shares and one table per protected attribute."""

    cases: int
    overall_shares: dict[str, float]
    overall_employed_share: float
    attributes: list[AttributeAudit] = field(default_factory=list)

    @property
    def flag_count(self) -> int:
        return sum(len(g.flags) for a in self.attributes for g in a.groups)


def education_level(entries: Iterable[dict]) -> str | None:
    """The highest education level named by a profile's education entries, or None if unknown.

    Rule: each entry's title is matched against keyword lists (master > bachelor > short >
    vocational > school only = "none"); the highest level found wins. No entries, or entries
    that match nothing, give None so that the education filter is ignored rather than guessed.
    """
    found: set[str] = set()
    for entry in entries:
        title = f" {str(entry.get('title') or '').lower()} "
        for level, keywords in _LEVEL_KEYWORDS:
            if any(keyword in title for keyword in keywords):
                found.add(level)
                break
    for level in reversed(EDUCATION_LEVELS):
        if level in found:
            return level
    return None


def features_from_profile(profile: JobseekerProfile | None) -> Features:
    """Similarity features of a citizen: ISCO major group of the first coded wished occupation
    and the derived education level. The profile holds no age, so the age band stays unknown."""
    if profile is None:
        return Features(isco_major=None)
    isco = next(
        (str(o["isco_code"]) for o in profile.wished_occupations if o.get("isco_code")), None
    )
    return Features(
        isco_major=isco[0] if isco else None, education_level=education_level(profile.education)
    )


def employed_within(days: Sequence[int | None], limit: int = WITHIN_DAYS) -> float:
    """Share of cases with a job within ``limit`` days (still unemployed counts as not)."""
    if not days:
        return 0.0
    return sum(1 for d in days if d is not None and d <= limit) / len(days)


def median_days(days: Sequence[int | None]) -> float | None:
    """Median days to job, counting "still unemployed" as longer than any observed time.

    None when the median itself falls among the still unemployed (it is then above 365 days).
    """
    if not days:
        return None
    ordered = sorted(days, key=lambda d: math.inf if d is None else d)
    n = len(ordered)
    middle = ordered[(n - 1) // 2 : n // 2 + 1]
    if any(d is None for d in middle):
        return None
    return float(statistics.mean(d for d in middle if d is not None))


def difference_interval(p1: float, n1: int, p0: float, n0: int) -> tuple[float, float, float]:
    """Difference of two proportions with its normal-approximation (Wald) 95 % interval."""
    difference = p1 - p0
    se = math.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0)
    return difference, difference - Z_95 * se, difference + Z_95 * se


def advice(*, session: Session, features: Features, k_min: int = K_MIN) -> list[Advice]:
    """Outcomes per intervention among similar historical cases, fastest median first.

    Returns an empty list without an ISCO major group (no basis for "similar"). Interventions
    with fewer than ``k_min`` similar cases are left out; the comparison with "none" is given
    only when "none" itself has at least ``k_min`` cases.
    """
    if not features.isco_major:
        return []
    query = select(InterventionCase.intervention, InterventionCase.days_to_job).where(
        InterventionCase.isco_major == features.isco_major
    )
    if features.education_level:
        query = query.where(InterventionCase.education_level == features.education_level)
    if features.age_band:
        query = query.where(InterventionCase.age_band == features.age_band)
    days_by: dict[str, list[int | None]] = {}
    for intervention, days in session.exec(query).all():
        days_by.setdefault(intervention, []).append(days)
    rows = [
        Advice(
            intervention=name,
            cases=len(days),
            median_days=median_days(days),
            employed_share=employed_within(days),
        )
        for name, days in days_by.items()
        if len(days) >= k_min
    ]
    baseline = next((r for r in rows if r.intervention == "none"), None)
    if baseline is not None:
        for row in rows:
            if row is not baseline:
                row.difference, row.ci_low, row.ci_high = difference_interval(
                    row.employed_share, row.cases, baseline.employed_share, baseline.cases
                )
    rows.sort(
        key=lambda r: (
            math.inf if r.median_days is None else r.median_days,
            -r.employed_share,
            r.intervention,
        )
    )
    return rows


@dataclass
class CitizenAdvice:
    """The advice shown on a citizen's page and the features it was computed from."""

    features: Features
    rows: list[Advice]


def advice_for_citizen(
    *, session: Session, user_id: int, profile: JobseekerProfile | None
) -> CitizenAdvice | None:
    """Advice for one citizen from their profile; None after an opt-out of, or objection to,
    algorithmic processing: their data is then not used, and the caseworker assesses manually."""
    if not privacy.matching_allowed(session=session, user_id=user_id):
        return None
    features = features_from_profile(profile)
    return CitizenAdvice(features=features, rows=advice(session=session, features=features))


def _shares(interventions: Sequence[str]) -> dict[str, float]:
    counts = Counter(interventions)
    return {name: counts[name] / len(interventions) for name in INTERVENTIONS}


def bias_audit(
    *, session: Session, k_min: int = K_MIN, threshold: float = FLAG_THRESHOLD
) -> BiasAudit:
    """Who is given which intervention, per group of each protected attribute.

    A group is flagged when its share of a strong intervention differs from the overall share by
    more than ``threshold``. Groups with fewer than ``k_min`` cases are suppressed (counted only).
    """
    # sqlmodel types select() for at most four columns; SQLAlchemy takes any number.
    cases = session.exec(
        select(  # type: ignore[call-overload]
            InterventionCase.intervention,
            InterventionCase.days_to_job,
            InterventionCase.gender,
            InterventionCase.age_band,
            InterventionCase.origin,
        )
    ).all()
    if not cases:
        return BiasAudit(cases=0, overall_shares={}, overall_employed_share=0.0)
    overall = _shares([c[0] for c in cases])
    audit = BiasAudit(
        cases=len(cases),
        overall_shares=overall,
        overall_employed_share=employed_within([c[1] for c in cases]),
    )
    for position, attribute in enumerate(PROTECTED_ATTRIBUTES, start=2):
        by_group: dict[str, list[tuple[str, int | None]]] = {}
        for case in cases:
            by_group.setdefault(case[position], []).append((case[0], case[1]))
        table = AttributeAudit(attribute=attribute, groups=[])
        for group in sorted(by_group):
            members = by_group[group]
            if len(members) < k_min:
                table.suppressed += 1
                continue
            shares = _shares([m[0] for m in members])
            table.groups.append(
                GroupRow(
                    group=group,
                    cases=len(members),
                    shares=shares,
                    employed_share=employed_within([m[1] for m in members]),
                    flags=[
                        Flag(name, shares[name], overall[name])
                        for name in STRONG_INTERVENTIONS
                        if abs(shares[name] - overall[name]) > threshold
                    ],
                )
            )
        audit.attributes.append(table)
    return audit
