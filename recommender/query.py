"""One query: what is derived from a profile, and the first stage that picks the candidates.

The context holds the profile vector (precomputed or encoded once) moved Rocchio-style towards
postings the person said yes to (or saved) and away from those they said no to; the skills
recognised in the CV; the BM25 query; the home; postings hidden by a "no"; the wished
occupations, titles and industries and the hours wished for.

The first stage works on the postings that may be shown: alive, not said no to (nor a copy of
one), and inside the commute radius when the person gave one (remote postings and those
without a workplace pass). Only those rows are scored (cosine plus a small bonus for skill
coverage and wished occupation) and the best N kept. Without a radius nothing is cut, but half
of the N places go to the best postings within `DEFAULT_SCALE_KM` of home (or remote): a good
match next door is not lost behind hundreds of look-alikes across the country, which the
geography component would have ranked below it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .compounds import expand_tokens
from .geo import DEFAULT_SCALE_KM, max_dot_for_radius, to_xyz
from .index import LANGUAGE_CODES, LANGUAGE_SAMPLE_WORDS, PostingIndex, hours_class
from .language import detect_language
from .skills import SkillVocabulary
from .text import profile_text, stated_wishes, term_id, tokens
from .types import ConceptKind, ConceptReader, Encoder, InferredConcept, Profile

if TYPE_CHECKING:
    from .scoring import Weights

# Below this share of all rows the first stage scores only the eligible rows (gathering them);
# above it, scoring every row and picking is cheaper than copying most of the matrix.
SUBSET_SHARE = 0.25
NEAR_SHARE = 0.5  # without a radius: share of the candidates kept for postings near home


@dataclass
class QueryContext:
    """Everything derived from a profile once per query."""

    profile: Profile
    q0: npt.NDArray[np.float32]  # profile vector before feedback
    q: npt.NDArray[np.float32]  # after Rocchio feedback
    skills: npt.NDArray[np.int32]  # sorted recognised skill ids
    lex_ids: npt.NDArray
    lex_w: npt.NDArray
    home: npt.NDArray | None  # unit vector of the home, if known
    hidden: npt.NDArray[np.int64]  # positions hidden by a "no"
    skill_set: set[int] = field(default_factory=set)
    wished_occ: set[int] = field(default_factory=set)
    wished_isco: set[str] = field(default_factory=set)
    wished_title_terms: list[npt.NDArray] = field(default_factory=list)
    industry_terms: list[npt.NDArray] = field(default_factory=list)
    hours: int = 0
    swipes_used: dict[str, int] = field(default_factory=dict)
    fields_used: list[str] = field(default_factory=list)
    language: int = 0  # of the CV text, see `index.LANGUAGE_CODES`
    read_occupations: list[str] = field(default_factory=list)  # URIs the concept reader found
    read_skills: list[str] = field(default_factory=list)


def stated_hours(text: str) -> int:
    """Hours wish stated in free text: only the words deltid/fuldtid count (numbers in a CV
    usually describe past jobs)."""
    t = (text or "").lower()
    part, full = "deltid" in t, "fuldtid" in t or "fuld tid" in t
    return 2 if part and not full else 1 if full and not part else 0


def _unit(v: npt.NDArray) -> npt.NDArray[np.float32]:
    n = float(np.linalg.norm(v))
    return (v / n).astype(np.float32) if n > 0 else v.astype(np.float32)


def profile_vector(encoder: Encoder, profile: Profile) -> npt.NDArray[np.float32]:
    """The profile's embedding (given, or encoded from its CV text)."""
    if profile.embedding is not None:
        return _unit(np.asarray(profile.embedding, dtype=np.float32))
    return np.asarray(encoder.encode_queries([profile_text(profile)])[0], np.float32)


def profile_skills(vocab: SkillVocabulary, profile: Profile) -> set[int]:
    """ESCO skill ids recognised in the profile's CV text and skill list."""
    text = "\n".join([profile.summary, *profile.work, *profile.education])
    return vocab.recognise(text, profile.skills)


# Fields of a profile read from its CV text, as the person knows them: all of it is the text.
_READ_FIELDS = {
    "work": "summary",
    "education": "summary",
    "skills": "summary",
    "work_titles": "summary",
    "wished_titles": "stated_wishes",
    "wished_occupations": "stated_wishes",
}


def _as_read_from_text(fields: list[str]) -> list[str]:
    return list(dict.fromkeys(_READ_FIELDS.get(f, f) for f in fields))


def _unread(texts: list[str], known: set[str]) -> list[str]:
    """The distinct non-empty texts not already understood, in order."""
    return [t for t in dict.fromkeys(x.strip() for x in texts) if t and t not in known]


