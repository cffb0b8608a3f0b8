"""Text encoders: turn CVs (queries) and job postings (passages) into unit vectors.

Every backend follows the :class:`Encoder` protocol and returns float32 arrays of shape
``(n, dim)`` whose rows have unit L2 norm, so a dot product is a cosine similarity. E5 models
expect the prefixes ``query: `` (the jobseeker side) and ``passage: `` (the posting side); the
encoders add them, callers pass plain text.

Backends:

* ``torch`` - :class:`SentenceTransformerEncoder`, the reference implementation;
* ``onnx`` - :class:`OnnxEncoder`, the int8 model through plain onnxruntime, about 2-3 times
  faster on CPU and within cosine 0.99 of torch;
* ``hashing`` - :class:`HashingEncoder`, a tiny deterministic fake for unit tests.

Heavy libraries (torch, onnxruntime, tokenizers) are imported on first use, so importing this
module is cheap and never loads a model.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

DEFAULT_OUT = Path("models/multilingual-e5-small")
"""Default model folder, relative to the current working directory (git-ignored)."""

STAMP_FILE = "jobunivers_build.json"
"""The build record inside the model folder (see `recommender.model_build`)."""

ONNX_FILE = Path("onnx") / "model_int8.onnx"
"""The int8 ONNX model, relative to the model folder."""

QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "

BACKENDS = ("torch", "onnx", "hashing")


class ModelNotBuiltError(FileNotFoundError):
    """The model folder (or its ONNX file) is missing: it must be built first."""


@runtime_checkable
class Encoder(Protocol):
    """Anything that embeds queries and passages into the same unit-vector space."""

    name: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed jobseeker-side texts (CVs, profiles); float32, shape (n, dim), unit rows."""
        ...

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed posting-side texts; float32, shape (n, dim), unit rows."""
        ...


def cpu_threads() -> int:
    """Threads an encoder may use: ``RECOMMENDER_THREADS`` if set, else the usable CPU cores."""
    configured = os.environ.get("RECOMMENDER_THREADS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


def _require_model(model_path: Path) -> None:
    if not (model_path / "config.json").is_file():
        raise ModelNotBuiltError(
            f"no embedding model at {model_path}: run `python -m recommender model build`"
        )


def _length_suffix(max_length: int) -> str:
    # Truncating at another length gives other vectors: keep their cache keys apart.
    return "" if max_length == 512 else f"-{max_length}t"


def _model_name(model_path: Path) -> str:
    return model_path.resolve().name or "model"


class SentenceTransformerEncoder:
    """The built model through sentence-transformers on torch (CPU); loaded on first use."""

    def __init__(
        self, model_path: str | Path = DEFAULT_OUT, batch_size: int = 32, max_length: int = 512
    ) -> None:
        self.model_path = Path(model_path)
        _require_model(self.model_path)
        self.batch_size = batch_size
        self.max_length = max_length
        self.name = _model_name(self.model_path) + _length_suffix(max_length)
        config = json.loads((self.model_path / "config.json").read_text(encoding="utf-8"))
        self.dim: int = int(config["hidden_size"])
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                import torch
                from sentence_transformers import SentenceTransformer

                torch.set_num_threads(cpu_threads())
                self._model = SentenceTransformer(
                    str(self.model_path), device="cpu", local_files_only=True
                )
                self._model.max_seq_length = self.max_length
        return self._model

    def tokenizer(self) -> Any:
        """The underlying ``tokenizers.Tokenizer`` (used to check token ids)."""
        return self._load().tokenizer.backend_tokenizer

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._load().encode(
            [prefix + text for text in texts],
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts with the ``query: `` prefix."""
        return self._encode(texts, QUERY_PREFIX)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts with the ``passage: `` prefix."""
        return self._encode(texts, PASSAGE_PREFIX)


class OnnxEncoder:
    """The int8 ONNX model through plain onnxruntime, with the model's own tokenizer.

    Texts are sorted by token length before batching so each batch pads to a similar
    length; that matters more for speed on CPU than the batch size.
    """

    def __init__(
        self,
        model_path: str | Path = DEFAULT_OUT,
        batch_size: int = 32,
        max_length: int = 512,
        onnx_file: str | Path | None = None,
    ) -> None:
        self.model_path = Path(model_path)
        _require_model(self.model_path)
        self.onnx_file = Path(onnx_file) if onnx_file else self.model_path / ONNX_FILE
        if not self.onnx_file.is_file():
            raise ModelNotBuiltError(
                f"no ONNX model at {self.onnx_file}: run `python -m recommender model build --onnx`"
            )
        self.batch_size = batch_size
        self.max_length = max_length
        self.name = _model_name(self.model_path) + "-int8" + _length_suffix(max_length)
        config = json.loads((self.model_path / "config.json").read_text(encoding="utf-8"))
        self.dim: int = int(config["hidden_size"])
        self._pad_id = int(config.get("pad_token_id") or 0)
        self._session: Any = None
        self._tokenizer: Any = None
        self._input_names: set[str] = set()
        self._lock = threading.Lock()

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._session is None:
                import onnxruntime as ort
                from tokenizers import Tokenizer

                tokenizer = Tokenizer.from_file(str(self.model_path / "tokenizer.json"))
                tokenizer.no_padding()
                tokenizer.enable_truncation(self.max_length)
                options = ort.SessionOptions()
                options.intra_op_num_threads = cpu_threads()
                options.inter_op_num_threads = 1
                self._session = ort.InferenceSession(
                    str(self.onnx_file), options, providers=["CPUExecutionProvider"]
                )
                self._input_names = {i.name for i in self._session.get_inputs()}
                self._tokenizer = tokenizer
        return self._session, self._tokenizer

    def tokenizer(self) -> Any:
        """The ``tokenizers.Tokenizer`` used (truncating at ``max_length``)."""
        return self._load()[1]

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch([prefix + text for text in texts])
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.full((len(rows), width), self._pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n] = encodings[i].ids
                mask[r, :n] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._input_names:
                feeds["token_type_ids"] = np.zeros_like(ids)
            (hidden,) = session.run(["last_hidden_state"], feeds)
            # Mean over real tokens only, as sentence-transformers' Pooling does.
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out[rows] = pooled
        return _normalise(out)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts with the ``query: `` prefix."""
        return self._encode(texts, QUERY_PREFIX)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts with the ``passage: `` prefix."""
        return self._encode(texts, PASSAGE_PREFIX)


def _pool_encode(
    model_path: str, batch_size: int, max_length: int, texts: list[str], queries: bool
) -> np.ndarray:
    """One worker's share of a `ProcessPoolOnnxEncoder` call (runs in a child process)."""
    encoder = _POOL_ENCODERS.get((model_path, batch_size, max_length))
    if encoder is None:
        encoder = OnnxEncoder(model_path, batch_size=batch_size, max_length=max_length)
        _POOL_ENCODERS[(model_path, batch_size, max_length)] = encoder
    return encoder.encode_queries(texts) if queries else encoder.encode_passages(texts)


