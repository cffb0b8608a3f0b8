"""Alternative jobs: occupations in other fields that the person can apply for now, nearby.

The search starts from the postings, not from the 3,007 ESCO occupations: an occupation the
person's skills carry over to is only worth showing when someone near them is hiring for it.

1. The postings the person can take are those the ranker may show them (`query.base_mask`:
   alive, inside the commute area or remote, not said no to). Their ESCO occupations are the
   candidates; a posting whose occupation is unknown cannot be an alternative yet.
2. The person's skills are those recognised in the CV plus the essential ESCO skills of the
   occupations named by their work titles (experience implies them). Each candidate gets the
   share of its essential skills (and, with less weight, its optional skills) the person holds,
   each skill weighted by its specificity, in one sparse product.
3. The person's own field is left out: an occupation they have or wish for, and its ISCO-08 unit
   group (4 digits). Coarser groups remove real changes of field: the sub-major group (2 digits)
   puts a bus driver in a truck driver's field and every mechanical engineer in a marine
   engineer's, and the minor group (3 digits) still ties a truck driver to bus and tram driving,
   a move that takes a new licence and is exactly the kind of door the person may not have
   thought of (the figures are in `scripts/alternatives_report.py`).
4. A candidate is plausible when the person holds a fair share of its essential skills
   (`MIN_COVERAGE`, weighted by specificity) including at least `MIN_SPECIFIC_HELD` specific
   ones, so neither a small occupation sharing one skill nor a large one sharing only generic
   skills passes; the best `k` by skill score are kept,
   at most `MAX_PER_UNIT_GROUP` per unit group, each with its best postings by the hybrid
   ranker.
5. When fewer than `k` pass, longer steps fill the list after them: occupations with a smaller
   share of their essential skills held (`REACH_COVERAGE`, at least `REACH_HELD` of them and
   one quite specific, `REACH_SPECIFIC_IDF`), never at a higher ISCO skill level than the
   person's own field nor into a professional (level 4) occupation. The coverage shown with
   each says how long the step is.

Each alternative lists the skills that transfer and the essential skills to learn, both without
near-synonyms (ESCO often has one skill in two wordings) and most specific first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .query import base_mask
from .skills import phrase_key
from .types import Alternative, Profile, Recommendation

if TYPE_CHECKING:
    from .query import QueryContext
    from .ranking import Recommender

#: Least specificity-weighted share of an occupation's essential skills the person must hold.
MIN_COVERAGE = 0.10
#: ...and of those, at least this many specific ones: one shared skill is a coincidence.
MIN_SPECIFIC_HELD = 2
#: Skills at least this specific (`PostingIndex.skill_idf`: in about 115 occupations or fewer)
#: count as a real overlap; more generic ones (teamwork, driving a car, and the research bundle
#: ESCO gives to ~120 academic occupations: "manage research data", "think abstractly") say little.
SPECIFIC_IDF = 3.25
MAX_PER_UNIT_GROUP = 2  # at most this many alternatives from one 4-digit ISCO group
OPTIONAL_WEIGHT = 0.2
OWN_FIELD_DIGITS = 4  # the ISCO-08 level that makes up the person's own field
SKILLS_SHOWN = 15

#: A longer step, offered only after every candidate above: at least this share of the essential
#: skills and one specific skill held. Without it a person whose trade shares few ESCO skills
#: with the occupations hiring nearby (most of them, in a small labour market) sees no
#: alternative at all; with it they see the nearest doors, each with its (low) coverage and the
#: skills to learn.
REACH_COVERAGE = 0.05
REACH_SPECIFIC_HELD = 1
REACH_HELD = 2  # essential skills held of any kind: one shared skill is a coincidence
#: ...and the specific one rarer than `SPECIFIC_IDF` asks (in about 90 occupations or fewer):
#: "act reliably" (107 occupations) and "drive vehicles" make no bookkeeper a delivery driver.
REACH_SPECIFIC_IDF = 3.5
REACH_TOP_LEVEL = 3  # never into a professional occupation (level 4): that takes its degree
#: ISCO-08 skill level of each major group (1 elementary ... 4 professional; managers 3-4 are
#: counted 4) and, in the armed forces, of each sub-major group (officers 4, NCOs 3, other
#: ranks 2). A longer step never goes up a skill level: a midwife's or a psychologist's job
#: needs the degree, whatever skills a support worker shares with it.
ISCO_SKILL_LEVEL = {"1": 4, "2": 4, "3": 3, "4": 2, "5": 2, "6": 2, "7": 2, "8": 2, "9": 1}
ARMED_FORCES_SKILL_LEVEL = {"01": 4, "02": 3, "03": 2}

# ESCO reuse levels from the most specific: occupation-specific, sector-specific, cross-sector,
# transversal (and unknown last).
_REUSE_ORDER = {"o": 0, "s": 1, "c": 2, "t": 3}

# What became of an occupation with postings the person could take.
OWN_OCCUPATION = "own occupation"
OWN_FIELD = "own unit group"
LOW_COVERAGE = "too few of its essential skills held"
CANDIDATE = "candidate"
REACH = "candidate, a longer step"


def isco_skill_level(code: str) -> int | None:
    """The ISCO-08 skill level of an occupation code or prefix (None when it says too little)."""
    if code.startswith("0"):
        return ARMED_FORCES_SKILL_LEVEL.get(code[:2])
    return ISCO_SKILL_LEVEL.get(code[:1])


@dataclass(frozen=True)
class OwnField:
    """The occupations the person has or wishes for, and the ISCO code prefixes of their field."""

    occupations: frozenset[int]
    isco_prefixes: frozenset[str]

    @property
    def skill_level(self) -> int:
        """The highest ISCO skill level of the person's own field (0 when it is unknown)."""
        return max((isco_skill_level(p) or 0 for p in self.isco_prefixes), default=0)

    def verdict(self, occupation: int, isco: str) -> str | None:
        """Why an occupation is the person's own (a reason string), or None if it is not."""
        if occupation in self.occupations:
            return OWN_OCCUPATION
        if any(isco.startswith(p) for p in self.isco_prefixes):
            return OWN_FIELD
        return None


