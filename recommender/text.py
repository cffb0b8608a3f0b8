"""Text handling shared by the ranking components: tokens, light Danish stemming, BM25.

Tokens are lower-cased word pieces with a light suffix stripper that folds the common Danish
inflections (sygeplejerske/sygeplejersker/sygeplejersken) and English plurals into one form;
the same function serves the lexical index and the skill recogniser, so a skill phrase and a
posting meet in the same token space.

The BM25 index stores, per posting, at most `max_terms` (hashed term id, BM25 term weight)
pairs in flat arrays (int32 id + uint8 quantised weight, 5 bytes a pair) so that 100,000
postings stay small and scoring a set of candidates is a single vectorised gather.
split_words(
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from .types import Posting, Profile

_WORD = re.compile(r"[0-9a-zæøåäöüéè#+]+(?:[.\-/][0-9a-zæøåäöüéè#+]+)*")


def split_words(text: str) -> list[str]:
    """Whitespace-separated words of a literal (keeps long word lists readable in source)."""
    return text.split()


# Danish and English function words; kept short on purpose: BM25's idf handles the rest.
STOPWORDS = frozenset(
    split_words(
        """
    af alle alt andet andre at blev blive bliver da de dem den denne der deres det dette dig din
    dine disse dit du efter eller en end er et for fra ham han hans har havde have hende hendes
    her hos hun hvad hvis hvor i ikke ind jeg jer jo kan kunne man mange med meget men mig min
    mine mit mod ned noget nogle nu når og også om op os over på sig sin sine sit skal skulle
    som så sådan thi til ud under var vi vil ville vor vores være været samt hvordan hvorfor
    hvem blandt både a an and are as at be by for from has have in is it its of on or that the
    this to was were will with you your we our they their
        """
    )
)

# Longest first: the stripper removes the first suffix that leaves a stem of >= 4 characters.
_SUFFIXES = (
    "erendes",
    "erende",
    "hedens",
    "heden",
    "heder",
    "erne",
    "ende",
    "ing",
    "ene",
    "ens",
    "ers",
    "ets",
    "hed",
    "er",
    "en",
    "et",
    "es",
    "e",
    "s",
)

TERM_BITS = 20  # hashed vocabulary of 2^20 buckets: collisions are rare and need no dictionary


def normalise(text: str) -> str:
    """Lower-case and NFKC-normalise (folds ligatures and full-width forms)."""
    return unicodedata.normalize("NFKC", text).lower()


@lru_cache(maxsize=1 << 18)
def stem(token: str) -> str:
    """Strip one common Danish/English inflectional suffix (light stemming)."""
    if len(token) <= 4 or token[-1].isdigit():
        return token
    for suf in _SUFFIXES:
        if token.endswith(suf) and len(token) - len(suf) >= 4:
            return token[: -len(suf)]
    return token


def words(text: str) -> list[str]:
    """Lower-cased word tokens, stopwords kept (phrase matching needs them)."""
    return _WORD.findall(normalise(text))


def tokens(text: str) -> list[str]:
    """Stemmed content tokens without stopwords: the lexical token stream."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


_WISH = re.compile(
    r"\b(?:søger|ønsker|vil gerne|gerne|drømmer om)\b[^.!?\n]{0,90}?\bsom\s+"
    r"([0-9a-zæøå\- ]+?(?:\s+eller\s+[0-9a-zæøå\- ]+?)*)"
    r"(?=[.,;:!?()\n]|\s+(?:i|på|hos|med|inden|indenfor|til|hvor|og jeg|men)\s|$)",
    re.IGNORECASE,
)


def stated_wishes(text: str) -> list[str]:
    """Job titles a CV says the person is looking for ("... søger nyt job som kok i ...").

    Danish CVs state the wish in the summary rather than in a field; the first words after
    "søger/ønsker/gerne ... som" up to a preposition or punctuation are taken, split on "eller".
    """
    out: list[str] = []
    for m in _WISH.finditer(text or ""):
        for part in re.split(r"\s+eller\s+|,\s*", m.group(1)):
            words_ = part.strip().split()
            if 0 < len(words_) <= 4 and words_[0].lower() not in {"i", "på", "hos", "med", "til"}:
                out.append(" ".join(words_))
    return list(dict.fromkeys(out))


