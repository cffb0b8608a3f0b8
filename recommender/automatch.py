"""The baseline "automatch": Jobnet's rule, for the control arm of the trial and for comparison.

Jobnet matches a jobseeker's wished job titles (stillingsbetegnelser) against posting titles
within a distance, and fills up with postings that ask for no qualifications. Here:

1. Title match: a posting whose title contains all words of a wished title (light-stemmed)
   scores 1, most of them (≥ 60 %) scores their share, and one in the same ESCO occupation as
   a wished one also counts 1. Wishes are the structured ones (as registered on Jobnet);
   without any, the CV's headline and latest job titles are used.
2. Distance: only postings within the commute radius (remote ones pass); without a radius
   none are cut, but nearer ones go first among equal title matches.
3. Top-up: postings that need no qualifications (no education or experience required, or an
   ISCO major group 9 "elementary" occupation), nearest first.

No embeddings, skills or feedback are used (apart from hiding postings said no to), which is the
point of a baseline.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .geo import distances_km
from .index import PostingIndex
from .query import QueryContext, base_mask
from .text import stated_wishes as text_wishes
from .text import term_id, tokens
from .types import ALGORITHM_VERSION, ComponentScore, Explanation, Recommendation

MIN_TITLE_SHARE = 0.6

#: Method names accepted by `Recommender.rank` and the options they stand for.
#: "automatch" is the rule as specified (title words of the wished titles); the variants map
#: wished titles to ESCO occupations as well (a stronger baseline), and also read wishes
#: stated in the CV text.
VARIANTS: dict[str, dict[str, bool]] = {
    "automatch": {"occupations": False},
    "automatch-occupation": {},
    "automatch-stated": {"stated_wishes": True},
}


def _title_match(index: PostingIndex, rows: npt.NDArray, titles: list[str]) -> npt.NDArray:
    """Best share of a wished title's words found in each posting title (0 below the bar)."""
    out = np.zeros(len(rows), dtype=np.float64)
    terms, row_of = index.title_terms.gather(rows)
    for t in titles:
        want = np.array(sorted({term_id(x) for x in tokens(t)}), dtype=np.int32)
        if not len(want):
            continue
        hits = np.zeros(len(rows))
        np.add.at(hits, row_of, np.isin(terms, want))
        share = hits / len(want)
        out = np.maximum(out, np.where(share >= MIN_TITLE_SHARE, share, 0.0))
    return out


def automatch(
    index: PostingIndex,
    ctx: QueryContext,
    k: int = 20,
    *,
    stated_wishes: bool = False,
    occupations: bool = True,
) -> list[Recommendation]:
    """Rank postings by Jobnet's automatch rule; see the module docstring.

    Jobnet matches registered (structured) job wishes, so by default only those count:
    `wished_titles`, wished occupations and interests that name an occupation, else the CV's
    headline and latest job titles. `stated_wishes=True` also reads wishes stated in the
    summary text (reported as "automatch-stated"). `occupations=False` matches title words
    only, without mapping titles to ESCO occupations: the rule as specified for the trial's
    control arm, the method "automatch". Mapping titles to occupations ("automatch-occupation")
    is a stronger baseline, closer to how Jobnet's title taxonomy works; both are reported.
    `ctx` is the person's query context (built without the profile embedding, which the rule
    does not use).
    """
    if index.n == 0 or k <= 0:
        return []
    profile = ctx.profile
    mask = base_mask(index, ctx)
    rows = np.flatnonzero(mask).astype(np.int64)
    if not len(rows):
        return []
    titles = list(profile.wished_titles)
    titles += [i for i in profile.interests if index.vocab.is_occupation_title(i)]
    if stated_wishes:
        titles += text_wishes(profile.summary)
    fields = ["wished_titles"] if titles else []
    if not titles:
        # No registered wish: the CV's headline and latest job titles stand in.
        titles = list(profile.work_titles[:2])
        fields = ["work"] if titles else []
    match = _title_match(index, rows, titles)
    occs = {
        index.esco.occ_index[u] for u in profile.wished_occupation_uris if u in index.esco.occ_index
    }
    if occupations:
        occs |= {o for o in map(index.vocab.occupation_of_title, titles) if o is not None}
    if occs:
        same = np.isin(index.occupation[rows], np.fromiter(occs, dtype=np.int32))
        match = np.maximum(match, same.astype(np.float64))
        fields.append("wished_occupations")
    dist = np.full(len(rows), np.nan)
    if ctx.home is not None:
        g = index.has_geo[rows]
        dist[g] = distances_km(index.xyz[rows][g], ctx.home)
        fields.append("postcode")
        if profile.commute_km:
            fields.append("commute_km")
    # Unknown distance sorts after every known one; remote counts as next door.
    sort_dist = np.where(index.remote[rows], 0.0, np.nan_to_num(dist, nan=1e6))
    no_qual = index.no_qualifications[rows]
    tier = np.where(match > 0, 2, np.where(no_qual, 1, 0))
    keep = tier > 0
    rows, match, dist, sort_dist, tier = (
        rows[keep],
        match[keep],
        dist[keep],
        sort_dist[keep],
        tier[keep],
    )
    order = np.lexsort((sort_dist, -match, -tier))[:k]
    out = []
    for r, j in enumerate(order):
        i = int(rows[j])
        # A score that keeps the rule's order: tier first, then title match, then nearness.
        score = float(tier[j] + 0.5 * match[j] + 0.4 / (1.0 + sort_dist[j] / 10.0))
        d = dist[j]
        comps = [
            ComponentScore("title_match", float(match[j]), float(match[j]), 1.0, float(match[j])),
            ComponentScore("no_qualifications", float(tier[j] == 1), float(tier[j] == 1), 1.0, 0.0),
            ComponentScore(
                "geo",
                -1.0 if np.isnan(d) else float(d),
                0.0,
                0.0,
                0.0,
                active=not np.isnan(d),
                note="distance sorts equal title matches",
            ),
        ]
        p = index.posting_at(i)
        out.append(
            Recommendation(
                posting_id=index.ids[i],
                rank=r + 1,
                score=score,
                title=p.title if p else "",
                employer=p.employer if p else None,
                explanation=Explanation(
                    algorithm_version=ALGORITHM_VERSION,
                    method="automatch",
                    final_score=score,
                    components=comps,
                    distance_km=None if np.isnan(d) else round(float(d), 1),
                    commute_km=profile.commute_km,
                    remote=bool(index.remote[i]),
                    fields_used=fields,
                    interests_matched=["wished_title"] if tier[j] == 2 else ["no_qualifications"],
                    swipes_used=dict(ctx.swipes_used),
                ),
            )
        )
    return out
