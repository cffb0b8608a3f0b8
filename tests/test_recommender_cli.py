"""Reading schema.org/JSON Resume lines, the TREC writer, and the command line's error handling."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from recommender.io import (
    RecordError,
    iter_trec,
    posting_from_jsonld,
    profile_from_resume,
    read_postings,
)
from recommender.types import Explanation, Recommendation

ROOT = Path(__file__).resolve().parent.parent

POSTINGS = [
    {
        "@type": "JobPosting",
        "identifier": {"@type": "PropertyValue", "propertyID": "jobnet", "value": "J1"},
        "title": "Sygeplejerske",
        "description": "<p>Vi søger en <b>sygeplejerske</b> til akutmodtagelsen.</p>",
        "skills": "akut sygepleje, medicinhåndtering",
        "occupationalCategory": {
            "@type": "CategoryCode",
            "codeValue": "2221",
            "url": "http://data.europa.eu/esco/occupation/f0a8ab5b-3b56-4a95-8d59-1dfd4f5be9c6",
        },
        "jobLocation": {"address": {"postalCode": "5000"}},
        "hiringOrganization": {"name": "OUH"},
        "employmentType": ["FULL_TIME"],
    },
    {
        "identifier": "J2",
        "title": "Udvikler",
        "description": "Python",
        "jobLocationType": "TELECOMMUTE",
        "skills": ["Python", "SQL"],
        "occupationalCategory": "2512",
    },
    {"identifier": "J3", "title": "Tømrer", "description": "Renovering.", "jobLocation": [{}]},
]

PROFILES = [
    {
        "id": "C1",
        "basics": {
            "summary": "Sygeplejerske med erfaring fra akutmodtagelsen.",
            "label": "Sygeplejerske",
            "location": {"postalCode": "5000"},
        },
        "work": [{"position": "Sygeplejerske", "name": "OUH", "highlights": ["Akut sygepleje"]}],
        "education": [{"studyType": "Professionsbachelor", "area": "Sygepleje"}],
        "skills": [{"name": "Faglige", "keywords": ["medicinhåndtering"]}],
        "interests": [{"name": "Løb"}, {"name": "Job", "keywords": ["2221"]}],
        "commuteKm": 40,
    },
    {"id": "C2", "basics": {"summary": "Jeg er tømrer."}},
]


def write_jsonl(path: Path, rows: list, bad_lines: dict[int, str] | None = None) -> None:
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    for at, text in sorted((bad_lines or {}).items()):
        lines.insert(at - 1, text)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    return subprocess.run(
        [sys.executable, "-m", "recommender", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )


def test_posting_from_schema_org() -> None:
    p = posting_from_jsonld(POSTINGS[0])
    assert (p.id, p.source, p.employer, p.postcode) == ("J1", "jobnet", "OUH", "5000")
    assert "<" not in p.description and "sygeplejerske" in p.description
    assert p.skills == ["akut sygepleje", "medicinhåndtering"]
    assert p.isco_code == "2221" and p.occupation_uri.endswith("1dfd4f5be9c6")
    assert p.employment_type == "FULL_TIME" and not p.remote
    q = posting_from_jsonld(POSTINGS[1])
    assert q.remote and q.isco_code == "2512" and q.skills == ["Python", "SQL"]
    assert posting_from_jsonld(POSTINGS[2]).postcode is None
    for bad in (
        {"title": "x"},
        {"identifier": "x"},
        [],
        {"identifier": {"value": None}, "title": "x"},
    ):
        with pytest.raises(RecordError):
            posting_from_jsonld(bad)


def test_profile_from_json_resume() -> None:
    p = profile_from_resume(PROFILES[0])
    assert p.id == "C1" and p.postcode == "5000" and p.commute_km == 40
    assert "Sygeplejerske" in p.summary and p.work_titles[0] == "Sygeplejerske"
    assert "medicinhåndtering" in p.skills and p.wished_isco_codes == ["2221"]
    assert p.interests == ["Løb", "Job"] and p.wished_titles == []
    assert "Professionsbachelor" in p.education[0]
    with pytest.raises(RecordError):
        profile_from_resume({"basics": {}})
    with pytest.raises(RecordError):
        profile_from_resume({"id": "x", "commuteKm": "far"})


def test_trec_lines_keep_rank_order_when_scores_tie() -> None:
    e = Explanation("v", "hybrid", 0.5)
    recs = [Recommendation(f"d{i}", i + 1, 0.5, e) for i in range(3)]
    lines = list(iter_trec("q", recs, "t"))
    scores = [float(x.split()[4]) for x in lines]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 3
    assert lines[0].split()[:4] == ["q", "Q0", "d0", "1"]


def test_reader_reports_bad_lines_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    write_jsonl(path, POSTINGS, {2: "{not json", 4: '{"identifier": "x"}'})
    items, errors = read_postings(path)
    assert [p.id for p in items] == ["J1", "J2", "J3"]
    assert [(e.line, e.path) for e in errors] == [(2, str(path)), (4, str(path))]
    assert "invalid JSON" in errors[0].message and "title" in errors[1].message


def test_cli_rank_reports_malformed_lines_and_ranks_the_rest(tmp_path: Path) -> None:
    post, prof = tmp_path / "postings.jsonl", tmp_path / "profiles.jsonl"
    write_jsonl(post, POSTINGS, {3: "{broken"})
    write_jsonl(prof, PROFILES, {2: '{"basics": {}}', 3: "[1, 2"})
    res = run_cli(
        "rank", "--postings", str(post), "--profiles", str(prof), "--k", "5",
        "--backend", "hashing", "--no-cache",
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert f"{post}:3:" in res.stderr
    assert f"{prof}:2: missing id" in res.stderr and f"{prof}:3: invalid JSON" in res.stderr
    lines = [x.split() for x in res.stdout.splitlines()]
    assert {x[0] for x in lines} == {"C1", "C2"}
    assert all(len(x) == 6 and x[1] == "Q0" and x[5] == "hybrid" for x in lines)
    c1 = [x for x in lines if x[0] == "C1"]
    assert [int(x[3]) for x in c1] == list(range(1, len(c1) + 1))
    assert len(c1) == 3  # every valid posting (the broken line skipped)
    assert c1[0][2] == "J1"  # the nurse posting first for the nurse


def test_cli_rank_fails_only_when_nothing_could_be_ranked(tmp_path: Path) -> None:
    post, prof = tmp_path / "postings.jsonl", tmp_path / "profiles.jsonl"
    write_jsonl(post, POSTINGS)
    prof.write_text('{"no": "id"}\nnot json\n', encoding="utf-8")
    res = run_cli("rank", "--postings", str(post), "--profiles", str(prof), "--backend", "hashing")
    assert res.returncode == 1
    assert "nothing could be ranked" in res.stderr
    assert f"{prof}:1:" in res.stderr and f"{prof}:2:" in res.stderr


@pytest.mark.parametrize("method", ["semantic", "lexical", "automatch"])
def test_cli_rank_methods(tmp_path: Path, method: str) -> None:
    post, prof = tmp_path / "postings.jsonl", tmp_path / "profiles.jsonl"
    write_jsonl(post, POSTINGS)
    write_jsonl(prof, PROFILES)
    res = run_cli(
        "rank", "--postings", str(post), "--profiles", str(prof), "--method", method,
        "--backend", "hashing", "--k", "2",
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert all(line.endswith(method) for line in res.stdout.splitlines())


def test_cli_evaluate_prints_metrics(tmp_path: Path) -> None:
    post, prof, qrels = tmp_path / "p.jsonl", tmp_path / "c.jsonl", tmp_path / "q.trec"
    write_jsonl(post, POSTINGS)
    write_jsonl(prof, PROFILES)
    qrels.write_text("C1 0 J1 3\nC2 0 J3 2\nC2 0 J2 0\n", encoding="utf-8")
    res = run_cli(
        "evaluate", "--postings", str(post), "--profiles", str(prof), "--qrels", str(qrels),
        "--backend", "hashing", "--json", "--resamples", "200",
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert set(doc["methods"]) == {"hybrid", "semantic", "semantic+geo", "lexical", "automatch"}
    for m in doc["methods"].values():
        assert {"ndcg@10", "precision@10", "mrr", "recall@100"} <= set(m)
        ndcg = m["ndcg@10"]
        assert 0 <= ndcg["low"] <= ndcg["mean"] <= ndcg["high"] <= 1
    # Both relevant postings are easy to find for the hybrid here.
    assert doc["methods"]["hybrid"]["recall@100"]["mean"] == 1.0
