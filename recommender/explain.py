"""Why a posting was suggested: the `Explanation` of a chosen candidate.

Each component's raw value, normalised value, weight and contribution; the skills the person
has and lacks (most specific first); distance, interests matched, which profile fields were
used and how much swipes moved the score.
"""

from __future__ import annotations

import math

from .index import PostingIndex
from .query import QueryContext
from .scoring import COMPONENTS, Candidates
from .types import ALGORITHM_VERSION, ComponentScore, Explanation, Recommendation

SKILLS_SHOWN = 12


def bare_recommendation(
    index: PostingIndex, cands: Candidates, j: int, rank: int, method: str
) -> Recommendation:
    """Candidate `j` as a recommendation with only its final score (no explanation work)."""
    score = float(cands.final[j])
    return Recommendation(
        index.ids[int(cands.pos[j])], rank, score, Explanation(ALGORITHM_VERSION, method, score)
    )


def _component_scores(cands: Candidates, j: int) -> list[ComponentScore]:
    effective = {c: cands.weights[c] * float(cands.reliability[c][j]) for c in COMPONENTS}
    total = sum(effective.values()) or 1.0
    out = []
    for c in COMPONENTS:
        wt = effective[c]
        v = float(cands.value[c][j])
        out.append(
            ComponentScore(
                name=c,
                raw=float(cands.raw[c][j]),
                value=round(v, 6),
                weight=round(wt, 6),
                contribution=round(wt / total * v, 6),
                active=cands.active[c] and wt > 0,
                note="other_language" if cands.weights[c] > 0 and wt == 0 else "",
            )
        )
    return out


def recommendation(
    index: PostingIndex,
    ctx: QueryContext,
    cands: Candidates,
    j: int,
    rank: int,
    method: str,
    merged_ids: list[str],
) -> Recommendation:
    """Candidate `j` as a recommendation with its full explanation."""
    i = int(cands.pos[j])
    p = index.posting_at(i)
    held = ctx.skill_set
    w = index.skill_weights
    post_sk = [s for s in index.skills.row(i).tolist() if w[s] > 0]
    # Most specific skills first: they say most about the match and the gap.
    post_sk.sort(key=lambda s: -w[s])
    matched = [s for s in post_sk if s in held]
    missing = [s for s in post_sk if s not in held]
    d = cands.dist_km[j]
    expl = Explanation(
        algorithm_version=ALGORITHM_VERSION,
        method=method,
        final_score=round(float(cands.final[j]), 6),
        components=_component_scores(cands, j),
        matched_skills=[index.skill_ref(s) for s in matched[:SKILLS_SHOWN]],
        missing_skills=[index.skill_ref(s) for s in missing[:SKILLS_SHOWN]],
        distance_km=None if math.isnan(d) else round(float(d), 1),
        commute_km=ctx.profile.commute_km,
        remote=bool(index.remote[i]),
        fields_used=list(ctx.fields_used),
        interests_matched=cands.interests_note[j],
        swipe_influence=round(float(cands.raw["semantic"][j] - cands.cos0[j]), 6),
        swipes_used=dict(ctx.swipes_used),
        merged_posting_ids=merged_ids,
    )
    return Recommendation(
        posting_id=index.ids[i],
        rank=rank,
        score=float(cands.final[j]),
        explanation=expl,
        title=p.title if p else "",
        employer=p.employer if p else None,
    )
