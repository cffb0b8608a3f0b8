"""Flat numpy containers the index is built from: a growable 1-d array and CSR-style rows.

Everything per posting lives in flat arrays so that 100,000 postings stay small and a lookup
over many rows is one vectorised gather, never a Python loop over rows.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def read_only(a: npt.NDArray) -> npt.NDArray:
    """A view of `a` that cannot be written through (the caller's array stays writable)."""
    v = a.view()
    v.setflags(write=False)
    return v


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


class Ragged:
    """Append-only rows of int32 values in CSR layout; readers get read-only views."""

    def __init__(self) -> None:
        self._indptr = GrowableArray(np.int32)  # < 2^31 entries: ample
        self._indptr.extend([0])
        self._values = GrowableArray(np.int32)

    def append(self, values: npt.ArrayLike) -> None:
        """Add one row at the end."""
        self._values.extend(values)
        self._indptr.extend([self._values.n])

    def trim(self) -> None:
        """Release spare capacity (after a large batch)."""
        self._indptr.trim()
        self._values.trim()

    @property
    def indptr(self) -> npt.NDArray:
        """Row starts (one more than there are rows), read-only."""
        return read_only(self._indptr.view)

    @property
    def values(self) -> npt.NDArray:
        """All rows' values end to end, read-only."""
        return read_only(self._values.view)

    def row(self, i: int) -> npt.NDArray:
        """The values of row `i` (read-only)."""
        ip = self._indptr.view
        return read_only(self._values.view[ip[i] : ip[i + 1]])

    def gather(self, rows: npt.NDArray) -> tuple[npt.NDArray, npt.NDArray]:
        """The values of `rows` end to end, and for each value its index into `rows`."""
        pos, row_of = gather_rows(self._indptr.view, rows)
        return self._values.view[pos], row_of

    def nbytes(self) -> int:
        """Bytes allocated, including spare capacity."""
        return self._indptr.nbytes() + self._values.nbytes()