def read_concepts(
    concepts: ConceptReader | None,
    vocab: SkillVocabulary,
    titles: list[str],
    skill_names: list[str],
) -> tuple[dict[int, str], dict[int, str]]:
    """Occupations of job titles and skills of skill names the vocabulary does not know.

    The concept reader (the cross-lingual ESCO label index) gets the leftovers in one batch per
    kind; only its confident matches come back. Returns {ESCO index: the text it was read from}
    for each kind.
    """
    if concepts is None:
        return {}, {}
    titles = _unread(titles, {t for t in titles if vocab.occupation_of_title(t) is not None})
    skill_names = [
        s for s in _unread(skill_names, set()) if not s.startswith(("http://", "https://"))
    ]
    skill_names = [s for s in skill_names if not vocab.recognise(s)]
    occ: dict[int, str] = {}
    for title, matches in zip(
        titles, concepts.occupations(titles, k=1) if titles else [], strict=True
    ):
        occ.update({m.index: title for m in matches if m.index not in occ})
    skills: dict[int, str] = {}
    read = concepts.skills(skill_names, k=1) if skill_names else []
    for name, matches in zip(skill_names, read, strict=True):
        skills.update({m.index: name for m in matches if m.index not in skills})
    return occ, skills


def inferred_concepts(index: PostingIndex, profile: Profile) -> list[InferredConcept]:
    """The ESCO occupations and skills read from the person's own words, each with its source.

    Occupations of the wished and work titles, skills of the skills as written and of the CV
    text; what the person picked from ESCO themselves (a skill's or a wish's URI) is not an
    inference and is left out. Rejected concepts are listed too, marked, so they can be undone.
    """
    vocab, esco = index.vocab, index.esco
    rejected = set(profile.rejected_concepts)
    titles = list(dict.fromkeys([*wished_titles(vocab, profile)[0], *profile.work_titles]))
    picked = {s for s in profile.skills if s.startswith(("http://", "https://"))}
    named = [s for s in profile.skills if s not in picked and s.strip()]
    read_occ, read_skills = read_concepts(index.concepts, vocab, titles, named)
    occ: dict[int, str] = {}
    for t in titles:
        o = vocab.occupation_of_title(t)
        if o is not None:
            occ.setdefault(o, t)
    for o, t in read_occ.items():
        occ.setdefault(o, t)
    skills: dict[int, str] = {}
    for name in named:
        for i in sorted(vocab.recognise("", [name])):
            skills.setdefault(i, name)
    for i in sorted(profile_skills(vocab, replace(profile, skills=[]))):
        skills.setdefault(i, "")
    for i, name in read_skills.items():
        skills.setdefault(i, name)

    def concept(
        kind: ConceptKind, uri: str, label: str, danish: str | None, source: str
    ) -> InferredConcept:
        return InferredConcept(kind, uri, label, danish, source, uri in rejected)

    out = [
        concept("occupation", esco.occ_uris[o], esco.occ_labels[o], vocab.occ_da_label.get(o), t)
        for o, t in occ.items()
    ]
    out += [
        concept("skill", vocab.uris[i], vocab.labels_en[i], vocab.labels_da.get(i), t)
        for i, t in skills.items()
        if vocab.uris[i] not in picked
    ]
    return out


def wished_titles(vocab: SkillVocabulary, profile: Profile) -> tuple[list[str], bool]:
    """The job titles the person wants, and whether they are implied by work history.

    Explicit wished titles, then those stated in the summary, then interests naming an
    occupation. A person who states no wish at all most likely wants to keep doing what
    they did: then the CV's headline and latest job titles stand in.
    """
    titles = list(profile.wished_titles) + stated_wishes(profile.summary)
    titles += [i for i in profile.interests if vocab.is_occupation_title(i)]
    titles = [t for t in titles if t.strip()]
    implied = False
    if not titles and not profile.wished_occupation_uris and not profile.wished_isco_codes:
        titles, implied = [t for t in profile.work_titles[:2] if t.strip()], True
    return list(dict.fromkeys(titles)), implied and bool(titles)


def _term_sets(texts: list[str]) -> list[npt.NDArray]:
    """Sorted hashed term ids of each text, leaving out texts without any."""
    sets = [np.array(sorted({term_id(t) for t in tokens(x)}), dtype=np.int32) for x in texts]
    return [s for s in sets if len(s)]


