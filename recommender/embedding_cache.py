"""A content-addressed cache of embeddings, so unchanged texts never reach the model twice.

Entries are keyed by the sha256 of (model name, side, text): a posting re-ingested with the
same wording costs a dictionary lookup, while a different model, the other side (query vs
passage) or an edited text gets its own entry. The cache lives in memory and can be saved to,
and loaded from, a single ``.npz`` file.

Typical use::

    cache = EmbeddingCache("instance/embeddings.npz")
    encoder = CachedEncoder(load_encoder("onnx"), cache)
    vectors = encoder.encode_passages(posting_texts)
    cache.save()
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from recommender.encoders import Encoder

Side = Literal["query", "passage"]
SIDES: tuple[Side, ...] = ("query", "passage")

log = logging.getLogger(__name__)


def cache_key(model: str, side: str, text: str) -> bytes:
    """Return the 32-byte sha256 key of one (model, side, text) triple."""
    if side not in SIDES:
        raise ValueError(f"side must be one of {SIDES}, not {side!r}")
    # NUL cannot occur in model names or sides, so the fields cannot run into each other.
    return hashlib.sha256(f"{model}\0{side}\0{text}".encode()).digest()


class EmbeddingCache:
    """In-memory map from :func:`cache_key` to a float32 vector, optionally backed by a file.

    ``path`` names a ``.npz`` file; it is read at construction when it exists and written by
    :meth:`save`. A missing or unreadable file starts an empty cache (it is only a cache).
    Not thread-safe: share one per process and write from one place.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self._vectors: dict[bytes, np.ndarray] = {}
        self._dirty = False
        if self.path is not None and self.path.exists():
            self._load(self.path)

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, model: str, side: str, text: str) -> np.ndarray | None:
        """Return a copy of the cached vector, or None."""
        vector = self._vectors.get(cache_key(model, side, text))
        return None if vector is None else vector.copy()

    def put(self, model: str, side: str, text: str, vector: np.ndarray) -> None:
        """Store ``vector`` (copied, as float32) for the triple."""
        self._vectors[cache_key(model, side, text)] = np.array(vector, dtype=np.float32)
        self._dirty = True

    def save(self, path: str | Path | None = None) -> Path:
        """Write all entries to ``path`` (default: the constructor's) atomically; return it."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("this cache has no file; pass a path to save()")
        if target == self.path and not self._dirty and target.exists():
            return target
        arrays: dict[str, np.ndarray] = {}
        for dim in sorted({v.shape[0] for v in self._vectors.values()}):
            keys = [k for k, v in self._vectors.items() if v.shape[0] == dim]
            # Keys are stored as uint8 rows: numpy's bytes dtype would drop trailing NULs.
            arrays[f"keys_{dim}"] = np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, 32)
            arrays[f"vectors_{dim}"] = np.stack([self._vectors[k] for k in keys])
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename, so a crash never leaves a truncated cache.
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)  # type: ignore[arg-type]  # numpy stub quirk
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        if target == self.path:
            self._dirty = False
        return target

    def _load(self, path: Path) -> None:
        try:
            with np.load(path, allow_pickle=False) as data:
                for name in data.files:
                    if not name.startswith("keys_"):
                        continue
                    keys = data[name]
                    vectors = data["vectors_" + name.removeprefix("keys_")]
                    for key, vector in zip(keys, vectors, strict=True):
                        self._vectors[key.tobytes()] = vector.astype(np.float32)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring unreadable embedding cache %s: %s", path, exc)
            self._vectors.clear()


class CachedEncoder:
    """Wrap an :class:`~recommender.encoders.Encoder` so only unseen texts reach the model.

    ``model_calls`` counts texts the wrapped encoder embedded (duplicates within one call are
    embedded once); ``cache_hits`` counts texts answered from the cache.
    """

    def __init__(self, encoder: Encoder, cache: EmbeddingCache) -> None:
        self.encoder = encoder
        self.cache = cache
        self.name: str = encoder.name
        self.dim: int = encoder.dim
        self.model_calls = 0
        self.cache_hits = 0

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed jobseeker-side texts, from the cache where possible."""
        return self._encode(texts, "query", self.encoder.encode_queries)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed posting-side texts, from the cache where possible."""
        return self._encode(texts, "passage", self.encoder.encode_passages)

    def _encode(
        self, texts: Sequence[str], side: Side, embed: Callable[[Sequence[str]], np.ndarray]
    ) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            vector = self.cache.get(self.name, side, text)
            if vector is None:
                missing.setdefault(text, []).append(i)
            else:
                out[i] = vector
                self.cache_hits += 1
        if missing:
            unseen = list(missing)
            vectors = embed(unseen)
            self.model_calls += len(unseen)
            for text, vector in zip(unseen, vectors, strict=True):
                self.cache.put(self.name, side, text, vector)
                out[missing[text]] = vector
        return out
