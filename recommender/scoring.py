"""The second stage: score the candidates on five components and fuse them into one score.

Each component is normalised to [0, 1] per query: semantic (standing of the cosine among the
candidates: logistic of its z-score; E5 cosines sit in a narrow band), lexical (BM25 of the CV
against the posting, standing likewise), skills (share of the posting's ESCO skills the person
has, weighted by skill specificity), geography (soft decay inside the radius) and interests
(wished occupation/title, industry, hours; wishes stated in the summary count, and without any
the latest job titles). A component without data on the person's side is switched off and the
weights of the others rescaled.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .geo import distances_km, geo_score
from .index import PostingIndex
from .query import QueryContext

COMPONENTS = ("semantic", "lexical", "skills", "geo", "interests")


@dataclass(frozen=True)
class Weights:
    """Component weights and ranking knobs (tuned on `eval/`, see docs/evaluation.md)."""

    # Coordinate search on half of eval/ (held-out half within 0.01, see docs/evaluation.md)
    # gave semantic = geo = 2 × lexical = 2 × interests and skills ~0; skills keep a small
    # weight because the portal's CV skills are picked from ESCO, where recognition is exact.
    semantic: float = 0.30
    lexical: float = 0.15
    skills: float = 0.10
    geo: float = 0.30
    interests: float = 0.15
    cg_skill: float = 0.05  # candidate generation: bonus per unit of skill coverage
    cg_occupation: float = 0.03  # candidate generation: bonus for a wished occupation
    rocchio_yes: float = 0.5
    rocchio_no: float = 0.25
    n_candidates: int = 300
    dedup_cosine: float = 0.98

    def of(self, name: str) -> float:
        """Weight of a component by name."""
        return float(getattr(self, name))


METHOD_WEIGHTS: dict[str, dict[str, float]] = {
    "semantic": {"semantic": 1.0, "lexical": 0.0, "skills": 0.0, "geo": 0.0, "interests": 0.0},
    "lexical": {"semantic": 0.0, "lexical": 1.0, "skills": 0.0, "geo": 0.0, "interests": 0.0},
}


def weights_for(method: str, weights: Weights) -> dict[str, float]:
    """Component weights of a method ("hybrid" takes them from `weights`)."""
    if method in METHOD_WEIGHTS:
        return METHOD_WEIGHTS[method]
    if method != "hybrid":
        raise ValueError(f"unknown method {method!r}")
    return {c: weights.of(c) for c in COMPONENTS}


CROSS_LANGUAGE_RELIABILITY = 0.0  # word overlap between two languages says nothing
#: Pseudo-weight of the candidates' mean skill coverage added to every posting's own (about one
#: typical ESCO skill: `PostingIndex.skill_idf` has median 6.6).
SKILL_PRIOR_WEIGHT = 6.0


def standing(x: npt.NDArray) -> npt.NDArray[np.float64]:
    """A score's standing among the candidates in (0, 1): the logistic of its z-score.

    E5 cosines sit in a narrow band and BM25 sums have no fixed scale, so raw values cannot be
    added to other components; the z-score over the query's candidates can, and the logistic
    keeps one outlier from squashing everyone else (as min-max would).
    """
    x = np.asarray(x, dtype=np.float64)
    if len(x) == 0:
        return x
    sd = float(x.std())
    if sd < 1e-12:
        return np.full(len(x), 0.5)
    return 1.0 / (1.0 + np.exp(-(x - float(x.mean())) / sd))


@dataclass
class Candidates:
    """Component values for a set of candidate positions (arrays aligned with `pos`).

    `reliability[c][j]` in [0, 1] says how much component `c` can know about candidate `j`
    (lexical evidence between a CV and an ad in different languages is noise: 0); the fusion
    weighs each component by weight × reliability per candidate.
    """

    pos: npt.NDArray[np.int64]
    raw: dict[str, npt.NDArray]
    value: dict[str, npt.NDArray]
    active: dict[str, bool]
    weights: dict[str, float]
    reliability: dict[str, npt.NDArray]
    final: npt.NDArray
    dist_km: npt.NDArray
    cos0: npt.NDArray
    interests_note: list[list[str]]


def _geography(
    index: PostingIndex, ctx: QueryContext, pos: npt.NDArray
) -> tuple[npt.NDArray, npt.NDArray, npt.NDArray, bool]:
    """Distances (NaN unknown), raw and normalised geography values, and whether it is on."""
    dist = np.full(len(pos), np.nan)
    if ctx.home is None:
        return dist, np.full(len(pos), -1.0), np.zeros(len(pos)), False
    g = index.has_geo[pos]
    dist[g] = distances_km(index.xyz[pos][g], ctx.home)
    gs = np.full(len(pos), 0.5)
    gs[g] = geo_score(dist[g], ctx.profile.commute_km)
    gs[index.remote[pos]] = 1.0
    return dist, np.nan_to_num(dist, nan=-1.0), gs, True


def _interests(
    index: PostingIndex, ctx: QueryContext, pos: npt.NDArray
) -> tuple[npt.NDArray, bool, list[list[str]]]:
    """Interest match per candidate, whether it is on, and which interests matched."""
    parts: list[npt.NDArray] = []
    occ = index.occupation_match(ctx.wished_occ, ctx.wished_isco, pos)
    title = index.containment(index.title_terms, ctx.wished_title_terms, pos)
    if ctx.wished_occ or ctx.wished_isco or ctx.wished_title_terms:
        parts.append(np.maximum(occ, title))
    ind = index.containment(index.industry_terms, ctx.industry_terms, pos)
    if ctx.industry_terms:
        parts.append(ind)
    hrs = index.hours[pos]
    if ctx.hours:
        parts.append(np.where(hrs == 0, 0.5, (hrs == ctx.hours).astype(np.float32)))
    interests = np.mean(parts, axis=0) if parts else np.zeros(len(pos))
    notes: list[list[str]] = [[] for _ in pos]
    for j in range(len(pos)):
        if occ[j] >= 1.0:
            notes[j].append("wished_occupation")
        elif occ[j] > 0:
            notes[j].append("related_occupation")
        if title[j] > 0:
            notes[j].append("wished_title")
        if ind[j] > 0:
            notes[j].append("industry")
        if ctx.hours and hrs[j] == ctx.hours:
            notes[j].append("hours")
    return interests, bool(parts), notes


def components(
    index: PostingIndex, ctx: QueryContext, pos: npt.NDArray, weights: dict[str, float]
) -> Candidates:
    """Score candidate positions on every component and fuse them into `final`."""
    emb = index.embeddings[pos]
    cos = emb @ ctx.q
    cos0 = emb @ ctx.q0 if ctx.q is not ctx.q0 else cos
    raw: dict[str, npt.NDArray] = {}
    val: dict[str, npt.NDArray] = {}
    active: dict[str, bool] = {}

    raw["semantic"] = cos
    val["semantic"] = standing(cos)
    active["semantic"] = True

    lex = index.bm25.score_rows(pos, ctx.lex_ids, ctx.lex_w)
    raw["lexical"] = lex
    val["lexical"] = standing(lex)
    active["lexical"] = len(ctx.lex_ids) > 0

    cov = index.skill_coverage(ctx.skills, pos)
    raw["skills"] = cov
    total = index.skill_total[pos].astype(np.float64)
    has = total > 0
    # A posting in which no skill was recognised gets the candidates' mean, not a penalty; one in
    # which few were is pulled towards that mean (an ad asking only for "English" is no full
    # match for everyone who speaks it): additive smoothing with `SKILL_PRIOR_WEIGHT`.
    neutral = float(cov[has].mean()) if has.any() else 0.0
    val["skills"] = (cov * total + SKILL_PRIOR_WEIGHT * neutral) / (total + SKILL_PRIOR_WEIGHT)
    active["skills"] = len(ctx.skills) > 0

    dist, raw["geo"], val["geo"], active["geo"] = _geography(index, ctx, pos)
    interests, active["interests"], notes = _interests(index, ctx, pos)
    raw["interests"] = val["interests"] = interests

    used = {c: weights.get(c, 0.0) if active[c] else 0.0 for c in COMPONENTS}
    reliability = _reliability(index, ctx, pos)
    return Candidates(
        pos=pos,
        raw=raw,
        value=val,
        active=active,
        weights=used,
        reliability=reliability,
        final=fuse(val, used, reliability),
        dist_km=dist,
        cos0=cos0,
        interests_note=notes,
    )


def _reliability(
    index: PostingIndex, ctx: QueryContext, pos: npt.NDArray
) -> dict[str, npt.NDArray]:
    """How much each component can know about each candidate, in [0, 1].

    Words only meet words of the same language: between a Danish CV and an English ad (or the
    reverse) BM25 and title terms measure noise, so the lexical component counts for nothing
    there, and so does the interest component when the posting's occupation is unknown (its
    title terms are then its only interest evidence). The other components compare vectors,
    ESCO concepts, places and hours, which do not depend on the language.
    """
    ones = np.ones(len(pos), dtype=np.float64)
    out = {c: ones for c in COMPONENTS}
    lang = index.language[pos]
    if ctx.language:
        crossed = (lang != 0) & (lang != ctx.language)
        if crossed.any():
            out["lexical"] = np.where(crossed, CROSS_LANGUAGE_RELIABILITY, 1.0)
            unknown_occ = index.occupation[pos] < 0
            out["interests"] = np.where(crossed & unknown_occ, CROSS_LANGUAGE_RELIABILITY, 1.0)
    return out


def fuse(
    values: dict[str, npt.NDArray],
    used: dict[str, float],
    reliability: dict[str, npt.NDArray] | None = None,
) -> npt.NDArray[np.float64]:
    """Per candidate, the mean of the component values weighted by weight × reliability."""
    n = len(next(iter(values.values())))
    num = np.zeros(n, dtype=np.float64)
    den = np.zeros(n, dtype=np.float64)
    for c in COMPONENTS:
        if not used[c]:
            continue
        w = used[c] * (reliability[c] if reliability is not None else 1.0)
        num += w * np.asarray(values[c], dtype=np.float64)
        den += w
    return np.where(den > 0, num / np.maximum(den, 1e-12), 0.0)