def build_context(
    index: PostingIndex,
    encoder: Encoder,
    weights: Weights,
    profile: Profile,
    *,
    embed: bool = True,
    read_from_text: bool = False,
) -> QueryContext:
    """Derive the per-query context (vectors, skills, terms, geography, feedback).

    `embed=False` skips the profile embedding (the automatch baseline needs none);
    `read_from_text` says the profile's structure was read from its CV text, so the fields
    used are reported as what they are: the CV text and the wishes written in it.
    """
    vocab, esco = index.vocab, index.esco
    index.inverted_skills()  # brings skill weights and totals up to date after writes
    fields = [name for name in ("summary", "work", "education", "skills") if getattr(profile, name)]
    q0 = profile_vector(encoder, profile) if embed else np.zeros(index.dim, dtype=np.float32)
    q = q0.copy()
    yes = index.positions(profile.swipe_ids("yes"))
    saved = index.positions(profile.swipe_ids("save"))
    no_ids = profile.swipe_ids("no")
    no = index.positions(no_ids)
    emb = index.embeddings
    if yes or saved:
        # A save is a weaker yes: the person is interested but has not committed.
        rows = emb[yes + saved]
        wts = np.array([1.0] * len(yes) + [0.5] * len(saved), dtype=np.float32)
        q = q + weights.rocchio_yes * (wts[:, None] * rows).sum(axis=0) / wts.sum()
    if no:
        q = q - weights.rocchio_no * emb[no].mean(axis=0)
    if yes or saved or no:
        q = _unit(q)
    if profile.swipes:
        fields.append("swipes")
    text = profile_text(profile)
    lex_ids, lex_w = index.bm25.query_weights(expand_tokens(tokens(text)))
    language = detect_language(" ".join(text.split()[:LANGUAGE_SAMPLE_WORDS]))
    coords = (
        (profile.lat, profile.lon)
        if profile.lat is not None and profile.lon is not None
        else index.postcodes.lookup(profile.postcode)
    )
    home = to_xyz(coords[0], coords[1]) if coords else None
    if home is not None:
        fields.append("postcode")
        if profile.commute_km:
            fields.append("commute_km")
    wished_occ = {esco.occ_index[u] for u in profile.wished_occupation_uris if u in esco.occ_index}
    titles, implied = wished_titles(vocab, profile)
    for t in titles:
        o = vocab.occupation_of_title(t)
        if o is not None:
            wished_occ.add(o)
    read_occ, read_skills = read_concepts(index.concepts, vocab, titles, list(profile.skills))
    wished_occ |= set(read_occ)
    # What the person said was read wrongly is never used (`Profile.rejected_concepts`).
    rejected = set(profile.rejected_concepts)
    wished_occ = {o for o in wished_occ if esco.occ_uris[o] not in rejected}
    found = profile_skills(vocab, profile) | set(read_skills)
    skills = vocab.as_array(i for i in found if vocab.uris[i] not in rejected)
    wished_isco = {c for c in profile.wished_isco_codes if c.isdigit()}
    wished_isco |= {esco.occ_isco[o] for o in wished_occ}
    if profile.wished_titles:
        fields.append("wished_titles")
    if implied:
        fields.append("work_titles")
    elif len(titles) > len(profile.wished_titles):
        fields.append("stated_wishes")
    if profile.wished_occupation_uris or profile.wished_isco_codes:
        fields.append("wished_occupations")
    if profile.industries:
        fields.append("industries")
    hours = hours_class(profile.hours) or stated_hours(profile.summary)
    if hours:
        fields.append("hours")
    return QueryContext(
        profile=profile,
        q0=q0,
        q=q,
        skills=skills,
        skill_set=set(skills.tolist()),
        lex_ids=lex_ids,
        lex_w=lex_w,
        home=home,
        hidden=np.array(no, dtype=np.int64),
        wished_occ=wished_occ,
        wished_isco=wished_isco,
        wished_title_terms=_term_sets(titles),
        industry_terms=_term_sets(list(profile.industries)),
        hours=hours,
        swipes_used={"yes": len(yes), "save": len(saved), "no": len(no_ids)},
        fields_used=_as_read_from_text(fields) if read_from_text else fields,
        language=LANGUAGE_CODES.get(language or "", 0),
        read_occupations=[esco.occ_uris[o] for o in read_occ if o in wished_occ],
        read_skills=[vocab.uris[i] for i in read_skills if vocab.uris[i] not in rejected],
    )


# ---------------------------------------------------------------------- eligibility


def _within(index: PostingIndex, home: npt.NDArray, radius_km: float) -> npt.NDArray[np.bool_]:
    """Rows whose workplace lies within `radius_km` of home (a dot-product threshold)."""
    return index.xyz @ home.astype(np.float32) >= max_dot_for_radius(radius_km)


