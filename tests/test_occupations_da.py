"""Validate the Danish occupation and skill catalogue against the ESCO v1.1.1 CSVs.

The catalogue (``recommender/data/occupations_da.json``) is checked here against the ESCO zips in
``data/esco-v1.1.1/``, read independently of the build script, so that a wrong URI, a skill that is
not really linked to its occupation, a wrong relation type or ISCO code, or a broken shape rule
fails the suite. The hand-written content lives in ``data/occupations_da/*.toml``; the files are
checked for their keys and types here, and the catalogue is rebuilt from them with
``scripts/build_occupations_da.py`` to make sure the committed file is the script's current output,
byte for byte.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "recommender" / "data" / "occupations_da.json"
ESCO_DIR = ROOT / "data" / "esco-v1.1.1"
BUILD_SCRIPT = ROOT / "scripts" / "build_occupations_da.py"
DATA_DIR = ROOT / "data" / "occupations_da"
DATA_FILES = ["common.toml", *(f"isco-{group}.toml" for group in range(10))]

# Keys of one [[occupation]] table in data/occupations_da/isco-*.toml, with their types.
SPEC_KEYS = {
    "esco": str,
    "title": str,
    "alt": list,
    "industry": str,
    "education": str,
    "unskilled": bool,
    "tasks": list,
    "personal": list,
    "skills": dict,
}

OCCUPATION_KEYS = [
    "esco_uri",
    "esco_label_en",
    "isco_code",
    "title_da",
    "alt_titles_da",
    "industry_da",
    "education_da",
    "no_qualifications_required",
    "skills",
    "tasks_da",
    "personal_da",
]
SKILL_KEYS = ["esco_uri", "label_en", "relation", "da"]
TRANSVERSAL_KEYS = ["esco_uri", "label_en", "da"]

# Common Danish jobs the brief asked for; each must be a title or an alternative title.
COMMON_JOBS = [
    "sygeplejerske",
    "social- og sundhedshjælper",
    "social- og sundhedsassistent",
    "pædagog",
    "pædagogmedhjælper",
    "pædagogisk assistent",
    "lærer",
    "lagermedarbejder",
    "chauffør",
    "lastbilchauffør",
    "buschauffør",
    "tømrer",
    "elektriker",
    "vvs'er",
    "murer",
    "kok",
    "tjener",
    "rengøringsassistent",
    "butiksassistent",
    "kassemedarbejder",
    "kontorassistent",
    "bogholder",
    "revisor",
    "hr-konsulent",
    "salgskonsulent",
    "kundeservicemedarbejder",
    "softwareudvikler",
    "it-supporter",
    "data analytiker",
    "projektleder",
    "maskinmester",
    "smed",
    "mekaniker",
    "landmand",
    "landbrugsmedhjælper",
    "gartner",
    "anlægsgartner",
    "frisør",
    "fysioterapeut",
    "ergoterapeut",
    "læge",
    "tandlæge",
    "jurist",
    "økonom",
    "ingeniør",
    "arkitekt",
    "journalist",
    "grafiker",
    "marketingkoordinator",
    "ejendomsservicetekniker",
    "postbud",
    "lokomotivfører",
    "politibetjent",
    "brandmand",
    "vagt",
    "sikkerhedsvagt",
    "hjemmehjælper",
    "laborant",
    "farmakonom",
    "apoteker",
    "dyrepasser",
    "bager",
    "slagter",
    "receptionist",
    "rejsekonsulent",
    "kranfører",
    "truckfører",
    "produktionsmedarbejder",
    "procesoperatør",
    "cnc-operatør",
    "svejser",
    "maler",
    "tagdækker",
    "skovarbejder",
    "fisker",
]


@dataclass(frozen=True)
class EscoTables:
    occupations: dict[str, dict[str, str]]
    skills: dict[str, dict[str, str]]
    transversal: frozenset[str]
    relations: dict[tuple[str, str], str]


def _rows(zip_name: str, member: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(ESCO_DIR / zip_name) as archive, archive.open(member) as raw:
        return list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")))


@pytest.fixture(scope="module")
def esco() -> EscoTables:
    classification = "esco-v1.1.1-classification-en-csv.zip"
    occupations = {row["conceptUri"]: row for row in _rows(classification, "occupations_en.csv")}
    skills = {row["conceptUri"]: row for row in _rows(classification, "skills_en.csv")}
    transversal = frozenset(
        row["conceptUri"] for row in _rows(classification, "transversalSkillsCollection_en.csv")
    )
    relations = {
        (row["occupationUri"], row["skillUri"]): row["relationType"]
        for row in _rows("esco-v1.1.1-relations-csv.zip", "occupationSkillRelations.csv")
    }
    return EscoTables(occupations, skills, transversal, relations)


@pytest.fixture(scope="module")
def catalogue() -> dict[str, Any]:
    return json.loads(CATALOGUE.read_bytes().decode("utf-8"))


@pytest.fixture(scope="module")
def occupations(catalogue: dict[str, Any]) -> list[dict[str, Any]]:
    return catalogue["occupations"]


def test_file_is_utf8_json_under_size_limit(catalogue: dict[str, Any]) -> None:
    raw = CATALOGUE.read_bytes()
    assert len(raw) < 1.5 * 1024 * 1024
    raw.decode("utf-8")  # raises on invalid UTF-8
    assert list(catalogue) == ["esco_version", "notice", "source", "occupations", "transversal_da"]
    assert "ESCO classification of the European Commission" in catalogue["notice"]


def test_key_order_is_fixed(catalogue: dict[str, Any], occupations: list[dict[str, Any]]) -> None:
    for occupation in occupations:
        assert list(occupation) == OCCUPATION_KEYS, occupation["title_da"]
        for skill in occupation["skills"]:
            assert list(skill) == SKILL_KEYS, (occupation["title_da"], skill)
    for entry in catalogue["transversal_da"]:
        assert list(entry) == TRANSVERSAL_KEYS, entry


def test_enough_occupations_in_every_isco_major_group(occupations: list[dict[str, Any]]) -> None:
    assert len(occupations) >= 80
    major_groups = {occupation["isco_code"][0] for occupation in occupations}
    assert major_groups == set("0123456789")


def test_occupations_match_esco(occupations: list[dict[str, Any]], esco: EscoTables) -> None:
    uris = [occupation["esco_uri"] for occupation in occupations]
    assert len(set(uris)) == len(uris), "an ESCO occupation appears twice"
    for occupation in occupations:
        row = esco.occupations.get(occupation["esco_uri"])
        assert row is not None, f"{occupation['title_da']}: unknown URI {occupation['esco_uri']}"
        assert occupation["esco_label_en"] == row["preferredLabel"].strip()
        assert occupation["isco_code"] == row["iscoGroup"]
        assert len(occupation["isco_code"]) == 4 and occupation["isco_code"].isdigit()


def test_skills_are_linked_with_the_stated_relation(
    occupations: list[dict[str, Any]], esco: EscoTables
) -> None:
    for occupation in occupations:
        seen: set[str] = set()
        for skill in occupation["skills"]:
            where = f"{occupation['title_da']} / {skill['label_en']}"
            assert skill["esco_uri"] in esco.skills, f"{where}: unknown skill URI"
            assert skill["label_en"] == esco.skills[skill["esco_uri"]]["preferredLabel"].strip()
            relation = esco.relations.get((occupation["esco_uri"], skill["esco_uri"]))
            assert relation is not None, f"{where}: not in occupationSkillRelations.csv"
            assert skill["relation"] == relation, where
            assert skill["esco_uri"] not in seen, f"{where}: listed twice"
            seen.add(skill["esco_uri"])


def test_essential_skills_dominate(occupations: list[dict[str, Any]]) -> None:
    relations = [skill["relation"] for o in occupations for skill in o["skills"]]
    assert set(relations) <= {"essential", "optional"}
    assert relations.count("essential") > 0.8 * len(relations)
    for occupation in occupations:
        order = [skill["relation"] == "essential" for skill in occupation["skills"]]
        assert order == sorted(order, reverse=True), f"{occupation['title_da']}: essential first"


def test_shape_rules(occupations: list[dict[str, Any]]) -> None:
    for occupation in occupations:
        title = occupation["title_da"]
        assert title.strip() == title and title, title
        assert 2 <= len(occupation["alt_titles_da"]) <= 5, title
        assert 8 <= len(occupation["skills"]) <= 15, title
        assert 4 <= len(occupation["tasks_da"]) <= 6, title
        assert 3 <= len(occupation["personal_da"]) <= 5, title
        assert occupation["industry_da"].strip() and occupation["education_da"].strip(), title
        assert isinstance(occupation["no_qualifications_required"], bool), title
        for task in occupation["tasks_da"]:
            assert task[0].isupper() and task.endswith("."), (title, task)
        for trait in occupation["personal_da"]:
            assert trait.strip() and trait == trait.lower(), (title, trait)
        for skill in occupation["skills"]:
            _assert_forms(f"{title} / {skill['label_en']}", skill["da"])


def _assert_forms(where: str, forms: list[str]) -> None:
    assert 1 <= len(forms) <= 4, where
    assert len(set(forms)) == len(forms), where
    for form in forms:
        assert form.strip() and form == form.strip() and form == form.lower(), (where, form)


def test_danish_titles_are_unique(occupations: list[dict[str, Any]]) -> None:
    owners: dict[str, list[str]] = defaultdict(list)
    for occupation in occupations:
        for title in [occupation["title_da"], *occupation["alt_titles_da"]]:
            owners[title.casefold()].append(occupation["title_da"])
    duplicates = {title: who for title, who in owners.items() if len(who) > 1}
    assert not duplicates


def test_common_danish_jobs_are_covered(occupations: list[dict[str, Any]]) -> None:
    titles = {
        title.casefold()
        for occupation in occupations
        for title in [occupation["title_da"], *occupation["alt_titles_da"]]
    }
    assert [job for job in COMMON_JOBS if job not in titles] == []


def test_unskilled_flag_is_plausible(occupations: list[dict[str, Any]]) -> None:
    flag = {o["title_da"]: o["no_qualifications_required"] for o in occupations}
    for title in ["Lagermedarbejder", "Rengøringsassistent", "Produktionsmedarbejder"]:
        assert flag[title] is True, title
    for title in ["Sygeplejerske", "Elektriker", "Læge", "Revisor"]:
        assert flag[title] is False, title
    assert 15 <= sum(flag.values()) <= len(flag) // 2


def test_transversal_skills(catalogue: dict[str, Any], esco: EscoTables) -> None:
    entries = catalogue["transversal_da"]
    assert len(entries) >= 35
    uris = [entry["esco_uri"] for entry in entries]
    assert len(set(uris)) == len(uris)
    for entry in entries:
        assert entry["esco_uri"] in esco.skills, entry
        assert entry["label_en"] == esco.skills[entry["esco_uri"]]["preferredLabel"].strip()
        _assert_forms(f"transversal {entry['label_en']}", entry["da"])
    from_collection = sum(uri in esco.transversal for uri in uris)
    assert from_collection >= 0.7 * len(uris)
    labels = {entry["label_en"] for entry in entries}
    assert {"Danish", "English", "work in teams", "drive vehicles"} <= labels


def test_no_danish_form_points_to_two_skills(catalogue: dict[str, Any]) -> None:
    uris_by_form: dict[str, set[str]] = defaultdict(set)
    skill_lists = [o["skills"] for o in catalogue["occupations"]] + [catalogue["transversal_da"]]
    for skills in skill_lists:
        for skill in skills:
            for form in skill["da"]:
                uris_by_form[form].add(skill["esco_uri"])
    assert {form: uris for form, uris in uris_by_form.items() if len(uris) > 1} == {}


def test_build_script_reproduces_committed_file(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = importlib.util.spec_from_file_location("build_occupations_da", BUILD_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look the defining module up in sys.modules while the script is executed.
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    rebuilt = module.render(module.build_catalogue(module.load_esco()))
    assert rebuilt == CATALOGUE.read_text(encoding="utf-8")


def _data(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open("rb") as handle:
        return tomllib.load(handle)


def _is_form_table(table: Any) -> bool:
    return isinstance(table, dict) and all(
        isinstance(forms, list) and all(isinstance(form, str) for form in forms)
        for forms in table.values()
    )


def test_data_files_are_toml_with_the_expected_keys(catalogue: dict[str, Any]) -> None:
    assert sorted(path.name for path in DATA_DIR.iterdir()) == sorted(DATA_FILES)
    common = _data("common.toml")
    assert list(common) == ["industries", "transversal"]
    assert all(isinstance(industry, str) for industry in common["industries"])
    assert _is_form_table(common["transversal"])
    assert list(common["transversal"]) == [e["label_en"] for e in catalogue["transversal_da"]]
    specs = []
    for group in range(10):
        document = _data(f"isco-{group}.toml")
        assert list(document) == ["occupation"], group
        for spec in document["occupation"]:
            assert list(spec) == list(SPEC_KEYS), (group, spec.get("title"))
            for key, kind in SPEC_KEYS.items():
                assert isinstance(spec[key], kind), (group, spec["title"], key)
            for key in ("alt", "tasks", "personal"):
                assert all(isinstance(item, str) for item in spec[key]), (spec["title"], key)
            assert _is_form_table(spec["skills"]), spec["title"]
            assert spec["industry"] in common["industries"], spec["title"]
            specs.append((group, spec))
    # Each file holds its own ISCO major group, and the files in order give the catalogue's order.
    assert len(specs) == len(catalogue["occupations"])
    for (group, spec), occupation in zip(specs, catalogue["occupations"], strict=True):
        assert (spec["esco"], spec["title"]) == (
            occupation["esco_label_en"],
            occupation["title_da"],
        )
        assert occupation["isco_code"].startswith(str(group)), spec["title"]


def test_data_files_keep_the_esco_notice() -> None:
    for name in DATA_FILES:
        header = (DATA_DIR / name).read_text(encoding="utf-8").split("\n\n")[0]
        assert "ESCO classification of the European Commission" in header, name
        assert "Written by hand" in header, name


def _build(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_build_from_data_files_into_tmp_path_is_byte_identical(tmp_path: Path) -> None:
    data = shutil.copytree(DATA_DIR, tmp_path / "occupations_da")
    out = tmp_path / "catalogue.json"
    result = _build("--data", str(data), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == CATALOGUE.read_bytes()
    assert _build("--check").returncode == 0


def test_build_reads_the_data_files(tmp_path: Path) -> None:
    data = shutil.copytree(DATA_DIR, tmp_path / "occupations_da")
    path = data / "isco-0.toml"
    text = path.read_text(encoding="utf-8")
    assert text.count('title = "Soldat"') == 1
    path.write_text(text.replace('title = "Soldat"', 'title = "Menig soldat"'), encoding="utf-8")
    out = tmp_path / "catalogue.json"
    assert _build("--data", str(data), "--out", str(out)).returncode == 0
    titles = [o["title_da"] for o in json.loads(out.read_text(encoding="utf-8"))["occupations"]]
    assert titles[0] == "Menig soldat" and "Soldat" not in titles
    stale = _build("--data", str(data), "--check")
    assert stale.returncode == 1 and "out of date" in stale.stderr


def test_build_reports_bad_data_files(tmp_path: Path) -> None:
    data = shutil.copytree(DATA_DIR, tmp_path / "occupations_da")
    managers = data / "isco-1.toml"
    text = managers.read_text(encoding="utf-8")
    managers.write_text(text.replace("unskilled = false", "unskiled = false", 1), encoding="utf-8")
    (data / "isco-4.toml").write_text("[[occupation]\n", encoding="utf-8")
    out = tmp_path / "catalogue.json"
    result = _build("--data", str(data), "--out", str(out))
    assert result.returncode == 1
    assert f"{managers} occupation 1: missing key 'unskilled'" in result.stderr
    assert f"{managers} occupation 1: unknown key 'unskiled'" in result.stderr
    assert f"{data / 'isco-4.toml'}: invalid TOML" in result.stderr
    assert not out.exists()


def test_build_rejects_an_occupation_in_the_wrong_major_group(tmp_path: Path) -> None:
    data = shutil.copytree(DATA_DIR, tmp_path / "occupations_da")
    armed_forces = data / "isco-0.toml"
    header, soldier, *rest = armed_forces.read_text(encoding="utf-8").split("\n[[occupation]]\n")
    armed_forces.write_text("\n[[occupation]]\n".join([header, *rest]), encoding="utf-8")
    with (data / "isco-9.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n[[occupation]]\n" + soldier)
    out = tmp_path / "catalogue.json"
    result = _build("--data", str(data), "--out", str(out))
    assert result.returncode == 1
    assert (
        "Soldat (infantry soldier): ISCO group 0310 belongs in isco-0.toml, not isco-9.toml"
        in result.stderr
    )
    assert not out.exists()