_POOL_ENCODERS: dict[tuple[str, int, int], OnnxEncoder] = {}


class ProcessPoolOnnxEncoder:
    """`OnnxEncoder` for bulk jobs: one single-threaded session per core in child processes.

    On short texts (labels, titles) onnxruntime's intra-op threads stay mostly idle; measured
    here, two one-thread processes embed about 1.4 times as many ESCO labels a second as one
    two-thread session. Meant for build steps (the label index, a first posting index), not for
    web workers: the children live as long as the encoder object.
    """

    def __init__(
        self,
        model_path: str | Path = DEFAULT_OUT,
        batch_size: int = 128,
        max_length: int = 512,
        processes: int | None = None,
    ) -> None:
        self._single = OnnxEncoder(model_path, batch_size=batch_size, max_length=max_length)
        self.name, self.dim = self._single.name, self._single.dim
        self.processes = max(1, processes or cpu_threads())
        self._args = (str(self._single.model_path), batch_size, max_length)

    def _encode(self, texts: Sequence[str], queries: bool) -> np.ndarray:
        texts = list(texts)
        if self.processes == 1 or len(texts) < 4 * self._args[1]:
            single = self._single
            return single.encode_queries(texts) if queries else single.encode_passages(texts)
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # Interleaved shares keep the workers' mixes of short and long texts alike.
        shares = [texts[w :: self.processes] for w in range(self.processes)]
        previous = os.environ.get("RECOMMENDER_THREADS")
        os.environ["RECOMMENDER_THREADS"] = "1"  # inherited by the spawned children
        try:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(self.processes, mp_context=context) as pool:
                parts = list(
                    pool.map(
                        _pool_encode,
                        *zip(*[(*self._args, s, queries) for s in shares], strict=True),
                    )
                )
        finally:
            if previous is None:
                os.environ.pop("RECOMMENDER_THREADS", None)
            else:
                os.environ["RECOMMENDER_THREADS"] = previous
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for w, part in enumerate(parts):
            out[w :: self.processes] = part
        return out

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts with the ``query: `` prefix."""
        return self._encode(texts, queries=True)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts with the ``passage: `` prefix."""
        return self._encode(texts, queries=False)