@dataclass
class Screened:
    """Occupations of the postings the person can take, with their skill fit and verdict."""

    occupations: npt.NDArray[np.int32]  # ESCO occupation index
    postings: npt.NDArray[np.int64]  # eligible postings of each
    score: npt.NDArray[np.float64]  # combined skill score, see `occupation_scores`
    coverage: npt.NDArray[np.float64]  # weighted share of essential skills held
    verdicts: list[str]  # CANDIDATE or why it was left out
    unknown_postings: int  # eligible postings whose occupation is unknown

    def candidates(self) -> list[int]:
        """Positions (into the arrays) of the candidates, best skill score first, then the
        longer steps, best first."""
        order = np.lexsort((-self.postings, -self.score))
        return [int(i) for tier in (CANDIDATE, REACH) for i in order if self.verdicts[i] == tier]


def own_field(rec: Recommender, ctx: QueryContext, digits: int | None = None) -> OwnField:
    """The person's own occupations and field (ISCO prefixes of `digits`, default
    `OWN_FIELD_DIGITS`, digits).

    Occupations wished for (titles, ESCO URIs, or implied by the latest work titles when no
    wish is stated) and those named by any work title; wished ISCO codes count at their own
    length when shorter. With none of these, the unit group most common among the postings the
    ranker finds best for the person stands in.
    """
    esco = rec.esco
    occs = set(ctx.wished_occ) | work_occupations(rec, ctx.profile)
    codes = {c for c in ctx.wished_isco if c.isdigit()} | {esco.occ_isco[o] for o in occs}
    if not codes and rec.n:
        top = rec.rank(ctx.profile, k=10, explain=False)
        isco = rec.index.isco
        found = [int(isco[rec.index.position(r.posting_id)]) for r in top]
        codes |= {f"{c:04d}" for c, _ in Counter(c for c in found if c >= 0).most_common(1)}
    digits = digits or OWN_FIELD_DIGITS
    prefixes = frozenset(c[: min(digits, len(c))] for c in codes if c)
    return OwnField(frozenset(occs), prefixes)


def experience_skills(rec: Recommender, profile: Profile, cv_skills: np.ndarray) -> np.ndarray:
    """Skills in the CV plus the essential skills of the occupations the person has worked in.

    Few skills are spelled out in a CV; 35 years as a bricklayer imply a bricklayer's
    essential ESCO skills, and those are what carries over to another occupation.
    """
    held = set(int(s) for s in cv_skills)
    for o in work_occupations(rec, profile):
        held.update(int(s) for s in rec.esco.essential[o].indices)
    return np.array(sorted(held), dtype=np.int32)


def work_occupations(rec: Recommender, profile: Profile) -> set[int]:
    """The ESCO occupations the person's work titles name, less those they said are wrong."""
    rejected = set(profile.rejected_concepts)
    found = (rec.vocab.occupation_of_title(t) for t in profile.work_titles)
    return {o for o in found if o is not None and rec.esco.occ_uris[o] not in rejected}


