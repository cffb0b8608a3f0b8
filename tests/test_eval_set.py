"""Checks of the committed Danish evaluation set in eval/ (see eval/README.md).

The distance check deliberately recomputes distances here from the postcode package instead of
reusing the build script, so a bug in the script's geometry cannot hide itself.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import subprocess
import sys
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "eval"
SCRIPT = ROOT / "scripts" / "build_eval_set.py"
BUILT_FILES = [
    "postings.jsonl",
    "profiles.jsonl",
    "qrels.trec",
    "handwritten_judgements.md",
    "profiles_truth.jsonl",
    "postings_truth.jsonl",
]
# The grading convention for the few hand-written CVs without commuteKm (eval/README.md).
DEFAULT_COMMUTE_KM = 40.0
ESCO_OCCUPATION = "http://data.europa.eu/esco/occupation/"


def _jsonl(name: str) -> list[dict[str, Any]]:
    rows = []
    for n, line in enumerate((EVAL / name).read_text(encoding="utf-8").splitlines(), start=1):
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:  # pragma: no cover - the assertion message is the point
            pytest.fail(f"{name} line {n} is not valid JSON: {exc}")
    return rows


def _qrels() -> list[tuple[str, str, int]]:
    out = []
    for line in (EVAL / "qrels.trec").read_text(encoding="utf-8").splitlines():
        qid, zero, docid, grade = line.split()
        assert zero == "0"
        out.append((qid, docid, int(grade)))
    return out


@pytest.fixture(scope="module")
def postings() -> list[dict[str, Any]]:
    return _jsonl("postings.jsonl")


@pytest.fixture(scope="module")
def profiles() -> list[dict[str, Any]]:
    return _jsonl("profiles.jsonl")


@pytest.fixture(scope="module")
def qrels() -> list[tuple[str, str, int]]:
    return _qrels()


def test_counts(postings: list[dict[str, Any]], profiles: list[dict[str, Any]]) -> None:
    assert len(postings) >= 2000
    generated = [p for p in profiles if p["id"].startswith("C")]
    handwritten = [p for p in profiles if p["id"].startswith("H")]
    assert len(generated) >= 150
    assert len(handwritten) >= 40
    assert len(_jsonl("handwritten_profiles.jsonl")) == len(handwritten)


def test_postings_are_schema_org_jobpostings(postings: list[dict[str, Any]]) -> None:
    ids = [p["identifier"] for p in postings]
    assert len(set(ids)) == len(ids)
    for p in postings:
        assert p["@type"] == "JobPosting"
        assert p["title"].strip() and len(p["description"]) > 80
        assert p["hiringOrganization"]["name"].strip()
        address = p["jobLocation"]["address"]
        assert address["addressCountry"] == "DK" and len(address["postalCode"]) == 4
        assert p["employmentType"] in {"FULL_TIME", "PART_TIME"}
        assert p["datePosted"] < p["validThrough"]
        category = p.get("occupationalCategory")
        if category is not None:
            assert category["@type"] == "CategoryCode"
            assert len(category["codeValue"]) == 4 and category["codeValue"].isdigit()
            assert category["url"].startswith("http://data.europa.eu/esco/occupation/")
    n = len(postings)
    with_category = sum("occupationalCategory" in p for p in postings)
    with_skills = sum("skills" in p for p in postings)
    remote = sum(p.get("jobLocationType") == "TELECOMMUTE" for p in postings)
    assert 0.35 * n < with_category < 0.65 * n
    assert 0.35 * n < with_skills < 0.65 * n
    assert 10 <= remote < 0.1 * n


def test_profiles_are_json_resume(profiles: list[dict[str, Any]]) -> None:
    ids = [p["id"] for p in profiles]
    assert len(set(ids)) == len(ids)
    for p in profiles:
        assert "Jeg " in p["basics"]["summary"], p["id"]  # written in the first person
        assert p["work"] and all(w["position"] and w["summary"] for w in p["work"])
        for s in p.get("skills", []):
            assert s["name"] and isinstance(s["keywords"], list)
        if "commuteKm" in p:
            assert p["commuteKm"] > 0
    # Missing optional fields must occur, or the set would not test robustness to them.
    assert any("location" not in p["basics"] for p in profiles)
    assert any("skills" not in p for p in profiles)
    assert any("commuteKm" not in p for p in profiles)


def test_generated_profiles_state_their_own_commute(profiles: list[dict[str, Any]]) -> None:
    generated = [p for p in profiles if p["id"].startswith("C")]
    radii = Counter(p["commuteKm"] for p in generated)
    assert all(10 <= km <= 60 for km in radii) and len(radii) >= 6
    for p in generated:  # the radius is said in the text too, where a reader of the CV sees it
        assert f"{p['commuteKm']} km" in p["basics"]["summary"], p["id"]


def test_generated_wishes_do_not_echo_posting_titles(
    postings: list[dict[str, Any]], profiles: list[dict[str, Any]]
) -> None:
    generated = [p for p in profiles if p["id"].startswith("C")]
    wishes = [
        m.group(1).lower()
        for p in generated
        if (
            m := re.search(
                r"(?:job|stilling|arbejde) som ([^.]+?)(?: igen)?\.", p["basics"]["summary"]
            )
        )
    ]
    titles = {p["title"].lower() for p in postings}
    echoed = sum(w in titles for w in wishes)
    # Most CVs state no job title at all, or another wording than a posting's title.
    assert len(wishes) < 0.6 * len(generated)
    assert echoed < 0.3 * len(generated)
    assert sum("label" in p["basics"] for p in generated) < 0.45 * len(generated)


def test_truth_files(postings: list[dict[str, Any]], profiles: list[dict[str, Any]]) -> None:
    for name, ids in (
        ("profiles_truth.jsonl", [p["id"] for p in profiles]),
        ("postings_truth.jsonl", [p["identifier"] for p in postings]),
    ):
        truth = _jsonl(name)
        assert [t["id"] for t in truth] == ids, name
        for t in truth:
            assert t["occupation_uri"].startswith(ESCO_OCCUPATION)
            assert len(t["isco"]) == 4 and t["isco"].isdigit()
    by_posting = {t["id"]: t for t in _jsonl("postings_truth.jsonl")}
    for p in postings:  # the truth agrees with the codes the postings carry
        if "occupationalCategory" in p:
            assert p["occupationalCategory"]["url"] == by_posting[p["identifier"]]["occupation_uri"]
    per_occupation = Counter(
        t["occupation_uri"] for t in _jsonl("profiles_truth.jsonl") if t["id"].startswith("C")
    )
    assert set(per_occupation.values()) == {2}  # the generated come in twins


def test_qrels_ids_exist_and_grades_are_valid(
    postings: list[dict[str, Any]],
    profiles: list[dict[str, Any]],
    qrels: list[tuple[str, str, int]],
) -> None:
    posting_ids = {p["identifier"] for p in postings}
    profile_ids = {p["id"] for p in profiles}
    pairs = [(q, d) for q, d, _ in qrels]
    assert len(set(pairs)) == len(pairs), "duplicate judgements"
    for qid, docid, grade in qrels:
        assert qid in profile_ids, qid
        assert docid in posting_ids, docid
        assert grade in (1, 2, 3)
    assert {g for _, _, g in qrels} == {1, 2, 3}


def test_every_profile_has_three_relevant(
    profiles: list[dict[str, Any]], qrels: list[tuple[str, str, int]]
) -> None:
    relevant = Counter(q for q, _, g in qrels if g >= 1)
    short = [p["id"] for p in profiles if relevant[p["id"]] < 3]
    assert not short, f"profiles with fewer than 3 relevant postings: {short}"


def _centroids() -> dict[str, tuple[float, float]]:
    ref = resources.files("countrystatecity_postal_codes").joinpath(
        "data/by-country/DK/postcodes.json"
    )
    out: dict[str, tuple[float, float]] = {}
    for row in json.loads(ref.read_text(encoding="utf-8")):
        if row.get("latitude") is not None:
            out.setdefault(str(row["code"]), (float(row["latitude"]), float(row["longitude"])))
    return out


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (la1, lo1), (la2, lo2) = (tuple(map(math.radians, x)) for x in (a, b))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def test_distance_rule(
    postings: list[dict[str, Any]],
    profiles: list[dict[str, Any]],
    qrels: list[tuple[str, str, int]],
) -> None:
    pytest.importorskip("countrystatecity_postal_codes")
    centroids = _centroids()
    by_posting = {p["identifier"]: p for p in postings}
    by_profile = {p["id"]: p for p in profiles}
    checked = 0
    for qid, docid, grade in qrels:
        profile, posting = by_profile[qid], by_posting[docid]
        home = profile["basics"].get("location", {}).get("postalCode")
        if grade < 2 or home is None or posting.get("jobLocationType") == "TELECOMMUTE":
            continue
        limit = float(profile.get("commuteKm", DEFAULT_COMMUTE_KM))
        distance = _km(centroids[home], centroids[posting["jobLocation"]["address"]["postalCode"]])
        assert distance <= limit + 1e-6, (
            f"{qid}/{docid}: grade {grade} at {distance:.1f} km > {limit}"
        )
        checked += 1
    assert checked > 1000  # the rule was really exercised


def test_build_is_deterministic(tmp_path: Path) -> None:
    pytest.importorskip("countrystatecity_postal_codes")
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path)], check=True, capture_output=True
    )
    for name in BUILT_FILES:
        committed = hashlib.sha256((EVAL / name).read_bytes()).hexdigest()
        rebuilt = hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
        assert committed == rebuilt, f"{name} differs from a fresh build"


def test_size_budget() -> None:
    total = sum(f.stat().st_size for f in EVAL.rglob("*") if f.is_file())
    assert total < 15 * 1024 * 1024
