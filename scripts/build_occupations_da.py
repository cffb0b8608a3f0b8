"""Build the Danish occupation and skill catalogue ``recommender/data/occupations_da.json``.

ESCO v1.1.1 ships on these machines with English labels only, while the portal speaks Danish. This
script joins hand-written Danish content (titles, job-ad variants, skill surface forms, duties and
personal competences) from the TOML files in ``data/occupations_da/`` with the ESCO CSVs:

* ``isco-0.toml`` ... ``isco-9.toml`` hold the occupations of one ISCO-08 major group each, in
  catalogue order; ``common.toml`` holds the industry names and the transversal skills;
* every occupation is named by its exact ESCO ``preferredLabel``; the script looks up its
  ``conceptUri`` and 4-digit ``iscoGroup`` in ``occupations_en.csv`` (the group must belong to the
  file's major group);
* every skill is named by its ESCO ``preferredLabel`` and must be linked to that occupation in
  ``occupationSkillRelations.csv``; the script fills in the skill URI and whether the link is
  ``essential`` or ``optional`` (essential skills were preferred when the Danish was written);
* the transversal list is looked up in ``skills_en.csv``.

Anything that does not resolve, or breaks the catalogue's shape rules, stops the build with a list
of every problem. The output is deterministic (fixed key and list order, no clock), so rerunning
the script on the same files gives a byte-identical file. Run::

    .venv/bin/python scripts/build_occupations_da.py            # rewrites the catalogue
    .venv/bin/python scripts/build_occupations_da.py --check    # exit 1 if the file is stale
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import tomllib
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ESCO_DIR = ROOT / "data" / "esco-v1.1.1"
CLASSIFICATION_ZIP = ESCO_DIR / "esco-v1.1.1-classification-en-csv.zip"
RELATIONS_ZIP = ESCO_DIR / "esco-v1.1.1-relations-csv.zip"
DATA_DIR = ROOT / "data" / "occupations_da"
OUTPUT = ROOT / "recommender" / "data" / "occupations_da.json"

ESCO_NOTICE = "This service uses the ESCO classification of the European Commission."

# ISCO-08 major groups, 0 (armed forces) to 9 (elementary occupations): one file each.
MAJOR_GROUPS = range(10)

# Shape rules shared with tests/test_occupations_da.py.
SKILLS_PER_OCCUPATION = (8, 15)
ALT_TITLES = (2, 5)
TASKS = (4, 6)
PERSONAL = (3, 5)
FORMS_PER_SKILL = (1, 4)

# TOML types, named as the error messages say them.
STRING, BOOL, STRINGS, FORMS = "a string", "true or false", "a list of strings", "a table of lists"

# The keys of one [[occupation]] table and their types (FORMS: label -> list of Danish forms).
# Checked before use, so a missing or misspelt key is reported with its file.
OCCUPATION_FIELDS = {
    "esco": STRING,
    "title": STRING,
    "alt": STRINGS,
    "industry": STRING,
    "education": STRING,
    "unskilled": BOOL,
    "tasks": STRINGS,
    "personal": STRINGS,
    "skills": FORMS,
}
COMMON_FIELDS = {"industries": STRINGS, "transversal": FORMS}


class CatalogueError(ValueError):
    """The hand-written content does not resolve against ESCO or breaks a shape rule."""


@dataclass(frozen=True)
class Content:
    """The hand-written Danish content, as read from ``data/occupations_da/``."""

    industries: tuple[str, ...]
    # (ISCO major group of the file it came from, the [[occupation]] table), in catalogue order.
    occupations: list[tuple[int, dict[str, Any]]]
    transversal: dict[str, list[str]]


def _has_type(value: Any, kind: str) -> bool:
    if kind == STRING:
        return isinstance(value, str)
    if kind == BOOL:
        return isinstance(value, bool)
    if kind == STRINGS:
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return isinstance(value, dict) and all(_has_type(item, STRINGS) for item in value.values())


def _read_toml(path: Path, errors: list[str]) -> dict[str, Any] | None:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        errors.append(f"{path}: missing")
    except tomllib.TOMLDecodeError as error:
        errors.append(f"{path}: invalid TOML: {error}")
    return None


def _check_table(
    errors: list[str], where: str, table: dict[str, Any], fields: dict[str, str]
) -> bool:
    problems = [f"missing key {key!r}" for key in fields if key not in table]
    problems += [f"unknown key {key!r}" for key in table if key not in fields]
    problems += [
        f"{key!r} must be {kind}"
        for key, kind in fields.items()
        if key in table and not _has_type(table[key], kind)
    ]
    errors.extend(f"{where}: {problem}" for problem in problems)
    return not problems


def load_content(data_dir: Path = DATA_DIR) -> Content:
    """Read ``common.toml`` and ``isco-0.toml`` ... ``isco-9.toml``; raise CatalogueError if bad."""
    errors: list[str] = []
    common = _read_toml(data_dir / "common.toml", errors)
    if common is not None:
        _check_table(errors, str(data_dir / "common.toml"), common, COMMON_FIELDS)
    occupations: list[tuple[int, dict[str, Any]]] = []
    for group in MAJOR_GROUPS:
        path = data_dir / f"isco-{group}.toml"
        document = _read_toml(path, errors)
        if document is None:
            continue
        specs = document.get("occupation")
        if list(document) != ["occupation"] or not (
            isinstance(specs, list) and all(isinstance(spec, dict) for spec in specs)
        ):
            errors.append(f"{path}: expected [[occupation]] tables and nothing else")
            continue
        for number, spec in enumerate(specs, start=1):
            if _check_table(errors, f"{path} occupation {number}", spec, OCCUPATION_FIELDS):
                occupations.append((group, spec))
    if errors or common is None:
        raise CatalogueError("\n".join(errors))
    return Content(
        industries=tuple(common["industries"]),
        occupations=occupations,
        transversal=common["transversal"],
    )


@dataclass(frozen=True)
class Esco:
    """The parts of ESCO v1.1.1 the catalogue needs, indexed for look-ups."""

    occupations_by_label: dict[str, dict[str, str]]
    skills: dict[str, dict[str, str]]
    skill_uris_by_label: dict[str, list[str]]
    transversal_uris: frozenset[str]
    relations: dict[str, dict[str, str]]


def _read_csv(zip_path: Path, member: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(zip_path) as archive, archive.open(member) as raw:
        return list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8")))


def load_esco(
    classification_zip: Path = CLASSIFICATION_ZIP, relations_zip: Path = RELATIONS_ZIP
) -> Esco:
    """Read occupations, skills, the transversal collection and occupation-skill relations."""
    occupations_by_label: dict[str, dict[str, str]] = {}
    for row in _read_csv(classification_zip, "occupations_en.csv"):
        occupations_by_label[row["preferredLabel"].strip()] = row
    skills = {row["conceptUri"]: row for row in _read_csv(classification_zip, "skills_en.csv")}
    skill_uris_by_label: dict[str, list[str]] = defaultdict(list)
    for uri, row in skills.items():
        skill_uris_by_label[row["preferredLabel"].strip()].append(uri)
    transversal_uris = frozenset(
        row["conceptUri"]
        for row in _read_csv(classification_zip, "transversalSkillsCollection_en.csv")
    )
    relations: dict[str, dict[str, str]] = defaultdict(dict)
    for row in _read_csv(relations_zip, "occupationSkillRelations.csv"):
        relations[row["occupationUri"]][row["skillUri"]] = row["relationType"]
    return Esco(
        occupations_by_label=occupations_by_label,
        skills=skills,
        skill_uris_by_label=dict(skill_uris_by_label),
        transversal_uris=transversal_uris,
        relations=dict(relations),
    )


def _check_count(
    errors: list[str], where: str, what: str, items: list[Any], bounds: tuple[int, int]
) -> None:
    low, high = bounds
    if not low <= len(items) <= high:
        errors.append(f"{where}: {len(items)} {what}, expected {low}-{high}")


def _check_forms(errors: list[str], where: str, forms: list[str]) -> list[str]:
    _check_count(errors, where, "Danish forms", forms, FORMS_PER_SKILL)
    for form in forms:
        if not form.strip() or form != form.strip() or form != form.lower():
            errors.append(f"{where}: Danish form {form!r} must be non-empty, trimmed and lowercase")
    if len(set(forms)) != len(forms):
        errors.append(f"{where}: repeated Danish form in {forms}")
    return list(forms)


def _build_occupation(
    esco: Esco, content: Content, group: int, spec: dict[str, Any], errors: list[str]
) -> dict[str, Any] | None:
    label = spec["esco"]
    row = esco.occupations_by_label.get(label)
    if row is None:
        errors.append(f"occupation {label!r}: no such ESCO preferredLabel")
        return None
    where = f"{spec['title']} ({label})"
    if not row["iscoGroup"].startswith(str(group)):
        errors.append(
            f"{where}: ISCO group {row['iscoGroup']} belongs in isco-{row['iscoGroup'][0]}.toml, "
            f"not isco-{group}.toml"
        )
    related = esco.relations.get(row["conceptUri"], {})
    by_label = {esco.skills[uri]["preferredLabel"].strip(): uri for uri in related}
    skills = []
    for skill_label, forms in spec["skills"].items():
        uri = by_label.get(skill_label)
        if uri is None:
            errors.append(f"{where}: skill {skill_label!r} is not linked to this occupation")
            continue
        skills.append(
            {
                "esco_uri": uri,
                "label_en": esco.skills[uri]["preferredLabel"].strip(),
                "relation": related[uri],
                "da": _check_forms(errors, f"{where} / {skill_label}", forms),
            }
        )
    # Essential skills first; the authored order is kept within each relation (stable sort).
    skills.sort(key=lambda skill: skill["relation"] != "essential")
    _check_count(errors, where, "skills", skills, SKILLS_PER_OCCUPATION)
    _check_count(errors, where, "alternative titles", spec["alt"], ALT_TITLES)
    _check_count(errors, where, "tasks", spec["tasks"], TASKS)
    _check_count(errors, where, "personal competences", spec["personal"], PERSONAL)
    if spec["industry"] not in content.industries:
        errors.append(f"{where}: unknown industry {spec['industry']!r}")
    for task in spec["tasks"]:
        if not task.endswith("."):
            errors.append(f"{where}: task {task!r} is not a full sentence")
    return {
        "esco_uri": row["conceptUri"],
        "esco_label_en": row["preferredLabel"].strip(),
        "isco_code": row["iscoGroup"],
        "title_da": spec["title"],
        "alt_titles_da": list(spec["alt"]),
        "industry_da": spec["industry"],
        "education_da": spec["education"],
        "no_qualifications_required": bool(spec["unskilled"]),
        "skills": skills,
        "tasks_da": list(spec["tasks"]),
        "personal_da": list(spec["personal"]),
    }


def _build_transversal(esco: Esco, content: Content, errors: list[str]) -> list[dict[str, Any]]:
    entries = []
    for label, forms in content.transversal.items():
        uris = esco.skill_uris_by_label.get(label, [])
        if len(uris) != 1:
            errors.append(f"transversal {label!r}: {len(uris)} ESCO skills with this label")
            continue
        entries.append(
            {
                "esco_uri": uris[0],
                "label_en": label,
                "da": _check_forms(errors, f"transversal {label}", forms),
            }
        )
    return entries


def build_catalogue(esco: Esco, content: Content | None = None) -> dict[str, Any]:
    """Resolve the hand-written content (by default ``data/occupations_da/``) against ESCO.

    Raises CatalogueError listing every problem.
    """
    content = load_content() if content is None else content
    errors: list[str] = []
    occupations = [
        entry
        for group, spec in content.occupations
        if (entry := _build_occupation(esco, content, group, spec, errors)) is not None
    ]
    seen_titles: dict[str, str] = {}
    for entry in occupations:
        for title in [entry["title_da"], *entry["alt_titles_da"]]:
            key = title.casefold()
            if key in seen_titles:
                errors.append(
                    f"Danish title {title!r} used by {seen_titles[key]} and {entry['title_da']}"
                )
            seen_titles[key] = entry["title_da"]
    seen_uris = [entry["esco_uri"] for entry in occupations]
    if len(set(seen_uris)) != len(seen_uris):
        errors.append("an ESCO occupation is used twice")
    transversal = _build_transversal(esco, content, errors)
    if errors:
        raise CatalogueError("\n".join(errors))
    return {
        "esco_version": "v1.1.1",
        "notice": ESCO_NOTICE,
        "source": "Danish content written by hand for Jobunivers and mapped to ESCO v1.1.1 by "
        "scripts/build_occupations_da.py; see recommender/data/README.md.",
        "occupations": occupations,
        "transversal_da": transversal,
    }


def surface_form_conflicts(catalogue: dict[str, Any]) -> dict[str, list[str]]:
    """Danish surface forms that point to more than one ESCO skill, with those skills' URIs.

    A skill recogniser maps a form to one skill, so a shared form would make it guess.
    """
    uris_by_form: dict[str, set[str]] = defaultdict(set)
    skill_lists = [occupation["skills"] for occupation in catalogue["occupations"]]
    skill_lists.append(catalogue["transversal_da"])
    for skills in skill_lists:
        for skill in skills:
            for form in skill["da"]:
                uris_by_form[form].add(skill["esco_uri"])
    return {form: sorted(uris) for form, uris in sorted(uris_by_form.items()) if len(uris) > 1}


def render(catalogue: dict[str, Any]) -> str:
    """Serialise the catalogue: UTF-8 JSON, keys in the order built, one trailing newline."""
    return json.dumps(catalogue, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUTPUT, help="where to write the catalogue")
    parser.add_argument(
        "--data", type=Path, default=DATA_DIR, help="directory of the hand-written TOML files"
    )
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the file is out of date"
    )
    args = parser.parse_args(argv)
    try:
        catalogue = build_catalogue(load_esco(), load_content(args.data))
    except CatalogueError as error:
        print(error, file=sys.stderr)
        return 1
    conflicts = surface_form_conflicts(catalogue)
    for form, uris in conflicts.items():
        print(f"warning: form {form!r} maps to {len(uris)} skills: {uris}", file=sys.stderr)
    text = render(catalogue)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date; rerun without --check", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    occupations = catalogue["occupations"]
    skills = sum(len(occupation["skills"]) for occupation in occupations)
    print(
        f"wrote {args.out}: {len(occupations)} occupations, {skills} occupation skills, "
        f"{len(catalogue['transversal_da'])} transversal skills, {len(text.encode())} bytes"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
