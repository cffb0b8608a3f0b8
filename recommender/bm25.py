"""BM25 over hashed terms, stored compactly for 100,000 postings.

The index stores, per posting, at most `max_terms` (hashed term id, BM25 term weight) pairs in
flat arrays (int32 id + uint8 quantised weight, 5 bytes a pair) so that 100,000 postings stay
small and scoring a set of candidates is a single vectorised gather.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from .arrays import GrowableArray, gather_rows
from .text import TERM_BITS, term_id


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
