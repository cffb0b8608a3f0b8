"""The posting index: one row per posting in flat arrays, and the per-row measures over them.

Index time (once per posting): the passage embedding (a row of one float32 matrix), the ESCO
skills recognised in the posting (a sparse row), BM25 term weights, the workplace as a unit
vector, the occupation (given, or inferred from the title), title and industry terms, hours,
whether it asks for no qualifications, and a duplicate key. Nothing at query time loops in
Python over all postings.

Writers (`add`, `remove`, `compact`) take a lock; readers get read-only views sized to the rows
in use, so no other module writes into the index or reads its private arrays.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from .arrays import Ragged, gather_rows, read_only
from .bm25 import BM25Index
from .compounds import expand_tokens
from .esco import EscoData
from .geo import Postcodes, to_xyz
from .language import detect_language
from .skills import SkillVocabulary
from .text import posting_text, term_id, title_key, tokens
from .types import ConceptReader, Posting, SkillRef

BOILERPLATE_SHARE = 0.2  # a skill found in more postings than this says nothing about fit
TRANSVERSAL_WEIGHT = 0.3  # share of its specificity a transversal skill keeps

_NO_QUALIFICATIONS = re.compile(
    r"ingen (?:særlige )?(?:krav|uddannelseskrav|erfaring)|ufaglært|uden uddannelse"
    r"|kræver ingen (?:uddannelse|erfaring)|no (?:experience|qualifications) (?:required|needed)"
    r"|oplæring (?:gives|sker) på jobbet|vi oplærer dig",
    re.IGNORECASE,
)
_HOURS_NUM = re.compile(r"(\d{1,2})(?:[.,]\d+)?\s*(?:t|timer|hours|h)\b")

# Per-posting arrays grown together (name → dtype and trailing shape).
_COLUMNS: dict[str, tuple[npt.DTypeLike, tuple[int, ...]]] = {
    "xyz": (np.float32, (3,)),
    "alive": (bool, ()),
    "has_geo": (bool, ()),
    "remote": (bool, ()),
    "no_qualifications": (bool, ()),
    "occupation": (np.int32, ()),
    "isco": (np.int16, ()),
    "hours": (np.int8, ()),
    "dupkey": (np.uint32, ()),
    "skill_total": (np.float32, ()),
    "language": (np.int8, ()),
}

# Language codes of the `language` column (0: could not be told).
LANGUAGE_CODES = {"da": 1, "en": 2}
LANGUAGE_SAMPLE_WORDS = 80  # the first words of a posting decide its language


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


def _has_code(esco: EscoData, p: Posting) -> bool:
    """Whether a posting names its occupation (a known ESCO URI or a 4-digit ISCO code)."""
    return (p.occupation_uri or "") in esco.occ_index or bool(p.isco_code and p.isco_code.isdigit())


def skill_specificity(esco: EscoData, vocab: SkillVocabulary) -> npt.NDArray[np.float32]:
    """Weight of each skill: rarer across ESCO occupations → more telling (idf-like), and
    transversal skills at `TRANSVERSAL_WEIGHT` of theirs.

    Static (from ESCO's occupation–skill relations), so it does not drift as postings come
    and go; skills ESCO does not relate to any occupation get the median weight.
    """
    counts = np.asarray((esco.essential + esco.optional).sum(axis=0)).ravel()
    n_occ = esco.essential.shape[0]
    idf = np.log((1.0 + n_occ) / (1.0 + counts)).astype(np.float32)
    idf[counts == 0] = float(np.median(idf[counts > 0]))
    extra = vocab.n - len(idf)
    if extra > 0:
        idf = np.concatenate([idf, np.full(extra, float(np.median(idf)), dtype=np.float32)])
    # Transversal skills (teamwork, a driving licence, Danish) are real and shown, but say
    # less about fit for a trade than the trade's own skills.
    transversal = sorted(vocab.transversal_ids)
    idf[transversal] *= TRANSVERSAL_WEIGHT
    return idf


class PostingIndex:
    """An updatable index of postings addressed by row position (ids map to positions)."""

    def __init__(
        self,
        dim: int,
        vocabulary: SkillVocabulary,
        postcodes: Postcodes,
        concepts: ConceptReader | None = None,
        title_occupations: dict[str, int] | None = None,
    ) -> None:
        self.dim = dim
        self.vocab = vocabulary
        self.concepts = concepts
        # Occupation read from each title without a code (-1: none); kept across compactions
        # so the concept reader embeds a title once.
        self._title_occupation: dict[str, int] = title_occupations or {}
        self.esco: EscoData = vocabulary.esco
        self.postcodes = postcodes
        self._lock = threading.RLock()
        self._n = 0  # rows used (alive or not)
        self._cap = 0
        self._emb = np.zeros((0, dim), dtype=np.float32)
        self._cols = {k: np.zeros((0, *shape), dtype=dt) for k, (dt, shape) in _COLUMNS.items()}
        self._ids: list[str] = []
        self._postings: list[Posting | None] = []
        self._pos: dict[str, int] = {}
        self._skills = Ragged()
        self._title_terms = Ragged()
        self._industry_terms = Ragged()
        self._bm25 = BM25Index()
        self._inverted: tuple[npt.NDArray, npt.NDArray] | None = None
        self._skill_idf = skill_specificity(self.esco, vocabulary)
        self._skill_w = self._skill_idf  # effective weights, see inverted_skills()
        self._occ_isco = self.esco.occ_isco_array()

    # ------------------------------------------------------------------ read-only interface

    @property
    def n(self) -> int:
        """Rows in use (alive or removed but not yet compacted)."""
        return self._n

    def _col(self, name: str) -> npt.NDArray:
        return read_only(self._cols[name][: self._n])

    @property
    def embeddings(self) -> npt.NDArray[np.float32]:
        """Passage vectors, one unit row per posting."""
        return read_only(self._emb[: self._n])

    @property
    def xyz(self) -> npt.NDArray[np.float32]:
        """Workplaces as unit vectors (zero where unknown, see `has_geo`)."""
        return self._col("xyz")

    @property
    def has_geo(self) -> npt.NDArray[np.bool_]:
        """Whether the workplace is known."""
        return self._col("has_geo")

    @property
    def remote(self) -> npt.NDArray[np.bool_]:
        """Remote postings (pass every distance filter)."""
        return self._col("remote")

    @property
    def no_qualifications(self) -> npt.NDArray[np.bool_]:
        """Postings that ask for no education or experience."""
        return self._col("no_qualifications")

    @property
    def occupation(self) -> npt.NDArray[np.int32]:
        """ESCO occupation index per posting (-1 unknown)."""
        return self._col("occupation")

    @property
    def isco(self) -> npt.NDArray[np.int16]:
        """4-digit ISCO-08 code per posting as a number (-1 unknown)."""
        return self._col("isco")

    @property
    def hours(self) -> npt.NDArray[np.int8]:
        """Hours class per posting, see `hours_class`."""
        return self._col("hours")

    @property
    def dupkey(self) -> npt.NDArray[np.uint32]:
        """Key under which copies of one job collide (0: none), see `text.title_key`."""
        return self._col("dupkey")

    @property
    def language(self) -> npt.NDArray[np.int8]:
        """Language of each posting's text, see `LANGUAGE_CODES` (0 unknown)."""
        return self._col("language")

    @property
    def alive(self) -> npt.NDArray[np.bool_]:
        """Rows not removed."""
        return self._col("alive")

    @property
    def skill_total(self) -> npt.NDArray[np.float32]:
        """Each posting's total effective skill weight (current after `inverted_skills`)."""
        return self._col("skill_total")

    @property
    def skill_idf(self) -> npt.NDArray[np.float32]:
        """Static specificity of each skill, see `skill_specificity`."""
        return read_only(self._skill_idf)

    @property
    def skill_weights(self) -> npt.NDArray[np.float32]:
        """Effective skill weights: specificity, 0 for boilerplate (see `inverted_skills`)."""
        return read_only(self._skill_w)

    @property
    def skills(self) -> Ragged:
        """ESCO skill ids recognised per posting (read only)."""
        return self._skills

    @property
    def title_terms(self) -> Ragged:
        """Sorted hashed title terms per posting (read only)."""
        return self._title_terms

    @property
    def industry_terms(self) -> Ragged:
        """Sorted hashed industry terms per posting (read only)."""
        return self._industry_terms

    @property
    def bm25(self) -> BM25Index:
        """The lexical index over the same rows (read only)."""
        return self._bm25

    @property
    def ids(self) -> Sequence[str]:
        """Posting id per row (also of removed rows until compaction)."""
        return self._ids

    def __len__(self) -> int:
        return len(self._pos)

    def __contains__(self, posting_id: object) -> bool:
        return posting_id in self._pos

    def position(self, posting_id: str) -> int:
        """Row of an indexed posting (KeyError if it is not indexed)."""
        return self._pos[posting_id]

    def positions(self, posting_ids: Iterable[str]) -> list[int]:
        """Rows of those ids that are indexed, in order."""
        return [self._pos[i] for i in posting_ids if i in self._pos]

    def posting(self, posting_id: str) -> Posting | None:
        """The indexed posting with this id, if any."""
        i = self._pos.get(posting_id)
        return self._postings[i] if i is not None else None

    def posting_at(self, row: int) -> Posting | None:
        """The posting in a row (None once removed)."""
        return self._postings[row]

    def skill_ref(self, s: int) -> SkillRef:
        """A skill id as URI and label."""
        return SkillRef(uri=self.vocab.uris[s], label=self.vocab.label(s))

    def posting_skills(self, posting_id: str) -> list[SkillRef]:
        """ESCO skills recognised in a posting."""
        i = self._pos[posting_id]
        return [self.skill_ref(int(s)) for s in self._skills.row(i)]

    def nbytes(self) -> int:
        """Bytes held by the index's arrays (embeddings, sparse rows, BM25, per-posting fields)."""
        return (
            self._emb.nbytes
            + sum(a.nbytes for a in self._cols.values())
            + self._skills.nbytes()
            + self._title_terms.nbytes()
            + self._industry_terms.nbytes()
            + self._bm25.nbytes()
            + (sum(a.nbytes for a in self._inverted) if self._inverted else 0)
        )

    # ------------------------------------------------------------------ building

    def add(self, postings: Sequence[Posting], embeddings: npt.NDArray) -> None:
        """Index postings with their passage vectors (an indexed id replaces the old row)."""
        postings = list(postings)
        if not postings:
            return
        embeddings = np.asarray(embeddings, dtype=np.float32)
        if embeddings.shape != (len(postings), self.dim):
            raise ValueError(
                f"embeddings shape {embeddings.shape} != ({len(postings)}, {self.dim})"
            )
        with self._lock:
            self.remove([p.id for p in postings if p.id in self._pos])
            start = self._n
            self._grow(start + len(postings))
            self._emb[start : start + len(postings)] = embeddings
            self._read_title_occupations(postings)
            # Chunks bound the transient token lists (100k postings' tokens at once cost GBs).
            for c in range(0, len(postings), 2000):
                self._add_rows(postings[c : c + 2000], start + c)
            self._n = start + len(postings)
            self._inverted = None
            if len(postings) >= 1000:
                for rag in (self._skills, self._title_terms, self._industry_terms):
                    rag.trim()
                self._bm25.trim()

    def _grow(self, need: int) -> None:
        if need <= self._cap:
            return
        # 1.25× growth keeps the slack of the big matrix small (memory matters at 100k rows).
        cap = max(need, int(self._cap * 1.25) + 16) if self._cap else need
        emb = np.zeros((cap, self.dim), dtype=np.float32)
        emb[: self._n] = self._emb[: self._n]
        self._emb = emb
        for name, old in self._cols.items():
            new = np.zeros((cap, *old.shape[1:]), dtype=old.dtype)
            new[: self._n] = old[: self._n]
            self._cols[name] = new
        self._cap = cap

    def _read_title_occupations(self, postings: Sequence[Posting]) -> None:
        """Read the occupation of every new title that comes without an occupation code.

        The vocabulary's phrases first (a Danish catalogue title, or an ESCO label in text of
        its language); the titles it does not know go to the concept reader in one batch, and
        only a confident match is kept.
        """
        unknown: list[str] = []
        for p in postings:
            t = p.title.strip()
            if not t or t in self._title_occupation or _has_code(self.esco, p):
                continue
            sample = " ".join(f"{p.title}\n{p.description}".split()[:LANGUAGE_SAMPLE_WORDS])
            guess = self.vocab.occupation_of_title(t, lang=detect_language(sample))
            self._title_occupation[t] = -1 if guess is None else guess
            if guess is None:
                unknown.append(t)
        if unknown and self.concepts is not None:
            for t, matches in zip(unknown, self.concepts.occupations(unknown, k=1), strict=True):
                if matches:
                    self._title_occupation[t] = matches[0].index

    def _posting_occupation(self, p: Posting) -> tuple[int, int]:
        occ = self.esco.occ_index.get(p.occupation_uri or "", -1)
        isco = int(p.isco_code) if p.isco_code and p.isco_code.isdigit() else -1
        if occ < 0 and isco < 0:
            occ = self._title_occupation.get(p.title.strip(), -1)
        if isco < 0 and occ >= 0:
            isco = int(self._occ_isco[occ])
        return occ, isco

    def _add_rows(self, postings: Sequence[Posting], start: int) -> None:
        c = self._cols
        token_lists = []
        for j, p in enumerate(postings):
            i = start + j
            text = posting_text(p)
            toks = tokens(text)
            # BM25 and title terms also get the parts of Danish compounds, so "kundeservice" in a
            # CV meets "kundeservicemedarbejder"; skill phrases keep the plain token stream.
            token_lists.append(expand_tokens(toks))
            coords = (p.lat, p.lon) if p.lat is not None and p.lon is not None else None
            coords = coords or self.postcodes.lookup(p.postcode)
            if coords is not None:
                c["xyz"][i] = to_xyz(coords[0], coords[1])
                c["has_geo"][i] = True
            c["remote"][i] = p.remote
            occ, isco = self._posting_occupation(p)
            c["occupation"][i], c["isco"][i] = occ, isco
            c["hours"][i] = hours_class(p.hours or p.employment_type)
            lang = detect_language(" ".join(text.split()[:LANGUAGE_SAMPLE_WORDS]))
            c["language"][i] = LANGUAGE_CODES.get(lang or "", 0)
            c["dupkey"][i] = title_key(p.title, p.employer, p.postcode)
            if p.requires_qualifications is not None:
                c["no_qualifications"][i] = not p.requires_qualifications
            else:
                c["no_qualifications"][i] = bool(
                    _NO_QUALIFICATIONS.search(p.description or "")
                ) or (isco >= 0 and isco // 1000 == 9)
            # A posting is written in one language: its skills are read in it, in one pass
            # (per-line reading is for CVs, which mix languages more often).
            sk = self.vocab.as_array(self.vocab.recognise(text, p.skills, toks, lang=lang))
            self._skills.append(sk)
            self._title_terms.append(sorted({term_id(t) for t in expand_tokens(tokens(p.title))}))
            self._industry_terms.append(sorted({term_id(t) for t in tokens(p.industry or "")}))
            self._ids.append(p.id)
            self._postings.append(p)
            self._pos[p.id] = i
            c["alive"][i] = True
        self._bm25.add(token_lists)

    def remove(self, posting_ids: Iterable[str]) -> int:
        """Remove postings by id; returns how many were indexed. Compacts when a quarter is dead."""
        removed = 0
        with self._lock:
            for pid in posting_ids:
                i = self._pos.pop(pid, None)
                if i is None:
                    continue
                self._cols["alive"][i] = False
                self._postings[i] = None
                self._bm25.forget(i)
                removed += 1
            if removed and self._n and (self._n - len(self._pos)) > 0.25 * self._n:
                self.compact()
        return removed

    def compact(self) -> None:
        """Rebuild the index without removed rows (positions change; ids do not)."""
        with self._lock:
            keep = np.flatnonzero(self._cols["alive"][: self._n])
            postings = [self._postings[i] for i in keep]
            emb = self._emb[keep].copy()
            fresh = PostingIndex(
                self.dim, self.vocab, self.postcodes, self.concepts, self._title_occupation
            )
            fresh.add([p for p in postings if p is not None], emb)
            self.__dict__.update({k: v for k, v in fresh.__dict__.items() if k != "_lock"})

    def inverted_skills(self) -> tuple[npt.NDArray, npt.NDArray]:
        """Skill → posting rows (CSR indptr over skill ids, row indices); rebuilt after writes.

        The rebuild also sets the effective skill weights: a skill recognised in more than
        `BOILERPLATE_SHARE` of the postings is boilerplate ("løn efter overenskomst" read as
        labour law) and weighs nothing; and each posting's total skill weight.
        """
        if self._inverted is None:
            ip = self._skills.indptr
            vals = self._skills.values
            rows = np.repeat(np.arange(self._n, dtype=np.int32), np.diff(ip))
            order = np.argsort(vals, kind="stable")
            df = np.bincount(vals, minlength=self.vocab.n)
            indptr = np.zeros(self.vocab.n + 1, dtype=np.int64)
            indptr[1:] = np.cumsum(df)
            self._inverted = (indptr, rows[order])
            alive = int(self._cols["alive"][: self._n].sum())
            w = self._skill_idf.copy()
            if alive >= 50:
                w[df > BOILERPLATE_SHARE * alive] = 0.0
            self._skill_w = w
            self._cols["skill_total"][: self._n] = np.bincount(
                rows, weights=w[vals], minlength=self._n
            )
        return self._inverted

    # ------------------------------------------------------------------ per-row measures

    def similarity(self, q: npt.NDArray, rows: npt.NDArray | None = None) -> npt.NDArray:
        """Dot product of each row's embedding with `q` (all rows, or `rows` in order)."""
        emb = self._emb[: self._n]
        return emb @ q if rows is None else emb[rows] @ q

    def skill_coverage(self, skills: npt.NDArray, rows: npt.NDArray | None = None) -> npt.NDArray:
        """Share (specificity-weighted) of each posting's skills the person has.

        For all rows it walks the inverted index (only postings sharing a skill are touched);
        for given rows it gathers their skills. Both are vectorised.
        """
        n = self._n if rows is None else len(rows)
        if len(skills) == 0 or n == 0:
            return np.zeros(n, dtype=np.float32)
        if rows is None:
            indptr, post = self.inverted_skills()
            pos, which = gather_rows(indptr, skills.astype(np.int64))
            matched = np.bincount(post[pos], weights=self._skill_w[skills][which], minlength=n)
            total = self._cols["skill_total"][:n]
        else:
            vals, row_of = self._skills.gather(rows)
            hit = np.isin(vals, skills)
            matched = np.bincount(row_of[hit], weights=self._skill_w[vals[hit]], minlength=n)
            total = self._cols["skill_total"][rows]
        return np.where(total > 0, matched / np.maximum(total, 1e-9), 0.0).astype(np.float32)

    def occupation_match(
        self, wished_occ: set[int], wished_isco: set[str], rows: npt.NDArray | None = None
    ) -> npt.NDArray:
        """1 exact ESCO occupation, 0.8 same ISCO unit group, 0.5 minor, 0.25 sub-major group."""
        which = slice(0, self._n) if rows is None else rows
        occ = self._cols["occupation"][which]
        isco = self._cols["isco"][which]
        out = np.zeros(len(occ), dtype=np.float32)
        if not wished_occ and not wished_isco:
            return out
        codes = np.array(sorted(int(c[:4].ljust(4, "0")) for c in wished_isco if c), dtype=np.int32)
        lens = {len(c) for c in wished_isco}
        if len(codes):
            isco32 = isco.astype(np.int32)
            valid = isco32 >= 0
            for div, val in ((1000, 0.25), (100, 0.5), (1, 0.8)):
                if div == 1 and lens and max(lens) < 4:
                    continue
                hit = valid & np.isin(isco32 // div, codes // div)
                out = np.maximum(out, np.where(hit, val, 0.0).astype(np.float32))
        if wished_occ:
            hit = np.isin(occ, np.fromiter(wished_occ, dtype=np.int32))
            out = np.maximum(out, hit.astype(np.float32))
        return out

    def containment(
        self, rag: Ragged, wanted: list[npt.NDArray], rows: npt.NDArray | None = None
    ) -> npt.NDArray:
        """Max over `wanted` term sets of the share of that set found in each row's terms.

        `rag` is one of this index's term rows (`title_terms`, `industry_terms`). For all rows
        it compares the flat term array and maps hits to rows by binary search (no per-row
        index arrays, which cost 15 ms at 100k rows); for given rows it gathers their terms.
        """
        if rows is None:
            return self._containment_all(rag, wanted)
        out = np.zeros(len(rows), dtype=np.float32)
        if not wanted or not len(rows):
            return out
        terms, row_of = rag.gather(rows)
        for w in wanted:
            hits = np.zeros(len(rows), dtype=np.float32)
            np.add.at(hits, row_of, np.isin(terms, w).astype(np.float32))
            out = np.maximum(out, hits / len(w))
        return out

    def _containment_all(self, rag: Ragged, wanted: list[npt.NDArray]) -> npt.NDArray:
        out = np.zeros(self._n, dtype=np.float32)
        vals, indptr = rag.values, rag.indptr
        for w in wanted:
            hit = np.zeros(len(vals), dtype=bool)
            for t in w:
                hit |= vals == t
            rows = np.searchsorted(indptr, np.flatnonzero(hit), side="right") - 1
            share = np.bincount(rows, minlength=self._n)[: self._n] / len(w)
            out = np.maximum(out, share.astype(np.float32))
        return out
