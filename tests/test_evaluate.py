"""The evaluation's statistics, splits, code stripping, language strata and free-text grader.

Small synthetic data and the hashing encoder only; the real figures come from
`python -m recommender evaluate` (docs/evaluation.md), never from asserts here.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from recommender.encoders import load_encoder
from recommender.evaluate import (
    bootstrap,
    load_suite,
    paired_bootstrap,
    per_query,
    run_method,
    split_by_group,
    strip_occupation_codes,
)
from recommender.ranking import Recommender
from recommender.types import Posting, Profile

ROOT = Path(__file__).resolve().parents[1]
NURSE = "http://data.europa.eu/esco/occupation/nurse"
BAKER = "http://data.europa.eu/esco/occupation/baker"
COOK = "http://data.europa.eu/esco/occupation/cook"


def test_metrics_follow_the_trec_definitions() -> None:
    # q1: grades d1=3, d2=1, d3=0 (judged, not relevant); ranked d3, d1, x, d2.
    qrels = {"q1": {"d1": 3, "d2": 1, "d3": 0}, "q2": {"d9": 2}, "q3": {"d5": 0}}
    run = {"q1": {"d3": 4.0, "d1": 3.0, "x": 2.0, "d2": 1.0}}
    scores = per_query(qrels, run)
    dcg = 3 / np.log2(3) + 1 / np.log2(5)
    ideal = 3 / np.log2(2) + 1 / np.log2(3)
    assert scores["ndcg@10"]["q1"] == pytest.approx(dcg / ideal)
    assert scores["precision@10"]["q1"] == pytest.approx(0.2)
    assert scores["mrr"]["q1"] == pytest.approx(0.5)
    assert scores["recall@100"]["q1"] == pytest.approx(1.0)
    # A judged query without a run counts 0; a query with no relevant posting is left out.
    assert {m: s["q2"] for m, s in scores.items()} == dict.fromkeys(scores, 0.0)
    assert all("q3" not in s for s in scores.values())


def test_metrics_break_score_ties_by_document_id() -> None:
    scores = per_query({"q": {"b": 1}}, {"q": {"b": 1.0, "a": 1.0}})
    assert scores["mrr"]["q"] == pytest.approx(0.5)


def test_bootstrap_interval_contains_mean_and_is_fixed_by_seed() -> None:
    values = np.random.default_rng(1).random(60)
    a = bootstrap(values, resamples=1000, seed=7)
    assert a.mean == pytest.approx(values.mean())
    assert a.low < a.mean < a.high
    assert a == bootstrap(values, resamples=1000, seed=7)
    assert a != bootstrap(values, resamples=1000, seed=8)
    wide = bootstrap(values[:6], resamples=1000, seed=7)
    assert wide.high - wide.low > a.high - a.low  # fewer queries, less certainty


def test_paired_bootstrap_pairs_queries() -> None:
    a = {"q1": 0.9, "q2": 0.5, "q3": 0.7, "q4": 0.2}
    b = {"q1": 0.8, "q2": 0.4, "q3": 0.6, "q4": 0.1, "other": 0.0}
    diff, n = paired_bootstrap(a, b, resamples=1000, seed=3)
    assert n == 4
    assert diff.mean == pytest.approx(0.1) and diff.low == pytest.approx(0.1)
    views = {"q1-T": 0.5, "q2-T": 0.5}
    diff, n = paired_bootstrap(views, a, resamples=500, pair=lambda q: q[:-2])
    assert n == 2 and diff.mean == pytest.approx(((0.5 - 0.9) + (0.5 - 0.5)) / 2)


def test_group_split_keeps_each_occupation_in_one_half() -> None:
    occupations = [f"http://data.europa.eu/esco/occupation/o{i}" for i in range(40)]
    group_of = {f"C{2 * i + j:04d}": occ for i, occ in enumerate(occupations) for j in range(2)}
    group_of |= {"H001": occupations[0], "X1": ""}  # a hand-written twin, one without truth
    tune, test = split_by_group(list(group_of), group_of)
    assert sorted(tune + test) == sorted(group_of)
    assert not {group_of[q] for q in tune if group_of[q]} & {group_of[q] for q in test}
    assert tune and test and 0.25 < len(tune) / len(group_of) < 0.75
    assert (tune, test) == split_by_group(reversed(list(group_of)), group_of)


def _posting(pid: str, title: str, postcode: str, **extra: Any) -> dict[str, Any]:
    return {
        "@type": "JobPosting",
        "identifier": pid,
        "title": title,
        "description": f"{title}. Vi søger en dygtig medarbejder til vores team. " * 3,
        "hiringOrganization": {"name": "Firma"},
        "jobLocation": {"address": {"postalCode": postcode, "addressCountry": "DK"}},
        "employmentType": "FULL_TIME",
        "datePosted": "2025-02-03",
        "validThrough": "2025-03-31",
        **extra,
    }


def _write(path: Path, rows: list[dict[str, Any]] | dict[str, Any], lines: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if lines:
        assert isinstance(rows, list)
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    else:
        path.write_text(json.dumps(rows), encoding="utf-8")


def test_codes_are_stripped_for_the_headline(tmp_path: Path) -> None:
    code = {"@type": "CategoryCode", "codeValue": "2221", "url": NURSE}
    _write(
        tmp_path / "postings.jsonl",
        [_posting("P1", "Sygeplejerske", "8000", occupationalCategory=code)],
    )
    _write(
        tmp_path / "profiles.jsonl", [{"id": "C1", "basics": {"summary": "Jeg er sygeplejerske."}}]
    )
    (tmp_path / "qrels.trec").write_text("C1 0 P1 3\n", encoding="utf-8")
    suite = load_suite(tmp_path)
    assert suite.postings[0].occupation_uri == NURSE  # kept for the with-codes comparison
    stripped = strip_occupation_codes(suite.postings)
    assert stripped[0].occupation_uri is None and stripped[0].isco_code is None
    assert stripped[0].title == "Sygeplejerske"
    assert suite.postings[0].isco_code == "2221"  # the original is untouched


@pytest.fixture(scope="module")
def hashing_rec() -> tuple[Recommender, list[str], np.ndarray]:
    postings = [
        Posting(id=f"D{i}", title="Bager", description="Bager til bageri, brød og kager.")
        for i in range(5)
    ] + [
        Posting(id=f"E{i}", title="Baker", description="Baker for a bakery: bread and cakes.")
        for i in range(5)
    ]
    rec = Recommender.build(postings, load_encoder("hashing"))
    ids = [p.id for p in postings]
    danish = np.array([i.startswith("D") for i in ids])
    return rec, ids, danish


@pytest.mark.parametrize("method", ["hybrid", "semantic", "lexical", "automatch"])
def test_language_mask_ranks_only_that_language(
    hashing_rec: tuple[Recommender, list[str], np.ndarray], method: str
) -> None:
    rec, ids, danish = hashing_rec
    cv = Profile(id="q", summary="I am a baker: bread and cakes.", work_titles=["Baker", "Bager"])
    unmasked = run_method(rec, [cv], method, k=10)["q"]
    masked = run_method(rec, [cv], method, k=10, masks={"q": danish}, row_ids=ids)["q"]
    assert masked and all(d.startswith("D") for d in masked)
    if method != "automatch":  # automatch finds titles by words, which the English ones win
        assert any(d.startswith("E") for d in unmasked)


def _freetext_module() -> ModuleType:
    path = ROOT / "scripts" / "build_freetext_qrels.py"
    spec = importlib.util.spec_from_file_location("build_freetext_qrels", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_freetext_grader_distance_rule_and_grades(tmp_path: Path) -> None:
    pytest.importorskip("countrystatecity_postal_codes")
    ft = _freetext_module()
    ev = tmp_path / "eval"
    # The old set: two postings with truth, one hand-written CV with qrels.
    _write(ev / "postings.jsonl", [_posting("P1", "Kok", "8200"), _posting("P2", "Kok", "2100")])
    _write(
        ev / "postings_truth.jsonl",
        [{"id": "P1", "occupation_uri": COOK}, {"id": "P2", "occupation_uri": COOK}],
    )
    resume = {
        "id": "H001",
        "basics": {"summary": "Jeg er kok.", "location": {"postalCode": "8000"}},
        "work": [{"position": "Kok", "name": "Kantinen", "summary": "Jeg laver mad."}],
        "skills": [{"name": "Faglige kompetencer", "keywords": ["madlavning"]}],
        "commuteKm": 25,
    }
    _write(ev / "handwritten_profiles.jsonl", [resume])
    _write(ev / "profiles.jsonl", [resume])
    _write(ev / "profiles_truth.jsonl", [{"id": "H001", "occupation_uri": COOK, "isco": "5120"}])
    (ev / "qrels.trec").write_text("H001 0 P1 3\n", encoding="utf-8")
    # One batch: a baker in Aarhus (8000) who commutes 20 km.
    batch = ev / "freetext" / "b1"
    text = "Bager i 12 år.\nBopæl: 8000 Aarhus C\nJeg kan pendle op til 20 km."
    _write(
        batch / "cvs.jsonl",
        [
            {"id": "B-C01", "lang": "da", "text": text, "occupation_uri": BAKER, "isco": "7512",
             "postcode": "8000", "commute_km": 20, "in_catalogue": False},
            {"id": "B-C02", "lang": "da", "text": "Uden dom.", "postcode": "8000"},
        ],
    )  # fmt: skip
    code = {"@type": "CategoryCode", "codeValue": "7512", "url": BAKER}
    _write(
        batch / "postings.jsonl",
        [
            _posting("B-P1", "Bager", "8200", occupationalCategory=code),  # near, own job
            _posting("B-P2", "Bager", "2100"),  # far, own job
            _posting("B-P3", "Bager", "2100", jobLocationType="TELECOMMUTE"),  # far, remote
            _posting("B-P4", "Kok", "8210"),  # near, related job
            _posting("B-P5", "Sygeplejerske", "8200"),  # near, unrelated
        ],
    )
    with (batch / "postings.jsonl").open("a") as fh:
        fh.write('{"identifier": "B-P6", "title": "cut off mid-li\n')
    _write(
        batch / "postings_truth.jsonl",
        [{"id": f"B-P{i}", "occupation_uri": BAKER} for i in (1, 2, 3)]
        + [{"id": "B-P4", "occupation_uri": COOK}, {"id": "B-P5", "occupation_uri": NURSE}],
    )
    _write(
        batch / "judgements.json",
        {"B-C01": {"3": [BAKER], "2": [COOK], "reason": "x"}},
        lines=False,
    )

    counts = ft.build(ev, ev / "freetext")
    out = ev / "freetext"
    qrels = [line.split() for line in (out / "qrels.trec").read_text().splitlines()]
    graded = {(q, d): int(g) for q, _, d, g in qrels}
    assert graded[("B-C01", "B-P1")] == 3  # own occupation, within 20 km
    assert ("B-C01", "B-P2") not in graded  # own occupation, too far
    assert graded[("B-C01", "B-P3")] == 3  # far but remote
    assert graded[("B-C01", "B-P4")] == 2  # related occupation, near
    assert ("B-C01", "B-P5") not in graded  # near but not judged relevant
    assert graded[("B-C01", "P1")] == 2  # the old set's postings are in the pool too
    assert graded[("H001-T", "P1")] == 3  # the text view keeps the structured CV's grades
    assert not any(q == "B-C02" for q, _ in graded)  # no judgements: left out, not guessed

    profiles = [json.loads(x) for x in (out / "profiles.jsonl").read_text().splitlines()]
    by_id = {p["id"]: p for p in profiles}
    assert set(by_id) == {"H001-T", "B-C01"}
    assert by_id["B-C01"] == {"id": "B-C01", "basics": {"summary": text}}  # no truth leaks
    view = by_id["H001-T"]["basics"]["summary"]
    assert "Bopæl: 8000 Aarhus C" in view and "25 km" in view and "madlavning" in view
    batch_postings = [json.loads(x) for x in (out / "postings.jsonl").read_text().splitlines()]
    assert [p["identifier"] for p in batch_postings] == [f"B-P{i}" for i in range(1, 6)]
    assert not any("occupationalCategory" in p for p in batch_postings)
    strata = {r["id"]: r for r in map(json.loads, (out / "strata.jsonl").read_text().splitlines())}
    assert strata["H001-T"]["pool"] == "eval" and strata["H001-T"]["pair"] == "H001"
    assert strata["B-C01"]["pool"] == "all" and strata["B-C01"]["occupation_uri"] == BAKER
    assert counts["warnings"] >= 2  # the cut-off line and the CV without judgements

    first = (out / "qrels.trec").read_bytes()
    ft.build(ev, ev / "freetext")
    assert (out / "qrels.trec").read_bytes() == first  # deterministic

    suite = load_suite(ev)
    assert {q.profile.id for q in suite.queries} == {"H001", "H001-T", "B-C01"}
    assert suite.pools["eval"] == {"P1", "P2"}
