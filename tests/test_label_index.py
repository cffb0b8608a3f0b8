"""The cross-lingual ESCO label index (`recommender.labels`).

Fast tests use a small ESCO and a fake encoder whose vectors encode meaning by a dictionary;
the tests marked `model` use the index built by `make model` and skip when it is absent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.esco import EscoData
from recommender.labels import (
    INDEX_DIR,
    INDEX_FILE,
    THRESHOLDS,
    LabelIndex,
    collect_rows,
    default_label_index,
    expected_stamp,
    index_path,
    is_current,
)
from recommender.types import ConceptKind

# Five named concepts, then 40 of each kind with a Danish name, so the calibration has pairs.
N_EXTRA = 40
OCCUPATIONS = ["boat builder", "museum curator", "stonemason", "audiologist", "cook"]
OCCUPATIONS += [f"trade {i}" for i in range(N_EXTRA)]
SKILLS = ["build boats", "curate collections", "cut stone", "test hearing", "cook meals"]
SKILLS += [f"skill {i}" for i in range(N_EXTRA)]
# What the fake model "understands": Danish words and English labels of the same concept.
MEANING = {
    "bådebygger": "boat builder",
    "museumsinspektør": "museum curator",
    "stenhugger": "stonemason",
    "akustiker": "audiologist",
    "kok": "cook",
    "bygge både": "build boats",
    "hugge sten": "cut stone",
    "høretest": "test hearing",
    "ship builder": "boat builder",
    "stone mason": "stonemason",
    "hearing aid specialist": "audiologist",
    **{f"fag {i}": f"trade {i}" for i in range(N_EXTRA)},
    **{f"evne {i}": f"skill {i}" for i in range(N_EXTRA)},
}


def _uri(kind: str, label: str) -> str:
    return f"http://data.europa.eu/esco/{kind}/{label.replace(' ', '-')}"


def small_esco() -> EscoData:
    n_o, n_s = len(OCCUPATIONS), len(SKILLS)
    empty = sp.csr_matrix((n_o, n_s), dtype=np.float32)
    return EscoData(
        skill_uris=[_uri("skill", s) for s in SKILLS],
        skill_labels=list(SKILLS),
        skill_alt=[[] for _ in SKILLS],
        skill_reuse=["s"] * n_s,
        occ_uris=[_uri("occupation", o) for o in OCCUPATIONS],
        occ_labels=list(OCCUPATIONS),
        occ_alt=[["ship builder"], [], ["stone mason"], ["hearing aid specialist"]]
        + [[] for _ in OCCUPATIONS[4:]],
        occ_isco=["7115", "2621", "7113", "2266", "5120"] + ["9999"] * N_EXTRA,
        essential=empty,
        optional=empty,
        isco_groups={},
    )


def catalogue() -> list[dict[str, object]]:
    pairs = [("bådebygger", "boat builder", "bygge både"), ("stenhugger", "stonemason", "")]
    pairs += [("akustiker", "audiologist", "høretest"), ("kok", "cook", "hugge sten")]
    pairs += [(f"fag {i}", f"trade {i}", f"evne {i}") for i in range(N_EXTRA)]
    skill_of = {"bygge både": "build boats", "høretest": "test hearing", "hugge sten": "cut stone"}
    skill_of |= {f"evne {i}": f"skill {i}" for i in range(N_EXTRA)}
    return [
        {
            "esco_uri": _uri("occupation", o),
            "title_da": t,
            "skills": [{"esco_uri": _uri("skill", skill_of[f]), "da": [f]}] if f else [],
        }
        for t, o, f in pairs
    ]


class MeaningEncoder:
    """A fake model: texts with the same meaning get nearly the same vector, others random."""

    name = "meaning-fake"
    dim = 64

    def _vector(self, text: str) -> np.ndarray:
        meaning = MEANING.get(text.lower(), text.lower())
        seed = int(hashlib.sha256(meaning.encode()).hexdigest(), 16) % 2**32
        base = np.random.default_rng(seed).normal(size=self.dim)
        noise = np.random.default_rng(len(text)).normal(size=self.dim) * 0.05
        v = base + noise
        return v / np.linalg.norm(v)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([self._vector(t) for t in texts], dtype=np.float32).reshape(-1, self.dim)

    encode_passages = encode_queries


@pytest.fixture(scope="module")
def fake_index() -> LabelIndex:
    esco = small_esco()
    return LabelIndex.build(
        MeaningEncoder(),
        esco=esco,
        catalogue=catalogue(),
        transversal=[],
        descriptions={esco.occ_uris[0]: "Boat builders build boats of wood and fibreglass."},
        log=lambda _: None,
    )


def test_rows_cover_labels_alternatives_descriptions_and_catalogue() -> None:
    esco = small_esco()
    descriptions = {esco.occ_uris[0]: "Boat builders build boats."}
    assert "Boat builders build boats." not in collect_rows(esco, [], [], descriptions).texts
    rows = collect_rows(esco, catalogue(), [], descriptions, description_words=8)
    texts = set(rows.texts)
    assert {"boat builder", "ship builder", "bådebygger", "Boat builders build boats."} <= texts
    assert {"cut stone", "hugge sten"} <= texts
    # Rows are grouped by kind, then concept (the index takes per-concept maxima by slices).
    order = list(zip(rows.kind.tolist(), rows.concept.tolist(), strict=True))
    assert order == sorted(order)


def test_matches_are_above_threshold_one_per_concept_best_first(fake_index: LabelIndex) -> None:
    got = fake_index.occupations(["bådebygger", "akustiker", "xqzv blorp"], k=3)
    assert [m.label for m in got[0]][:1] == ["boat builder"]
    assert got[0][0].kind == "occupation" and got[0][0].source == "semantic"
    assert got[0][0].uri == _uri("occupation", "boat builder")
    assert [m.label for m in got[1]][:1] == ["audiologist"]
    assert got[2] == []
    for matches in got:
        assert all(m.confidence >= THRESHOLDS["occupation"] for m in matches)
        assert len({m.index for m in matches}) == len(matches)
        assert [m.confidence for m in matches] == sorted(
            (m.confidence for m in matches), reverse=True
        )
    assert [m.label for m in fake_index.skills(["høretest"])[0]][:1] == ["test hearing"]


def test_vectors_variant_equals_text_variant(fake_index: LabelIndex) -> None:
    texts = ["stenhugger", "kok"]
    vectors = MeaningEncoder().encode_queries(texts)
    assert fake_index.occupations_for_vectors(vectors) == fake_index.occupations(texts)
    assert fake_index.skills_for_vectors(vectors) == fake_index.skills(texts)


def test_a_lower_threshold_returns_more(fake_index: LabelIndex) -> None:
    vectors = MeaningEncoder().encode_queries(["bådebygger"])
    strict = fake_index.match_vectors("occupation", vectors, k=5)[0]
    loose = fake_index.match_vectors("occupation", vectors, k=5, threshold=0.0)[0]
    assert len(loose) == 5 and len(strict) < len(loose)


def test_save_load_round_trip_and_stamp(fake_index: LabelIndex, tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "jobunivers_build.json").write_text(json.dumps({"source_sha256": "abc"}))
    path = index_path(model)
    assert path == model / INDEX_DIR / INDEX_FILE
    assert not is_current(model)
    fake_index.save(path, expected_stamp(model))
    assert is_current(model)
    loaded = LabelIndex.load(path, MeaningEncoder())
    loaded.esco = fake_index.esco  # the file stores ESCO indices; labels come from ESCO
    assert loaded.rows.texts == fake_index.rows.texts
    with np.load(path) as data:
        assert data["vectors"].dtype == np.float16
    texts = ["bådebygger", "stenhugger", "akustiker"]
    assert [[m.index for m in ms] for ms in loaded.occupations(texts)] == [
        [m.index for m in ms] for ms in fake_index.occupations(texts)
    ]
    report = json.loads((path.parent / "calibration.json").read_text())
    assert set(report) == {"occupation", "skill"} and report["occupation"]["folds"]
    # Another model makes the index stale.
    (model / "jobunivers_build.json").write_text(json.dumps({"source_sha256": "other"}))
    assert not is_current(model)


def test_no_index_gives_none(tmp_path: Path) -> None:
    default_label_index.cache_clear()
    try:
        assert default_label_index(str(tmp_path)) is None
    finally:
        default_label_index.cache_clear()


# --- with the real model ------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_index() -> LabelIndex:
    index = default_label_index()
    if index is None:
        pytest.skip("label index not built (make model)")
    return index


def _top(index: LabelIndex, kind: ConceptKind, text: str, k: int = 3) -> list[tuple[str, float]]:
    """The top-k concepts whatever their confidence, as (label, confidence)."""
    matches = index.match_vectors(kind, index.encode([text]), k=k, threshold=0.0)[0]
    return [(m.label, m.confidence) for m in matches]


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("tømrer", "carpenter"),  # a catalogue title, any case
        ("stenhugger", "stonemason"),
        ("Boatbuilder", "shipwright"),  # an English alternative label
    ],
)
def test_known_labels_are_confident(real_index: LabelIndex, text: str, label: str) -> None:
    matches = real_index.occupations([text])[0]
    assert matches and matches[0].label == label, _top(real_index, "occupation", text)
    assert matches[0].confidence >= THRESHOLDS["occupation"]


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("bådebygger", ("shipwright", "boat")),
        ("museumsinspektør", ("museum", "curator")),
        ("Experienced stonemason for restoration work", ("stonemason",)),
        ("stenhugger", ("stonemason",)),
        ("akustiker", ("audiology",)),
        ("dagplejer", ("child day care",)),
        ("ejendomsservicetekniker", ("caretaker",)),
        ("Kundeservicemedarbejder", ("customer service",)),
    ],
)
def test_unseen_titles_rank_their_occupation_first(
    real_index: LabelIndex, text: str, words: tuple[str, ...]
) -> None:
    """Titles outside the catalogue (Danish titles, English text): the right family first."""
    top = _top(real_index, "occupation", text, k=1)
    assert any(w in top[0][0] for w in words), top


@pytest.mark.model
def test_danish_skill_phrase_ranks_welding_first(real_index: LabelIndex) -> None:
    top = _top(real_index, "skill", "svejsning af stål")
    assert "weld" in top[0][0], top


@pytest.mark.model
@pytest.mark.parametrize("kind", ["occupation", "skill"])
def test_nonsense_is_rarely_above_the_threshold(real_index: LabelIndex, kind: ConceptKind) -> None:
    rng = np.random.default_rng(2024)  # other strings than the calibration's negatives
    letters = list("abcdefghijklmnopqrstuvwxyzæøå")
    texts = ["".join(rng.choice(letters, size=int(rng.integers(4, 11)))) for _ in range(200)]
    matched = real_index.match_vectors(kind, real_index.encode(texts))
    share = sum(bool(m) for m in matched) / len(texts)
    assert share <= 0.03, share
    assert real_index.occupations(["asdfgh qwerty", "og så videre"]) == [[], []]
