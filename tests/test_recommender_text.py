"""Building blocks: tokens and stemming, BM25, skill recognition, geography, ESCO data, import
boundary and the benchmark's shape."""

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from recommender.bm25 import BM25Index
from recommender.esco import DEFAULT_FILE, build_compact, load_esco
from recommender.geo import (
    Postcodes,
    danish_postcodes,
    distances_km,
    geo_score,
    haversine_km,
    to_xyz,
)
from recommender.skills import SkillVocabulary, default_vocabulary, load_danish
from recommender.text import stated_wishes, stem, title_key, tokens

ROOT = Path(__file__).resolve().parent.parent


def test_tokens_fold_danish_inflections() -> None:
    assert stem("sygeplejersker") == stem("sygeplejerske") == stem("sygeplejersken")
    assert tokens("Vi søger en SYGEPLEJERSKE til afdelingen!") == [
        "søger",
        "sygeplejersk",
        "afdeling",
    ]
    assert stem("kok") == "kok"  # short words are left alone
    assert "og" not in tokens("social- og sundhedsassistent")


def test_stated_wishes() -> None:
    assert stated_wishes(
        "Jeg søger nyt job som social- og sundhedsassistent i nærheden af Vejle."
    ) == ["social- og sundhedsassistent"]
    assert stated_wishes("Jeg søger job som mægler eller sælger.") == ["mægler", "sælger"]
    assert stated_wishes("Jeg har arbejdet som kok i ti år.") == []


def test_title_key_needs_an_employer() -> None:
    assert title_key("Kok", "Kantinen A/S", "5000") == title_key("kok", "kantinen a/s", "5000")
    assert title_key("Kok", "Kantinen", "5000") != title_key("Kok", "Kantinen", "8000")
    assert title_key("Kok", None, "5000") == 0


def test_bm25_scores_and_updates() -> None:
    idx = BM25Index()
    idx.add(
        [tokens("kok kantine madlavning"), tokens("tømrer renovering"), tokens("kok restaurant")]
    )
    q_ids, q_w = idx.query_weights(tokens("kok kantine"))
    s = idx.score_all(q_ids, q_w)
    assert s[0] > s[2] > s[1] == 0
    assert np.allclose(idx.score_rows(np.array([2, 0]), q_ids, q_w), s[[2, 0]], atol=1e-5)
    # Forgetting a row lowers the document frequency of its terms: "kok" becomes rarer.
    kok, _ = idx.query_weights(["kok"])
    before = float(idx.idf(kok)[0])
    idx.forget(2)
    assert idx.n_docs == 2
    assert float(idx.idf(kok)[0]) > before


def test_bm25_keeps_the_most_telling_terms_of_long_documents() -> None:
    idx = BM25Index(max_terms=5)
    idx.add([[f"ord{i}" for i in range(40)] + ["sjælden"] * 5])
    assert idx.terms.n == 5
    q_ids, q_w = idx.query_weights(["sjælden"])
    assert idx.score_all(q_ids, q_w)[0] > 0


def test_skill_recognition_in_english_and_danish() -> None:
    vocab = default_vocabulary()
    found = {vocab.labels_en[i] for i in vocab.recognise("Erfaring med Python, SQL og JavaScript.")}
    assert {"Python (computer programming)", "SQL", "JavaScript"} <= found
    uri = vocab.uris[next(iter(vocab.recognise("", ["SQL"])))]
    assert vocab.recognise("", [uri]) == vocab.recognise("", ["SQL"])  # URIs are taken as is
    assert vocab.recognise("Jeg er glad og positiv.") == set()


def test_danish_surface_forms_are_used_when_the_file_exists(tmp_path: Path) -> None:
    esco = load_esco()
    skill = esco.skill_uris[esco.skill_labels.index("SQL")]
    occ = esco.occ_uris[esco.occ_labels.index("software developer")]
    data = {
        "occupations": [
            {
                "esco_uri": occ,
                "title_da": "Programmørspecialist",
                "alt_titles_da": ["kodeknuser"],
                "skills": [{"esco_uri": skill, "label_en": "SQL", "da": ["databaseforespørgsler"]}],
            }
        ]
    }
    path = tmp_path / "occupations_da.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    vocab = SkillVocabulary(esco, load_danish(path))
    i = esco.skill_index[skill]
    assert i in vocab.recognise("Jeg skriver databaseforespørgsler hver dag.")
    assert vocab.label(i) == "databaseforespørgsler"
    assert vocab.occupation_of_title("Senior kodeknuser") == esco.occ_index[occ]
    assert vocab.is_occupation_title("programmørspecialist")
    assert load_danish(tmp_path / "missing.json") == []


def test_geography() -> None:
    pc = danish_postcodes()
    assert len(pc) > 1000
    ode, aar = pc.lookup("5000"), pc.lookup("DK-8000 Aarhus C")
    assert ode and aar and pc.lookup("0000") is None and pc.lookup(None) is None
    d = haversine_km(*ode, *aar)
    assert 75 < d < 95
    home = to_xyz(*ode)
    far = distances_km(np.array([to_xyz(*aar), to_xyz(*ode)]), home)
    assert far[0] == pytest.approx(d, rel=1e-6) and far[1] == pytest.approx(0, abs=1e-6)
    g = geo_score(np.array([0.0, 30.0, 60.0]), 30.0)
    assert g[0] == 1 and g[1] == pytest.approx(0.5) and g[2] < g[1]
    assert Postcodes({"1234": (55.0, 12.0)}).lookup("1234") == (55.0, 12.0)


def test_esco_compact_file_is_reproducible_and_small(tmp_path: Path) -> None:
    out = build_compact(out=tmp_path / "esco.json.gz")
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    assert digest == hashlib.sha256(DEFAULT_FILE.read_bytes()).hexdigest()
    assert DEFAULT_FILE.stat().st_size < 10 * 2**20
    with gzip.open(out, "rt", encoding="utf-8") as fh:
        doc = json.load(fh)
    assert len(doc["skills"]["id"]) == 13896 and len(doc["occupations"]["id"]) == 3007
    esco = load_esco()
    dev = esco.occ_labels.index("software developer")
    assert esco.occ_isco[dev] == "2512" and esco.essential[dev].nnz > 5


def test_import_boundary() -> None:
    code = (
        "import sys, recommender, recommender.ranking, recommender.cli, recommender.io, "
        "recommender.alternatives, recommender.automatch, recommender.evaluate, recommender.bench;"
        "bad = [m for m in ('flask', 'sqlmodel', 'sqlalchemy') if m in sys.modules];"
        "print(','.join(bad))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == ""


def test_bench_reports_every_figure() -> None:
    from recommender.bench import run_bench

    out = run_bench(n_postings=1500, n_queries=20, encoders=False)
    for key in ("rank_with_explanations", "floor_numpy_dot_topk"):
        assert out[key]["p50_ms"] > 0 and out[key]["p95_ms"] >= out[key]["p50_ms"]
    assert out["memory"]["embedding_matrix_mb"] == pytest.approx(1500 * 384 * 4 / 2**20, rel=0.01)
    assert out["p95_ratio_to_floor"] > 0