def occupation_scores(
    rec: Recommender, skills: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per occupation: combined score, essential coverage and number of essential skills held.

    Both coverages weigh each skill by its specificity; the combined score gives the optional
    skills `OPTIONAL_WEIGHT`.
    """
    esco = rec.esco
    n_esco = esco.n_skills
    held = skills[skills < n_esco]
    w = rec.index.skill_idf[:n_esco]
    pv = np.zeros(n_esco, dtype=np.float32)
    pv[held] = w[held]
    ind = np.zeros(n_esco, dtype=np.float32)
    ind[held] = 1.0
    ess_total = esco.essential @ w
    opt_total = esco.optional @ w
    ess_cov = np.where(ess_total > 0, (esco.essential @ pv) / np.maximum(ess_total, 1e-9), 0.0)
    opt_cov = np.where(opt_total > 0, (esco.optional @ pv) / np.maximum(opt_total, 1e-9), 0.0)
    score = (1 - OPTIONAL_WEIGHT) * ess_cov + OPTIONAL_WEIGHT * opt_cov
    return score, ess_cov, esco.essential @ ind


def screen(
    rec: Recommender,
    ctx: QueryContext,
    skills: np.ndarray,
    own: OwnField,
) -> Screened:
    """The occupations of the postings the person can take, each with its fit and verdict."""
    index = rec.index
    occ_rows = index.occupation
    eligible = base_mask(index, ctx)
    known = eligible & (occ_rows >= 0)
    counts = np.bincount(occ_rows[known], minlength=len(rec.esco.occ_uris))
    occs = np.flatnonzero(counts).astype(np.int32)
    score, ess_cov, ess_held = occupation_scores(rec, skills)
    specific = _specific_essentials_held(rec, skills)
    telling = _specific_essentials_held(rec, skills, REACH_SPECIFIC_IDF)
    top_level = min(own.skill_level, REACH_TOP_LEVEL)
    verdicts = []
    for o in occs:
        reason = own.verdict(int(o), rec.esco.occ_isco[o])
        if reason is None and (ess_cov[o] < MIN_COVERAGE or specific[o] < MIN_SPECIFIC_HELD):
            reach = (
                ess_cov[o] >= REACH_COVERAGE
                and telling[o] >= REACH_SPECIFIC_HELD
                and ess_held[o] >= REACH_HELD
                and (isco_skill_level(rec.esco.occ_isco[o]) or 5) <= top_level
            )
            reason = REACH if reach else LOW_COVERAGE
        verdicts.append(reason or CANDIDATE)
    return Screened(
        occupations=occs,
        postings=counts[occs],
        score=score[occs],
        coverage=ess_cov[occs],
        verdicts=verdicts,
        unknown_postings=int((eligible & (occ_rows < 0)).sum()),
    )


def _specific_essentials_held(
    rec: Recommender, skills: np.ndarray, at_least: float = SPECIFIC_IDF
) -> np.ndarray:
    """Per occupation: how many of its essential skills the person holds that are specific
    (`PostingIndex.skill_idf` at least `at_least`)."""
    n_esco = rec.esco.n_skills
    ind = np.zeros(n_esco, dtype=np.float32)
    held = skills[skills < n_esco]
    ind[held[rec.index.skill_idf[held] >= at_least]] = 1.0
    return np.asarray(rec.esco.essential @ ind)


def find_alternatives(
    rec: Recommender, profile: Profile, k: int = 5, per_occupation: int = 5
) -> list[Alternative]:
    """Up to `k` alternative occupations (best first), each with up to `per_occupation` postings.

    Only occupations with postings the person can take are considered (see the module
    docstring); with `per_occupation` ≤ 0 they are returned without their postings.
    """
    if rec.n == 0 or k <= 0:
        return []
    ctx = rec.context(profile)
    skills = experience_skills(rec, profile, ctx.skills)
    if len(skills) == 0:
        return []
    screened = screen(rec, ctx, skills, own_field(rec, ctx))
    ranked = _shortlist(rec, screened, k)
    occs = [int(screened.occupations[i]) for i in ranked]
    postings = _postings_for(rec, profile, occs, per_occupation)
    esco = rec.esco
    held = [int(s) for s in skills]
    held_set = set(held)
    out: list[Alternative] = []
    per_unit: Counter[str] = Counter()
    for i, o in zip(ranked, occs, strict=True):
        isco = esco.occ_isco[o]
        found = postings.get(o, [])
        if (per_occupation > 0 and not found) or per_unit[isco] >= MAX_PER_UNIT_GROUP:
            continue
        per_unit[isco] += 1
        ess, opt = esco.essential[o].indices, esco.optional[o].indices
        transfer = [int(s) for s in ess if s in held_set] + [int(s) for s in opt if s in held_set]
        learn = [int(s) for s in ess if s not in held_set]
        out.append(
            Alternative(
                occupation_uri=esco.occ_uris[o],
                label=esco.occ_labels[o],
                label_da=rec.vocab.occ_da_label.get(o),
                isco_code=isco,
                isco_group=isco[:2],
                isco_group_label=esco.isco_groups.get(isco[:2], ""),
                coverage=round(float(screened.coverage[i]), 4),
                score=round(float(screened.score[i]), 4),
                transferable_skills=[
                    rec.index.skill_ref(s) for s in distinct_skills(rec, transfer)
                ],
                skills_to_learn=[rec.index.skill_ref(s) for s in distinct_skills(rec, learn, held)],
                postings=found,
            )
        )
        if len(out) >= k:
            break
    return out


def distinct_skills(
    rec: Recommender, skills: Sequence[int], known: Sequence[int] = (), limit: int = SKILLS_SHOWN
) -> list[int]:
    """`skills` most specific first, without near-synonyms of each other or of `known`.

    Two skills are one when their display labels are the same, or the preferred label of one
    is the other's preferred or alternative label (after `phrase_key` normalisation). Order:
    ESCO reuse level (occupation-specific first), then skills with a Danish label, then
    specificity.
    """
    vocab, esco = rec.vocab, rec.esco
    idf = rec.index.skill_idf

    def names(s: int) -> set[str]:
        return {phrase_key(vocab.label(s)), phrase_key(vocab.labels_en[s])} - {""}

    def alt_names(s: int) -> set[str]:
        alts = esco.skill_alt[s] if s < esco.n_skills else []
        return {phrase_key(a) for a in alts} - {""}

    def specificity(s: int) -> tuple[int, int, float]:
        reuse = esco.skill_reuse[s] if s < esco.n_skills else "-"
        return (_REUSE_ORDER.get(reuse, 4), s not in vocab.labels_da, -float(idf[s]))

    seen, seen_alt = set(), set()
    for s in known:
        seen |= names(s)
        seen_alt |= alt_names(s)
    out: list[int] = []
    for s in sorted(dict.fromkeys(skills), key=specificity):
        own, alts = names(s), alt_names(s)
        if own & (seen | seen_alt) or alts & seen:
            continue
        out.append(s)
        seen |= own
        seen_alt |= alts
        if len(out) >= limit:
            break
    return out


def _shortlist(rec: Recommender, screened: Screened, k: int) -> list[int]:
    """The best candidates worth ranking postings for: 3k, at most twice the unit-group cap each.

    Spares, because a posting just inside the margin of the radius test may fail the exact
    distance check and leave its occupation without postings.
    """
    out: list[int] = []
    per_unit: Counter[str] = Counter()
    for i in screened.candidates():
        isco = rec.esco.occ_isco[screened.occupations[i]]
        if per_unit[isco] < 2 * MAX_PER_UNIT_GROUP:
            per_unit[isco] += 1
            out.append(i)
            if len(out) >= 3 * k:
                break
    return out


def _postings_for(
    rec: Recommender, profile: Profile, occs: list[int], per_occupation: int
) -> dict[int, list[Recommendation]]:
    """Hybrid-ranked postings of the chosen occupations, split per occupation.

    A posting coded with only an ISCO unit group goes to the first chosen occupation in it.
    """
    if not occs or per_occupation <= 0:
        return {}
    occ_rows = rec.index.occupation
    isco_rows = rec.index.isco.astype(np.int32)
    codes = {o: int(rec.esco.occ_isco[o]) for o in occs if rec.esco.occ_isco[o].isdigit()}
    mask = np.isin(occ_rows, occs) | ((occ_rows < 0) & np.isin(isco_rows, list(codes.values())))
    if not mask.any():
        return {}
    ranked = rec.rank(profile, k=per_occupation * len(occs) * 2, mask=mask)
    out: dict[int, list[Recommendation]] = {o: [] for o in occs}
    for r in ranked:
        i = rec.index.position(r.posting_id)
        o = int(occ_rows[i])
        target = o if o in out else next((x for x in occs if codes.get(x) == isco_rows[i]), None)
        if target is not None and len(out[target]) < per_occupation:
            out[target].append(r)
    for lst in out.values():
        for n, r in enumerate(lst, start=1):
            r.rank = n
    return out
