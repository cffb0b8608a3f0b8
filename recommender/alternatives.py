"""Alternative jobs: occupations in other fields whose essential skills the person largely has.

The person's skills are those recognised in the CV plus the essential ESCO skills of the
occupations named by their work titles (experience implies them). For every ESCO occupation,
the share of its essential skills (and, with less weight, its optional skills) the person holds
is computed in one sparse product, each skill weighted by its
specificity (a skill that half of all occupations require says little). Occupations in the
person's own ISCO-08 sub-major groups (2 digits; from wished occupations and titles, work
titles, or else the occupations of the best-ranked postings) are left out: the point is to
show doors the person may not have thought of. Each alternative lists the skills that transfer
and the essential skills to learn, and carries the best postings for that occupation (same ESCO
occupation, or the same 4-digit ISCO group) ranked by the hybrid ranker.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from .types import Alternative, Profile, Recommendation, SkillRef

if TYPE_CHECKING:
    from .query import QueryContext
    from .ranking import Recommender

MIN_ESSENTIAL_MATCHED = 2  # fewer shared essential skills is too thin to suggest a change
MAX_PER_UNIT_GROUP = 2  # at most this many alternatives from one 4-digit ISCO group
OPTIONAL_WEIGHT = 0.2


def own_groups(rec: Recommender, ctx: QueryContext) -> set[str]:
    """ISCO-08 sub-major groups (2 digits) the person already is in or wishes for."""
    groups = {c[:2] for c in ctx.wished_isco if len(c) >= 2}
    for t in ctx.profile.work_titles:
        o = rec.vocab.occupation_of_title(t)
        if o is not None:
            groups.add(rec.esco.occ_isco[o][:2])
    if not groups and rec.n:
        # Nothing stated: take the field of the postings the ranker finds best for the person.
        top = rec.rank(ctx.profile, k=10, explain=False)
        isco = rec.index.isco
        codes = [int(isco[rec.index.position(r.posting_id)]) for r in top]
        common = Counter(f"{c:04d}"[:2] for c in codes if c >= 0).most_common(1)
        groups |= {g for g, _ in common}
    return groups


def experience_skills(rec: Recommender, profile: Profile, cv_skills: np.ndarray) -> np.ndarray:
    """Skills in the CV plus the essential skills of the occupations the person has worked in.

    Few skills are spelled out in a CV; 35 years as a bricklayer imply a bricklayer's
    essential ESCO skills, and those are what carries over to another occupation.
    """
    held = set(int(s) for s in cv_skills)
    for t in profile.work_titles:
        o = rec.vocab.occupation_of_title(t)
        if o is not None:
            held.update(int(s) for s in rec.esco.essential[o].indices)
    return np.array(sorted(held), dtype=np.int32)


def occupation_scores(
    rec: Recommender, skills: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per occupation: combined score, essential coverage and number of essential skills held."""
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


def find_alternatives(
    rec: Recommender, profile: Profile, k: int = 5, per_occupation: int = 5
) -> list[Alternative]:
    """Up to `k` alternative occupations (best first), each with up to `per_occupation` postings."""
    ctx = rec.context(profile)
    esco = rec.esco
    skills = experience_skills(rec, profile, ctx.skills)
    if len(skills) == 0:
        return []
    score, ess_cov, n_held = occupation_scores(rec, skills)
    own = own_groups(rec, ctx)
    group_of = np.array([c[:2] for c in esco.occ_isco])
    ok = (n_held >= MIN_ESSENTIAL_MATCHED) & ~np.isin(group_of, sorted(own))
    order = [int(o) for o in np.argsort(-score, kind="stable") if ok[o]]
    picked: list[int] = []
    per_unit: Counter[str] = Counter()
    for o in order:
        if per_unit[esco.occ_isco[o]] >= MAX_PER_UNIT_GROUP:
            continue
        picked.append(o)
        per_unit[esco.occ_isco[o]] += 1
        if len(picked) >= k:
            break
    if not picked:
        return []

    postings = _postings_for(rec, profile, picked, per_occupation)
    held = set(int(s) for s in skills)
    out = []
    for o in picked:
        ess = esco.essential[o].indices
        opt = esco.optional[o].indices
        transfer = [int(s) for s in ess if s in held] + [int(s) for s in opt if s in held]
        learn = sorted(
            (int(s) for s in ess if s not in held), key=lambda s: -rec.index.skill_idf[s]
        )
        isco = esco.occ_isco[o]
        out.append(
            Alternative(
                occupation_uri=esco.occ_uris[o],
                label=esco.occ_labels[o],
                label_da=rec.vocab.occ_da_label.get(o),
                isco_code=isco,
                isco_group=isco[:2],
                isco_group_label=esco.isco_groups.get(isco[:2], ""),
                coverage=round(float(ess_cov[o]), 4),
                score=round(float(score[o]), 4),
                transferable_skills=[_ref(rec, s) for s in transfer[:15]],
                skills_to_learn=[_ref(rec, s) for s in learn[:15]],
                postings=postings.get(o, []),
            )
        )
    return out


def _ref(rec: Recommender, s: int) -> SkillRef:
    return SkillRef(uri=rec.vocab.uris[s], label=rec.vocab.label(s))


def _postings_for(
    rec: Recommender, profile: Profile, occs: list[int], per_occupation: int
) -> dict[int, list[Recommendation]]:
    """Hybrid-ranked postings of the chosen occupations, split per occupation."""
    if rec.n == 0 or per_occupation <= 0:
        return {}
    occ_rows = rec.index.occupation
    isco_rows = rec.index.isco.astype(np.int32)
    codes = {o: int(rec.esco.occ_isco[o]) for o in occs if rec.esco.occ_isco[o].isdigit()}
    mask = np.isin(occ_rows, occs) | np.isin(isco_rows, list(codes.values()))
    if not mask.any():
        return {}
    ranked = rec.rank(profile, k=per_occupation * len(occs) * 4, mask=mask)
    out: dict[int, list[Recommendation]] = {o: [] for o in occs}
    for r in ranked:
        i = rec.index.position(r.posting_id)
        o = int(occ_rows[i])
        # An exact occupation wins; otherwise the first chosen occupation in the same ISCO group.
        target = o if o in out else next((x for x in occs if codes.get(x) == isco_rows[i]), None)
        if target is not None and len(out[target]) < per_occupation:
            out[target].append(r)
    for lst in out.values():
        for n, r in enumerate(lst, start=1):
            r.rank = n
    return out