def base_mask(index: PostingIndex, ctx: QueryContext) -> npt.NDArray[np.bool_]:
    """Rows that may be shown: alive, not said no to, within the commute radius.

    Remote postings and those without a known workplace pass the radius.
    """
    mask = index.alive.copy()
    if len(ctx.hidden):
        # The same job from another source is hidden too: "no" means the job, not the copy.
        dupkey = index.dupkey
        keys = dupkey[ctx.hidden]
        keys = keys[keys != 0]
        if len(keys):
            mask &= ~np.isin(dupkey, keys)
        mask[ctx.hidden] = False
    radius = ctx.profile.commute_km
    if ctx.home is not None and radius and radius > 0:
        # A small margin in the dot threshold; the exact km check happens on candidates.
        mask &= _within(index, ctx.home, radius * 1.001) | ~index.has_geo | index.remote
    return mask


# ---------------------------------------------------------------------- first stage


def _best(score: npt.NDArray, n: int) -> npt.NDArray[np.int64]:
    """Indices of the `n` highest scores, best first (ties in a stable order)."""
    n = min(n, len(score))
    top = np.argpartition(-score, n - 1)[:n] if n < len(score) else np.arange(len(score))
    return top[np.argsort(-score[top], kind="stable")].astype(np.int64)


def _best_with_near(score: npt.NDArray, near: npt.NDArray[np.bool_], n: int) -> npt.NDArray:
    """`_best`, but up to `NEAR_SHARE` of the places go to the best of the `near` entries."""
    if n >= len(score):
        return _best(score, n)
    near_idx = np.flatnonzero(near)
    first = near_idx[_best(score[near_idx], int(n * NEAR_SHARE))]
    rest = score.copy()
    rest[first] = -np.inf
    picked = np.concatenate([first, _best(rest, n - len(first))])
    return picked[np.argsort(-score[picked], kind="stable")]


def first_stage_scores(
    index: PostingIndex,
    ctx: QueryContext,
    weights: Weights,
    method: str,
    rows: npt.NDArray | None = None,
) -> npt.NDArray:
    """Cheap scores for a method, of `rows` (or of every row if None): BM25 for "lexical",
    else the cosine, for "hybrid" plus small bonuses for skill coverage and a wished occupation
    or title."""
    if method == "lexical":
        lex = index.bm25.score_all(ctx.lex_ids, ctx.lex_w).astype(np.float32)
        return lex if rows is None else lex[rows]
    score = index.similarity(ctx.q, rows)
    if method != "hybrid":
        return score
    if len(ctx.skills) and weights.cg_skill:
        score += weights.cg_skill * index.skill_coverage(ctx.skills, rows)
    if weights.cg_occupation and (ctx.wished_occ or ctx.wished_isco or ctx.wished_title_terms):
        wished = index.occupation_match(ctx.wished_occ, ctx.wished_isco, rows)
        if ctx.wished_title_terms:
            title = index.containment(index.title_terms, ctx.wished_title_terms, rows)
            wished = np.maximum(wished, title)
        score += weights.cg_occupation * wished
    return score


def candidates(
    index: PostingIndex,
    ctx: QueryContext,
    weights: Weights,
    method: str = "hybrid",
    mask: npt.NDArray[np.bool_] | None = None,
    n: int | None = None,
) -> npt.NDArray[np.int64]:
    """Top-N candidate rows for a method, best first (numpy over the eligible rows only).

    Eligibility (`base_mask`, and `mask` if given) is decided first, so with a commute radius
    only the postings inside it are scored. See the module docstring for the places kept for
    postings near home when there is no radius.
    """
    n = n or weights.n_candidates
    allowed = base_mask(index, ctx)
    if mask is not None:
        allowed &= mask[: index.n]
    rows = np.flatnonzero(allowed)
    if len(rows) == 0:
        return np.zeros(0, dtype=np.int64)
    # Few eligible rows (a commute radius): score just those. Many: score every row and rule
    # out the others, cheaper than copying most of the embedding matrix.
    subset = len(rows) <= SUBSET_SHARE * index.n
    if subset:
        score = first_stage_scores(index, ctx, weights, method, rows)
    else:
        score = np.where(allowed, first_stage_scores(index, ctx, weights, method), -np.inf)
    radius = ctx.profile.commute_km
    if method == "hybrid" and ctx.home is not None and not (radius and radius > 0):
        near = _within(index, ctx.home, DEFAULT_SCALE_KM) | index.remote
        top = _best_with_near(score, near[rows] if subset else near & allowed, n)
    else:
        top = _best(score, n)
    if subset:
        return rows[top]
    return top[np.isfinite(score[top])]