_WORD = re.compile(r"\w+", re.UNICODE)


class HashingEncoder:
    """A deterministic stand-in for a real model, for fast tests of other modules.

    Features are lower-cased words and character trigrams of each word (so "sygeplejerske"
    and "sygeplejersker" share most features), hashed with BLAKE2 into ``dim`` signed buckets.
    Queries and passages share one space with no prefix: identical texts score 1.0 whichever
    side they are on. It knows nothing about meaning.
    """

    def __init__(self, dim: int = 384) -> None:
        if dim < 1:
            raise ValueError("dim must be positive")
        self.dim = dim
        self.name = f"hashing-{dim}"

    def _features(self, text: str) -> list[str]:
        features: list[str] = []
        for word in _WORD.findall(text.lower()):
            features.append("w:" + word)
            padded = f"<{word}>"
            features.extend("c:" + padded[i : i + 3] for i in range(len(padded) - 2))
        return features or ["<empty>"]  # keeps an empty text a unit vector

    def _embed_one(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float64)
        for feature in self._features(text):
            digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
            value = int.from_bytes(digest, "little")
            vector[(value >> 1) % self.dim] += 1.0 if value & 1 else -1.0
        if not vector.any():  # every feature cancelled out
            vector[0] = 1.0
        return vector

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(np.stack([self._embed_one(text) for text in texts]))

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed jobseeker-side texts."""
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed posting-side texts (same space as queries)."""
        return self._encode(texts)


def load_encoder(
    backend: str, model_path: str | Path | None = None, max_length: int = 512
) -> Encoder:
    """Return an encoder for ``backend`` in {"torch", "onnx", "hashing"}.

    ``model_path`` defaults to ``models/multilingual-e5-small`` under the working directory;
    :class:`ModelNotBuiltError` says how to build it when it is missing. The hashing backend
    ignores the path. Models load lazily, on the first encode call. ``max_length`` truncates
    texts (in tokens): 256 costs about a quarter of 512 on long postings.
    """
    if backend == "hashing":
        return HashingEncoder()
    path = Path(model_path) if model_path is not None else DEFAULT_OUT
    if backend == "torch":
        return SentenceTransformerEncoder(path, max_length=max_length)
    if backend == "onnx":
        return OnnxEncoder(path, max_length=max_length)
    raise ValueError(f"unknown encoder backend {backend!r}; choose one of {', '.join(BACKENDS)}")