def term_id(token: str) -> int:
    """Stable hashed id of a token (the same across processes, unlike `hash`)."""
    return zlib.crc32(token.encode("utf-8")) & ((1 << TERM_BITS) - 1)


def title_key(title: str, employer: str | None, postcode: str | None) -> int:
    """Key under which copies of one job from different sources collide (0: no key).

    Without an employer, title and postcode alone would merge different jobs, so no key.
    """
    if not tokens(employer or ""):
        return 0
    parts = [" ".join(sorted(set(tokens(title)))), " ".join(tokens(employer or "")), postcode or ""]
    return zlib.crc32("|".join(parts).encode("utf-8")) or 1


def posting_text(p: Posting) -> str:
    """The text of a posting that is embedded and indexed (title first, it matters most)."""
    parts = [p.title, p.title, p.description]
    if p.skills:
        parts.append(", ".join(p.skills))
    if p.industry:
        parts.append(p.industry)
    return "\n".join(x for x in parts if x)


def profile_text(p: Profile) -> str:
    """The CV text of a profile: summary (incl. personal competences), work, education, skills."""
    parts: list[str] = []
    # The wish goes first: mean pooling then weighs it more than a long work history, which
    # matters for a person changing career.
    wishes = list(dict.fromkeys(list(p.wished_titles) + stated_wishes(p.summary)))
    if wishes:
        parts.append("Ønsket job: " + ", ".join(wishes) + ".")
    if p.summary:
        parts.append(p.summary)
    parts.extend(p.work)
    parts.extend(p.education)
    if p.skills:
        parts.append(", ".join(p.skills))
    return "\n".join(x for x in parts if x)


