"""The hybrid, explainable ranker: `Recommender.rank(profile, k)`.

Index time (once per posting): the passage embedding (a row of one float32 matrix), the ESCO
skills recognised in the posting (a sparse row), BM25 term weights, the workplace as a unit
vector, the occupation (given, or inferred from the title), title and industry terms, hours and
a duplicate key. Nothing at query time loops in Python over all postings.

Query time:

1. The profile vector (precomputed or encoded once), moved Rocchio-style towards postings the
   person said yes to (or saved) and away from those they said no to.
2. Candidate generation over every posting with numpy: cosine + a small bonus for skill
   coverage and wished occupation; postings said no to, removed ones and those beyond the
   commute radius (remote jobs excepted) are masked out; `argpartition` keeps the top N.
3. Rerank the N candidates on five components, each normalised to [0, 1] per query:
   semantic (standing of the cosine among the candidates: logistic of its z-score; E5 cosines
   sit in a narrow band), lexical (BM25 of the CV against the posting, standing likewise),
   skills (share of the posting's ESCO skills the person has, weighted by skill specificity),
   geography (soft decay inside the radius) and interests (wished occupation/title, industry,
   hours; wishes stated in the summary count, and without any the latest job titles). A component
   without data on the person's side is switched off and the weights of the others rescaled.
4. Near-duplicates (same normalised title + employer + postcode, or cosine > 0.98) are merged
   into the best-scored copy, then the top k get an `Explanation`.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .esco import EscoData
from .geo import Postcodes, danish_postcodes, distances_km, geo_score, max_dot_for_radius, to_xyz
from .skills import SkillVocabulary, default_vocabulary
from .text import (
    BM25Index,
    GrowableArray,
    gather_rows,
    posting_text,
    profile_text,
    stated_wishes,
    term_id,
    title_key,
    tokens,
)
from .types import (
    ALGORITHM_VERSION,
    Alternative,
    ComponentScore,
    Encoder,
    Explanation,
    Posting,
    Profile,
    Recommendation,
    SkillRef,
)

COMPONENTS = ("semantic", "lexical", "skills", "geo", "interests")
BOILERPLATE_SHARE = 0.2  # a skill found in more postings than this says nothing about fit

_NO_QUALIFICATIONS = re.compile(
    r"ingen (?:særlige )?(?:krav|uddannelseskrav|erfaring)|ufaglært|uden uddannelse"
    r"|kræver ingen (?:uddannelse|erfaring)|no (?:experience|qualifications) (?:required|needed)"
    r"|oplæring (?:gives|sker) på jobbet|vi oplærer dig",
    re.IGNORECASE,
)
_HOURS_NUM = re.compile(r"(\d{1,2})(?:[.,]\d+)?\s*(?:t|timer|hours|h)\b")


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


def hours_class(text: str | None) -> int:
    """0 unknown/either, 1 full time, 2 part time (from Danish/English words or hours a week)."""
    if not text:
        return 0
    t = text.lower()
    full = any(w in t for w in ("fuldtid", "full_time", "full time", "full-time", "fuld tid"))
    part = any(w in t for w in ("deltid", "part_time", "part time", "part-time", "del tid"))
    if full and not part:
        return 1
    if part and not full:
        return 2
    m = _HOURS_NUM.search(t) or re.fullmatch(r"\s*(\d{1,2})(?:[.,]\d+)?\s*", t)
    if m and not (full or part):
        return 1 if int(m.group(1)) >= 30 else 2
    return 0


def stated_hours(text: str) -> int:
    """Hours wish stated in free text: only the words deltid/fuldtid count (numbers in a CV
    usually describe past jobs)."""
    t = (text or "").lower()
    part, full = "deltid" in t, "fuldtid" in t or "fuld tid" in t
    return 2 if part and not full else 1 if full and not part else 0


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


def _unit(v: npt.NDArray) -> npt.NDArray[np.float32]:
    n = float(np.linalg.norm(v))
    return (v / n).astype(np.float32) if n > 0 else v.astype(np.float32)


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


@dataclass
class Candidates:
    """Component values for a set of candidate positions (arrays aligned with `pos`)."""

    pos: npt.NDArray[np.int64]
    raw: dict[str, npt.NDArray]
    value: dict[str, npt.NDArray]
    active: dict[str, bool]
    weights: dict[str, float]
    final: npt.NDArray
    dist_km: npt.NDArray
    cos0: npt.NDArray
    interests_note: list[list[str]]


class _Ragged:
    """Append-only rows of int32 values in CSR layout."""

    def __init__(self) -> None:
        self.indptr = GrowableArray(np.int32)  # < 2^31 entries: ample
        self.indptr.extend([0])
        self.values = GrowableArray(np.int32)

    def append(self, values: npt.ArrayLike) -> None:
        self.values.extend(values)
        self.indptr.extend([self.values.n])

    def trim(self) -> None:
        self.indptr.trim()
        self.values.trim()

    def row(self, i: int) -> npt.NDArray:
        ip = self.indptr.view
        return self.values.view[ip[i] : ip[i + 1]]

    def nbytes(self) -> int:
        return self.indptr.nbytes() + self.values.nbytes()


class Recommender:
    """An updatable index of postings that ranks them for a profile and explains why.

    Build with `Recommender(encoder)` then `add(postings)`, or `Recommender.build(...)`. Pass
    `embeddings` to `add` when passage vectors are already known (from a cache or a database).
    Writes (`add`, `remove`) take a lock; queries read without one, so a portal that writes
    while serving should rebuild in a job and swap the object.
    """

    def __init__(
        self,
        encoder: Encoder,
        *,
        vocabulary: SkillVocabulary | None = None,
        postcodes: Postcodes | None = None,
        weights: Weights | None = None,
        dim: int | None = None,
    ) -> None:
        self.encoder = encoder
        self.vocab = vocabulary or default_vocabulary()
        self.esco: EscoData = self.vocab.esco
        self.postcodes = postcodes if postcodes is not None else danish_postcodes()
        self.weights = weights or Weights()
        self.dim = int(dim or encoder.dim)
        self._lock = threading.RLock()
        self.n = 0  # rows used (alive or not)
        self._cap = 0
        self._emb = np.zeros((0, self.dim), dtype=np.float32)
        self._xyz = np.zeros((0, 3), dtype=np.float32)
        self._alive = np.zeros(0, dtype=bool)
        self._has_geo = np.zeros(0, dtype=bool)
        self._remote = np.zeros(0, dtype=bool)
        self._no_qual = np.zeros(0, dtype=bool)
        self._occ = np.zeros(0, dtype=np.int32)
        self._isco = np.zeros(0, dtype=np.int16)
        self._hours = np.zeros(0, dtype=np.int8)
        self._dupkey = np.zeros(0, dtype=np.uint32)
        self._skill_total = np.zeros(0, dtype=np.float32)
        self._ids: list[str] = []
        self._postings: list[Posting | None] = []
        self._pos: dict[str, int] = {}
        self._skills = _Ragged()
        self._title_terms = _Ragged()
        self._industry_terms = _Ragged()
        self.bm25 = BM25Index()
        self._inverted: tuple[npt.NDArray, npt.NDArray] | None = None
        self.skill_idf = self._skill_specificity()
        self._skill_w = self.skill_idf  # effective weights, see inverted_skills()
        self._occ_isco = self.esco.occ_isco_array()

    # ------------------------------------------------------------------ building the index

    @classmethod
    def build(
        cls,
        postings: Sequence[Posting],
        encoder: Encoder,
        embeddings: npt.NDArray | None = None,
        **kwargs: object,
    ) -> Recommender:
        """A recommender indexing `postings` (embedding them unless `embeddings` is given)."""
        rec = cls(encoder, **kwargs)  # type: ignore[arg-type]
        rec.add(postings, embeddings)
        return rec

    def _skill_specificity(self) -> npt.NDArray[np.float32]:
        """Weight of each skill: rarer across ESCO occupations → more telling (idf-like).

        Static (from ESCO's occupation–skill relations), so it does not drift as postings come
        and go; skills ESCO does not relate to any occupation get the median weight.
        """
        counts = np.asarray((self.esco.essential + self.esco.optional).sum(axis=0)).ravel()
        n_occ = self.esco.essential.shape[0]
        idf = np.log((1.0 + n_occ) / (1.0 + counts)).astype(np.float32)
        idf[counts == 0] = float(np.median(idf[counts > 0]))
        extra = self.vocab.n - len(idf)
        if extra > 0:
            idf = np.concatenate([idf, np.full(extra, float(np.median(idf)), dtype=np.float32)])
        return idf

    def _grow(self, need: int) -> None:
        if need <= self._cap:
            return
        # 1.25× growth keeps the slack of the big matrix small (memory matters at 100k rows).
        cap = max(need, int(self._cap * 1.25) + 16) if self._cap else need
        for name in (
            "_emb",
            "_xyz",
            "_alive",
            "_has_geo",
            "_remote",
            "_no_qual",
            "_occ",
            "_isco",
            "_hours",
            "_dupkey",
            "_skill_total",
        ):
            old = getattr(self, name)
            new = np.zeros((cap,) + old.shape[1:], dtype=old.dtype)
            new[: self.n] = old[: self.n]
            setattr(self, name, new)
        self._cap = cap

    def _posting_occupation(self, p: Posting) -> tuple[int, int]:
        occ = self.esco.occ_index.get(p.occupation_uri or "", -1)
        isco = int(p.isco_code) if p.isco_code and p.isco_code.isdigit() else -1
        if occ < 0 and isco < 0 and p.title:
            guess = self.vocab.occupation_of_title(p.title)
            occ = guess if guess is not None else -1
        if isco < 0 and occ >= 0:
            isco = int(self._occ_isco[occ])
        return occ, isco

    def add(self, postings: Sequence[Posting], embeddings: npt.NDArray | None = None) -> None:
        """Index postings (a posting whose id is already indexed replaces the old one)."""
        postings = list(postings)
        if not postings:
            return
        if embeddings is None:
            embeddings = self.encoder.encode_passages([posting_text(p) for p in postings])
        embeddings = np.asarray(embeddings, dtype=np.float32)
        if embeddings.shape != (len(postings), self.dim):
            raise ValueError(
                f"embeddings shape {embeddings.shape} != ({len(postings)}, {self.dim})"
            )
        with self._lock:
            self.remove([p.id for p in postings if p.id in self._pos])
            start = self.n
            self._grow(start + len(postings))
            self._emb[start : start + len(postings)] = embeddings
            # Chunks bound the transient token lists (100k postings' tokens at once cost GBs).
            for c in range(0, len(postings), 2000):
                self._add_rows(postings[c : c + 2000], start + c)
            self.n = start + len(postings)
            self._inverted = None
            if len(postings) >= 1000:
                for rag in (self._skills, self._title_terms, self._industry_terms):
                    rag.trim()
                self.bm25.trim()

    def _add_rows(self, postings: Sequence[Posting], start: int) -> None:
        token_lists = []
        for j, p in enumerate(postings):
            i = start + j
            text = posting_text(p)
            toks = tokens(text)
            token_lists.append(toks)
            coords = (p.lat, p.lon) if p.lat is not None and p.lon is not None else None
            coords = coords or self.postcodes.lookup(p.postcode)
            if coords is not None:
                self._xyz[i] = to_xyz(coords[0], coords[1])
                self._has_geo[i] = True
            self._remote[i] = p.remote
            occ, isco = self._posting_occupation(p)
            self._occ[i], self._isco[i] = occ, isco
            self._hours[i] = hours_class(p.hours or p.employment_type)
            self._dupkey[i] = title_key(p.title, p.employer, p.postcode)
            if p.requires_qualifications is not None:
                self._no_qual[i] = not p.requires_qualifications
            else:
                self._no_qual[i] = bool(_NO_QUALIFICATIONS.search(p.description or "")) or (
                    isco >= 0 and isco // 1000 == 9
                )
            sk = self.vocab.as_array(self.vocab.recognise(text, p.skills, toks))
            self._skills.append(sk)
            self._title_terms.append(sorted({term_id(t) for t in tokens(p.title)}))
            self._industry_terms.append(sorted({term_id(t) for t in tokens(p.industry or "")}))
            self._ids.append(p.id)
            self._postings.append(p)
            self._pos[p.id] = i
            self._alive[i] = True
        self.bm25.add(token_lists)

    def remove(self, posting_ids: Iterable[str]) -> int:
        """Remove postings by id; returns how many were indexed. Compacts when a quarter is dead."""
        removed = 0
        with self._lock:
            for pid in posting_ids:
                i = self._pos.pop(pid, None)
                if i is None:
                    continue
                self._alive[i] = False
                self._postings[i] = None
                self.bm25.forget(i)
                removed += 1
            if removed and self.n and (self.n - len(self._pos)) > 0.25 * self.n:
                self.compact()
        return removed

    def compact(self) -> None:
        """Rebuild the index without removed rows (positions change; ids do not)."""
        with self._lock:
            keep = [i for i in range(self.n) if self._alive[i]]
            postings = [self._postings[i] for i in keep]
            emb = self._emb[keep].copy()
            fresh = Recommender(
                self.encoder,
                vocabulary=self.vocab,
                postcodes=self.postcodes,
                weights=self.weights,
                dim=self.dim,
            )
            fresh.add([p for p in postings if p is not None], emb)
            self.__dict__.update({k: v for k, v in fresh.__dict__.items() if k != "_lock"})

    def __len__(self) -> int:
        return len(self._pos)

    def __contains__(self, posting_id: object) -> bool:
        return posting_id in self._pos

    def posting(self, posting_id: str) -> Posting | None:
        """The indexed posting with this id, if any."""
        i = self._pos.get(posting_id)
        return self._postings[i] if i is not None else None

    def inverted_skills(self) -> tuple[npt.NDArray, npt.NDArray]:
        """Skill → posting rows (CSR indptr over skill ids, row indices); rebuilt after writes.

        The rebuild also sets the effective skill weights: a skill recognised in more than
        `BOILERPLATE_SHARE` of the postings is boilerplate ("løn efter overenskomst" read as
        labour law) and weighs nothing; and each posting's total skill weight.
        """
        if self._inverted is None:
            ip = self._skills.indptr.view
            vals = self._skills.values.view
            rows = np.repeat(np.arange(self.n, dtype=np.int32), np.diff(ip))
            order = np.argsort(vals, kind="stable")
            df = np.bincount(vals, minlength=self.vocab.n)
            indptr = np.zeros(self.vocab.n + 1, dtype=np.int64)
            indptr[1:] = np.cumsum(df)
            self._inverted = (indptr, rows[order])
            alive = int(self._alive[: self.n].sum())
            w = self.skill_idf.copy()
            if alive >= 50:
                w[df > BOILERPLATE_SHARE * alive] = 0.0
            self._skill_w = w
            self._skill_total[: self.n] = np.bincount(rows, weights=w[vals], minlength=self.n)
        return self._inverted

    def posting_skills(self, posting_id: str) -> list[SkillRef]:
        """ESCO skills recognised in a posting."""
        i = self._pos[posting_id]
        return [self._skill_ref(int(s)) for s in self._skills.row(i)]

    def nbytes(self) -> int:
        """Bytes held by the index's arrays (embeddings, sparse rows, BM25, per-posting fields)."""
        arrays = (
            self._emb,
            self._xyz,
            self._alive,
            self._has_geo,
            self._remote,
            self._no_qual,
            self._occ,
            self._isco,
            self._hours,
            self._dupkey,
            self._skill_total,
        )
        return (
            sum(a.nbytes for a in arrays)
            + self._skills.nbytes()
            + self._title_terms.nbytes()
            + self._industry_terms.nbytes()
            + self.bm25.nbytes()
            + (sum(a.nbytes for a in self._inverted) if self._inverted else 0)
        )

    # ------------------------------------------------------------------ per-query context

    def profile_vector(self, profile: Profile) -> npt.NDArray[np.float32]:
        """The profile's embedding (given, or encoded from its CV text)."""
        if profile.embedding is not None:
            return _unit(np.asarray(profile.embedding, dtype=np.float32))
        return np.asarray(self.encoder.encode_queries([profile_text(profile)])[0], np.float32)

    def profile_skills(self, profile: Profile) -> set[int]:
        """ESCO skill ids recognised in the profile's CV text and skill list."""
        text = "\n".join([profile.summary, *profile.work, *profile.education])
        return self.vocab.recognise(text, profile.skills)

    def wished_titles(self, profile: Profile) -> tuple[list[str], bool]:
        """The job titles the person wants, and whether they are implied by work history.

        Explicit wished titles, then those stated in the summary, then interests naming an
        occupation. A person who states no wish at all most likely wants to keep doing what
        they did: then the CV's headline and latest job titles stand in.
        """
        titles = list(profile.wished_titles) + stated_wishes(profile.summary)
        titles += [i for i in profile.interests if self.vocab.is_occupation_title(i)]
        titles = [t for t in titles if t.strip()]
        implied = False
        if not titles and not profile.wished_occupation_uris and not profile.wished_isco_codes:
            titles, implied = [t for t in profile.work_titles[:2] if t.strip()], True
        return list(dict.fromkeys(titles)), implied and bool(titles)

    def context(self, profile: Profile, *, embed: bool = True) -> QueryContext:
        """Derive the per-query context (vectors, skills, terms, geography, feedback).

        `embed=False` skips the profile embedding (the automatch baseline needs none).
        """
        w = self.weights
        self.inverted_skills()  # brings skill weights and totals up to date after writes
        fields: list[str] = []
        for name in ("summary", "work", "education", "skills"):
            if getattr(profile, name):
                fields.append(name)
        q0 = self.profile_vector(profile) if embed else np.zeros(self.dim, dtype=np.float32)
        q = q0.copy()
        yes = [self._pos[i] for i in profile.swipe_ids("yes") if i in self._pos]
        saved = [self._pos[i] for i in profile.swipe_ids("save") if i in self._pos]
        no_ids = profile.swipe_ids("no")
        no = [self._pos[i] for i in no_ids if i in self._pos]
        if yes or saved:
            # A save is a weaker yes: the person is interested but has not committed.
            rows = self._emb[yes + saved]
            wts = np.array([1.0] * len(yes) + [0.5] * len(saved), dtype=np.float32)
            q = q + w.rocchio_yes * (wts[:, None] * rows).sum(axis=0) / wts.sum()
        if no:
            q = q - w.rocchio_no * self._emb[no].mean(axis=0)
        if yes or saved or no:
            q = _unit(q)
        if profile.swipes:
            fields.append("swipes")
        skills = self.vocab.as_array(self.profile_skills(profile))
        lex_ids, lex_w = self.bm25.query_weights(tokens(profile_text(profile)))
        coords = (
            (profile.lat, profile.lon)
            if profile.lat is not None and profile.lon is not None
            else self.postcodes.lookup(profile.postcode)
        )
        home = to_xyz(coords[0], coords[1]) if coords else None
        if home is not None:
            fields.append("postcode")
            if profile.commute_km:
                fields.append("commute_km")
        wished_occ = {
            self.esco.occ_index[u]
            for u in profile.wished_occupation_uris
            if u in self.esco.occ_index
        }
        titles, implied = self.wished_titles(profile)
        for t in titles:
            o = self.vocab.occupation_of_title(t)
            if o is not None:
                wished_occ.add(o)
        wished_isco = {c for c in profile.wished_isco_codes if c.isdigit()}
        wished_isco |= {self.esco.occ_isco[o] for o in wished_occ}
        title_terms = [
            np.array(sorted({term_id(t) for t in tokens(x)}), dtype=np.int32) for x in titles
        ]
        industries = [
            np.array(sorted({term_id(t) for t in tokens(x)}), dtype=np.int32)
            for x in profile.industries
        ]
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
            wished_title_terms=[t for t in title_terms if len(t)],
            industry_terms=[t for t in industries if len(t)],
            hours=hours,
            swipes_used={"yes": len(yes), "save": len(saved), "no": len(no_ids)},
            fields_used=fields,
        )

    # ------------------------------------------------------------------ masks and components

    def base_mask(self, ctx: QueryContext) -> npt.NDArray[np.bool_]:
        """Rows that may be shown: alive, not said no to, within the commute radius."""
        mask = self._alive[: self.n].copy()
        if len(ctx.hidden):
            # The same job from another source is hidden too: "no" means the job, not the copy.
            keys = self._dupkey[ctx.hidden]
            keys = keys[keys != 0]
            if len(keys):
                mask &= ~np.isin(self._dupkey[: self.n], keys)
            mask[ctx.hidden] = False
        radius = ctx.profile.commute_km
        if ctx.home is not None and radius and radius > 0:
            dots = self._xyz[: self.n] @ ctx.home.astype(np.float32)
            far = self._has_geo[: self.n] & ~self._remote[: self.n]
            # A small margin in the dot threshold; the exact km check happens on candidates.
            far &= dots < max_dot_for_radius(radius * 1.001)
            mask &= ~far
        return mask

    def _skill_coverage(self, rows: npt.NDArray | None, skills: npt.NDArray) -> npt.NDArray:
        """Share (specificity-weighted) of each posting's skills the person has.

        For all rows it walks the inverted index (only postings sharing a skill are touched);
        for candidate rows it gathers their skills. Both are vectorised.
        """
        n = self.n if rows is None else len(rows)
        if len(skills) == 0 or n == 0:
            return np.zeros(n, dtype=np.float32)
        if rows is None:
            indptr, post = self.inverted_skills()
            pos, which = gather_rows(indptr, skills.astype(np.int64))
            matched = np.bincount(post[pos], weights=self._skill_w[skills][which], minlength=self.n)
            total = self._skill_total[: self.n]
        else:
            pos, row_of = gather_rows(self._skills.indptr.view, rows)
            vals = self._skills.values.view[pos]
            hit = np.isin(vals, skills)
            matched = np.bincount(row_of[hit], weights=self._skill_w[vals[hit]], minlength=n)
            total = self._skill_total[rows]
        return np.where(total > 0, matched / np.maximum(total, 1e-9), 0.0).astype(np.float32)

    def _occupation_match(self, rows: npt.NDArray | None, ctx: QueryContext) -> npt.NDArray:
        """1 exact ESCO occupation, 0.8 same ISCO unit group, 0.5 minor, 0.25 sub-major group."""
        occ = self._occ[: self.n] if rows is None else self._occ[rows]
        isco = self._isco[: self.n] if rows is None else self._isco[rows]
        out = np.zeros(len(occ), dtype=np.float32)
        if not ctx.wished_occ and not ctx.wished_isco:
            return out
        codes = np.array(
            sorted(int(c[:4].ljust(4, "0")) for c in ctx.wished_isco if c), dtype=np.int32
        )
        lens = {len(c) for c in ctx.wished_isco}
        if len(codes):
            isco32 = isco.astype(np.int32)
            valid = isco32 >= 0
            for div, val in ((1000, 0.25), (100, 0.5), (1, 0.8)):
                if div == 1 and lens and max(lens) < 4:
                    continue
                hit = valid & np.isin(isco32 // div, codes // div)
                out = np.maximum(out, np.where(hit, val, 0.0).astype(np.float32))
        if ctx.wished_occ:
            hit = np.isin(occ, np.fromiter(ctx.wished_occ, dtype=np.int32))
            out = np.maximum(out, hit.astype(np.float32))
        return out

    def _containment(
        self, rag: _Ragged, rows: npt.NDArray, wanted: list[npt.NDArray]
    ) -> npt.NDArray:
        """Max over `wanted` term sets of the share of that set found in each row's terms."""
        out = np.zeros(len(rows), dtype=np.float32)
        if not wanted or not len(rows):
            return out
        pos, row_of = gather_rows(rag.indptr.view, rows)
        terms = rag.values.view[pos]
        for w in wanted:
            hits = np.zeros(len(rows), dtype=np.float32)
            np.add.at(hits, row_of, np.isin(terms, w).astype(np.float32))
            out = np.maximum(out, hits / len(w))
        return out

    def _containment_all(self, rag: _Ragged, wanted: list[npt.NDArray]) -> npt.NDArray:
        """`_containment` for every row: compares the flat term array, then maps hits to rows
        by binary search (no per-row index arrays, which cost 15 ms at 100k rows)."""
        out = np.zeros(self.n, dtype=np.float32)
        vals, indptr = rag.values.view, rag.indptr.view
        for w in wanted:
            hit = np.zeros(len(vals), dtype=bool)
            for t in w:
                hit |= vals == t
            rows = np.searchsorted(indptr, np.flatnonzero(hit), side="right") - 1
            share = np.bincount(rows, minlength=self.n)[: self.n] / len(w)
            out = np.maximum(out, share.astype(np.float32))
        return out

    def components(
        self, ctx: QueryContext, pos: npt.NDArray, weights: dict[str, float]
    ) -> Candidates:
        """Score candidate positions on every component and combine them."""
        prof = ctx.profile
        emb = self._emb[pos]
        cos = emb @ ctx.q
        cos0 = emb @ ctx.q0 if ctx.q is not ctx.q0 else cos
        raw: dict[str, npt.NDArray] = {}
        val: dict[str, npt.NDArray] = {}
        active: dict[str, bool] = {}

        raw["semantic"] = cos
        val["semantic"] = standing(cos)
        active["semantic"] = True

        lex = self.bm25.score_rows(pos, ctx.lex_ids, ctx.lex_w)
        raw["lexical"] = lex
        val["lexical"] = standing(lex)
        active["lexical"] = len(ctx.lex_ids) > 0

        cov = self._skill_coverage(pos, ctx.skills)
        raw["skills"] = cov
        has = self._skill_total[pos] > 0
        # A posting in which no skill was recognised gets the candidates' mean, not a penalty.
        neutral = float(cov[has].mean()) if has.any() else 0.0
        val["skills"] = np.where(has, cov, neutral)
        active["skills"] = len(ctx.skills) > 0

        dist = np.full(len(pos), np.nan)
        if ctx.home is not None:
            g = self._has_geo[pos]
            dist[g] = distances_km(self._xyz[pos][g], ctx.home)
            gs = np.full(len(pos), 0.5)
            gs[g] = geo_score(dist[g], prof.commute_km)
            gs[self._remote[pos]] = 1.0
            raw["geo"] = np.nan_to_num(dist, nan=-1.0)
            val["geo"] = gs
            active["geo"] = True
        else:
            raw["geo"] = np.full(len(pos), -1.0)
            val["geo"] = np.zeros(len(pos))
            active["geo"] = False

        parts: list[npt.NDArray] = []
        occ = self._occupation_match(pos, ctx)
        title = self._containment(self._title_terms, pos, ctx.wished_title_terms)
        if ctx.wished_occ or ctx.wished_isco or ctx.wished_title_terms:
            parts.append(np.maximum(occ, title))
        ind = self._containment(self._industry_terms, pos, ctx.industry_terms)
        if ctx.industry_terms:
            parts.append(ind)
        hrs = self._hours[pos]
        if ctx.hours:
            parts.append(np.where(hrs == 0, 0.5, (hrs == ctx.hours).astype(np.float32)))
        interests = np.mean(parts, axis=0) if parts else np.zeros(len(pos))
        raw["interests"] = interests
        val["interests"] = interests
        active["interests"] = bool(parts)
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

        used = {c: weights.get(c, 0.0) if active[c] else 0.0 for c in COMPONENTS}
        total = sum(used.values()) or 1.0
        final = sum(used[c] / total * np.asarray(val[c], dtype=np.float64) for c in COMPONENTS)
        return Candidates(
            pos=pos,
            raw=raw,
            value=val,
            active=active,
            weights=used,
            final=np.asarray(final, dtype=np.float64),
            dist_km=dist,
            cos0=cos0,
            interests_note=notes,
        )

    # ------------------------------------------------------------------ ranking

    def _weights_for(self, method: str) -> dict[str, float]:
        if method in METHOD_WEIGHTS:
            return METHOD_WEIGHTS[method]
        if method != "hybrid":
            raise ValueError(f"unknown method {method!r}")
        return {c: self.weights.of(c) for c in COMPONENTS}

    def candidates(
        self,
        ctx: QueryContext,
        method: str = "hybrid",
        mask: npt.NDArray[np.bool_] | None = None,
        n: int | None = None,
    ) -> npt.NDArray[np.int64]:
        """Top-N candidate positions for a method (numpy over all rows, no Python loop)."""
        n = n or self.weights.n_candidates
        allowed = self.base_mask(ctx)
        if mask is not None:
            allowed &= mask[: self.n]
        if method == "lexical":
            score = self.bm25.score_all(ctx.lex_ids, ctx.lex_w).astype(np.float32)
        else:
            score = self._emb[: self.n] @ ctx.q
            if method == "hybrid":
                if len(ctx.skills) and self.weights.cg_skill:
                    score += self.weights.cg_skill * self._skill_coverage(None, ctx.skills)
                if self.weights.cg_occupation and (
                    ctx.wished_occ or ctx.wished_isco or ctx.wished_title_terms
                ):
                    wished = self._occupation_match(None, ctx)
                    if ctx.wished_title_terms:
                        title = self._containment_all(self._title_terms, ctx.wished_title_terms)
                        wished = np.maximum(wished, title)
                    score += self.weights.cg_occupation * wished
        score = np.where(allowed, score, -np.inf)
        n_ok = int(allowed.sum())
        if n_ok == 0:
            return np.zeros(0, dtype=np.int64)
        n = min(n, n_ok)
        top = np.argpartition(-score, n - 1)[:n] if n < len(score) else np.arange(len(score))
        top = top[np.isfinite(score[top])]
        return top[np.argsort(-score[top], kind="stable")].astype(np.int64)

    def rank(
        self,
        profile: Profile,
        k: int = 20,
        method: str = "hybrid",
        *,
        mask: npt.NDArray[np.bool_] | None = None,
        explain: bool = True,
    ) -> list[Recommendation]:
        """The top `k` postings for `profile`, best first, each with an explanation.

        `method` is "hybrid" (default), "semantic", "lexical" or "automatch" (the Jobnet-style
        baseline, see `recommender.automatch`, with variants "automatch-occupation" and
        "automatch-stated"). `mask` (bool per index row) restricts the
        postings considered; alternatives use it.
        """
        if method.startswith("automatch"):
            from .automatch import VARIANTS, automatch

            if method not in VARIANTS:
                raise ValueError(f"unknown method {method!r}")
            return automatch(self, profile, k, **VARIANTS[method])
        if self.n == 0 or k <= 0:
            return []
        weights = self._weights_for(method)
        ctx = self.context(profile)
        n_cand = max(self.weights.n_candidates, 3 * k)
        pos = self.candidates(ctx, method, mask, n_cand)
        if len(pos) == 0:
            return []
        cands = self.components(ctx, pos, weights)
        order = np.argsort(-cands.final, kind="stable")
        chosen, merged = self._dedup(cands, order, k)
        if not explain:
            return [
                Recommendation(
                    self._ids[int(pos[j])],
                    r + 1,
                    float(cands.final[j]),
                    self._bare(method, cands, j),
                )
                for r, j in enumerate(chosen)
            ]
        return [
            self._recommendation(
                ctx, cands, j, r + 1, method, [self._ids[int(pos[m])] for m in merged[j]]
            )
            for r, j in enumerate(chosen)
        ]

    def _dedup(
        self, cands: Candidates, order: npt.NDArray, k: int
    ) -> tuple[list[int], dict[int, list[int]]]:
        """Walk candidates best-first, merging near-duplicates into the first copy seen."""
        pos = cands.pos
        head = order[: min(len(order), max(4 * k, 50))]
        emb = self._emb[pos[head]]
        keys = self._dupkey[pos[head]]
        chosen: list[int] = []
        kept = np.zeros((min(k, len(head)), self.dim), dtype=np.float32)
        merged: dict[int, list[int]] = {}
        by_key: dict[int, int] = {}
        for h, j in enumerate(head):
            j = int(j)
            key = int(keys[h])
            twin = by_key.get(key) if key else None
            if twin is None and chosen:
                # One small matrix-vector product per step: a full Gram matrix of the head is
                # a small GEMM, which multi-threaded BLAS makes slow on a busy machine.
                sims = kept[: len(chosen)] @ emb[h]
                best = int(np.argmax(sims))
                if sims[best] > self.weights.dedup_cosine:
                    twin = chosen[best]
            if twin is not None:
                merged[twin].append(j)
                continue
            if len(chosen) >= k:
                continue  # keep scanning only to collect duplicates of what is shown
            kept[len(chosen)] = emb[h]
            chosen.append(j)
            merged[j] = []
            by_key.setdefault(key, j)
        if len(chosen) < k:
            # Ran out of the examined head (many duplicates): fill from the rest without checks.
            seen = set(chosen) | {m for v in merged.values() for m in v}
            for j in order[len(head) :]:
                if len(chosen) >= k:
                    break
                if int(j) not in seen:
                    chosen.append(int(j))
                    merged[int(j)] = []
        return chosen, merged

    def _skill_ref(self, s: int) -> SkillRef:
        return SkillRef(uri=self.vocab.uris[s], label=self.vocab.label(s))

    def _bare(self, method: str, cands: Candidates, j: int) -> Explanation:
        return Explanation(ALGORITHM_VERSION, method, float(cands.final[j]))

    def _recommendation(
        self,
        ctx: QueryContext,
        cands: Candidates,
        j: int,
        rank: int,
        method: str,
        merged_ids: list[str],
    ) -> Recommendation:
        i = int(cands.pos[j])
        p = self._postings[i]
        total = sum(cands.weights.values()) or 1.0
        comps = []
        for c in COMPONENTS:
            wt = cands.weights[c]
            v = float(cands.value[c][j])
            comps.append(
                ComponentScore(
                    name=c,
                    raw=float(cands.raw[c][j]),
                    value=round(v, 6),
                    weight=wt,
                    contribution=round(wt / total * v, 6),
                    active=cands.active[c] and wt > 0,
                )
            )
        held = ctx.skill_set
        w = self._skill_w
        post_sk = [s for s in self._skills.row(i).tolist() if w[s] > 0]
        # Most specific skills first: they say most about the match and the gap.
        post_sk.sort(key=lambda s: -w[s])
        matched = [s for s in post_sk if s in held]
        missing = [s for s in post_sk if s not in held]
        d = cands.dist_km[j]
        expl = Explanation(
            algorithm_version=ALGORITHM_VERSION,
            method=method,
            final_score=round(float(cands.final[j]), 6),
            components=comps,
            matched_skills=[self._skill_ref(s) for s in matched[:12]],
            missing_skills=[self._skill_ref(s) for s in missing[:12]],
            distance_km=None if math.isnan(d) else round(float(d), 1),
            commute_km=ctx.profile.commute_km,
            remote=bool(self._remote[i]),
            fields_used=list(ctx.fields_used),
            interests_matched=cands.interests_note[j],
            swipe_influence=round(float(cands.raw["semantic"][j] - cands.cos0[j]), 6),
            swipes_used=dict(ctx.swipes_used),
            merged_posting_ids=merged_ids,
        )
        return Recommendation(
            posting_id=self._ids[i],
            rank=rank,
            score=float(cands.final[j]),
            explanation=expl,
            title=p.title if p else "",
            employer=p.employer if p else None,
        )

    def alternatives(
        self, profile: Profile, k: int = 5, per_occupation: int = 5
    ) -> list[Alternative]:
        """Occupations in other ISCO groups the person's skills carry over to, with postings.

        See `recommender.alternatives.find_alternatives`.
        """
        from .alternatives import find_alternatives

        return find_alternatives(self, profile, k=k, per_occupation=per_occupation)