class GrowableArray:
    """A 1-d numpy array with amortised O(1) append of chunks."""

    def __init__(self, dtype: npt.DTypeLike, capacity: int = 1024) -> None:
        self._a = np.zeros(max(capacity, 16), dtype=dtype)
        self.n = 0

    def extend(self, values: npt.ArrayLike) -> None:
        """Append values at the end."""
        v = np.asarray(values, dtype=self._a.dtype)
        need = self.n + len(v)
        if need > len(self._a):
            # 1.25x growth: still amortised O(1), but at most 25 % slack in a 100k index.
            new = np.zeros(max(need, len(self._a) + len(self._a) // 4), dtype=self._a.dtype)
            new[: self.n] = self._a[: self.n]
            self._a = new
        self._a[self.n : need] = v
        self.n = need

    @property
    def view(self) -> npt.NDArray:
        """The filled part (a view, not a copy)."""
        return self._a[: self.n]

    def nbytes(self) -> int:
        """Bytes allocated, including spare capacity."""
        return int(self._a.nbytes)

    def trim(self) -> None:
        """Release spare capacity (after a large batch)."""
        if len(self._a) > self.n + 16:
            self._a = self._a[: max(self.n, 16)].copy()


def gather_rows(indptr: npt.NDArray, rows: npt.NDArray) -> tuple[npt.NDArray, npt.NDArray]:
    """Positions of all elements of `rows` in a CSR layout, and each position's row number.

    Vectorised (no Python loop over rows): the basis of every per-candidate ragged lookup.
    """
    starts = indptr[rows]
    lens = indptr[rows + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    row_of = np.repeat(np.arange(len(rows)), lens)
    offsets = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)
    return starts[row_of] + offsets, row_of


class BM25Index:
    """Append-only BM25 index over hashed terms; rows are addressed by integer position.

    Document weights are `tf·(k1+1)/(tf + k1·(1-b+b·dl/avgdl))` computed when a row is added
    (avgdl is the running mean then); idf is applied at query time from live document
    frequencies, so adding or removing postings keeps idf current.
    """

    def __init__(self, k1: float = 1.2, b: float = 0.75, max_terms: int = 32) -> None:
        self.k1, self.b, self.max_terms = k1, b, max_terms
        # The tf part of BM25 lies in [0, k1+1): 256 levels lose nothing a ranking can see.
        self._scale = (k1 + 1) / 255.0
        self.indptr = GrowableArray(np.int32)  # < 2^31 entries: ample
        self.indptr.extend([0])
        self.terms = GrowableArray(np.int32)
        self.weights = GrowableArray(np.uint8)
        self.df = np.zeros(1 << TERM_BITS, dtype=np.int32)
        self.n_docs = 0  # live documents (for idf)
        self._len_sum = 0.0
        self._len_n = 0

    def add(self, docs: Iterable[Sequence[str]]) -> None:
        """Append one row per token list, in order."""
        docs = list(docs)
        if self._len_n == 0 and docs:
            self._len_sum = float(sum(len(d) for d in docs))
            self._len_n = len(docs)
        for toks in docs:
            dl = max(len(toks), 1)
            self._len_sum += dl
            self._len_n += 1
            avgdl = self._len_sum / self._len_n
            counts = Counter(term_id(t) for t in toks)
            if not counts:
                self.indptr.extend([self.terms.n])
                continue
            ids = np.fromiter(counts.keys(), dtype=np.int32, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
            w = tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * dl / avgdl))
            if len(ids) > self.max_terms:
                # Keep the terms that say most about this posting (highest weight × idf).
                score = w * self.idf(ids)
                keep = np.argpartition(-score, self.max_terms)[: self.max_terms]
                ids, w = ids[keep], w[keep]
            self.terms.extend(ids)
            self.weights.extend(np.clip(np.rint(w / self._scale), 1, 255))
            self.indptr.extend([self.terms.n])
            np.add.at(self.df, ids, 1)
            self.n_docs += 1

    def forget(self, row: int) -> None:
        """Remove a row from the document frequencies (the row's data stays, masked by caller)."""
        ip = self.indptr.view
        ids = self.terms.view[ip[row] : ip[row + 1]]
        np.subtract.at(self.df, ids, 1)
        if len(ids):
            self.n_docs -= 1

    def idf(self, ids: npt.NDArray) -> npt.NDArray[np.float32]:
        """BM25 idf (the non-negative variant) of hashed term ids."""
        n = max(self.n_docs, 1)
        df = self.df[ids].astype(np.float32)
        return np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)

    def query_weights(self, toks: Sequence[str]) -> tuple[npt.NDArray, npt.NDArray[np.float32]]:
        """Sorted unique term ids of a query and their weights (idf, damped by query tf)."""
        counts = Counter(term_id(t) for t in toks)
        if not counts:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32)
        ids = np.fromiter(counts.keys(), dtype=np.int32, count=len(counts))
        qtf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        order = np.argsort(ids)
        ids, qtf = ids[order], qtf[order]
        return ids, (self.idf(ids) * (1.0 + np.log(qtf))).astype(np.float32)

    def score_rows(self, rows: npt.NDArray, q_ids: npt.NDArray, q_w: npt.NDArray) -> npt.NDArray:
        """BM25 scores of the given rows for a query from `query_weights`."""
        out = np.zeros(len(rows), dtype=np.float32)
        if len(q_ids) == 0 or len(rows) == 0:
            return out
        pos, row_of = gather_rows(self.indptr.view, np.asarray(rows, dtype=np.int64))
        if len(pos) == 0:
            return out
        t = self.terms.view[pos]
        j = np.searchsorted(q_ids, t)
        j[j >= len(q_ids)] = 0
        hit = q_ids[j] == t
        contrib = np.where(hit, q_w[j] * self.weights.view[pos] * self._scale, 0.0)
        np.add.at(out, row_of, contrib.astype(np.float32))
        return out

    def score_all(self, q_ids: npt.NDArray, q_w: npt.NDArray) -> npt.NDArray[np.float32]:
        """BM25 scores of every row (a full scan; used by the lexical-only method)."""
        n = self.indptr.n - 1
        if len(q_ids) == 0 or n == 0:
            return np.zeros(n, dtype=np.float32)
        t = self.terms.view
        j = np.searchsorted(q_ids, t)
        j[j >= len(q_ids)] = 0
        contrib = np.where(q_ids[j] == t, q_w[j] * self.weights.view * self._scale, 0.0)
        cs = np.concatenate([[0.0], np.cumsum(contrib, dtype=np.float64)])
        ip = self.indptr.view
        return (cs[ip[1:]] - cs[ip[:-1]]).astype(np.float32)

    def trim(self) -> None:
        """Release spare capacity of the arrays."""
        for a in (self.indptr, self.terms, self.weights):
            a.trim()

    def nbytes(self) -> int:
        """Bytes held by the index arrays."""
        return self.indptr.nbytes() + self.terms.nbytes() + self.weights.nbytes() + self.df.nbytes
