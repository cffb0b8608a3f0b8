"""The demo's data files, read into plain Python values.

Word lists, text templates and geography live in ``data/demo/`` (TOML and CSV; sources and
field meanings in the README there), next to the ESCO files in ``data/``. The Danish words per
occupation come from ``recommender/data/occupations_da.json``. The files are read once per
process: the generator asks for the same tables thousands of times.
"""

import csv
import json
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.config import PROJECT_ROOT

DATA_DIR = PROJECT_ROOT / "data" / "demo"
OCCUPATIONS_FILE = PROJECT_ROOT / "recommender" / "data" / "occupations_da.json"


@lru_cache
def texts(name: str) -> dict[str, Any]:
    """``data/demo/<name>.toml``: "people", "cv", "employers" or "postings"."""
    with open(DATA_DIR / f"{name}.toml", "rb") as fh:
        return tomllib.load(fh)


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --- People --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameGroup:
    """First names and surnames of one group of origin, drawn with ``weight``."""

    group: str
    weight: float
    female: list[str]
    male: list[str]
    surnames: list[str]
    mother_tongue: str | None


@lru_cache
def name_groups() -> list[NameGroup]:
    """The name groups of ``people.toml``; the first is the Danish one."""
    return [
        NameGroup(
            group=g["group"],
            weight=g["weight"],
            female=g["female"],
            male=g["male"],
            surnames=g["surnames"],
            mother_tongue=g.get("mother_tongue"),
        )
        for g in texts("people")["name_groups"]
    ]


# --- Geography -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Town:
    """A town of ``towns.csv``: every locality whose name starts with ``name`` belongs to it."""

    name: str
    weight: float
    municipality: str


@lru_cache
def towns() -> list[Town]:
    """Towns with their weight (rough thousands of inhabitants) and municipality."""
    return [
        Town(name=r["town"], weight=float(r["weight"]), municipality=r["municipality"])
        for r in _rows("towns.csv")
    ]


@lru_cache
def region_population() -> dict[str, int]:
    """Inhabitants by region, in the order of ``regions.csv`` (the order of the draws)."""
    return {r["region"]: int(r["population"]) for r in _rows("regions.csv")}


@lru_cache
def municipality_names() -> dict[str, str]:
    """Official names that are not simply "<municipality> Kommune"."""
    return {r["municipality"]: r["official_name"] for r in _rows("municipality_names.csv")}


# --- Occupations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Skill:
    """An ESCO skill with its English label and a Danish surface form (a noun phrase)."""

    uri: str
    label_en: str
    da: str


@dataclass
class Occupation:
    """An ESCO occupation with the Danish material the templates need."""

    uri: str
    isco: str
    title: str
    alt_titles: list[str]
    industry: str
    sector: str
    education: str
    skills: list[Skill]
    tasks: list[str]
    personal: list[str]
    unskilled: bool


@dataclass
class Vocabulary:
    """The occupation file: occupations, transversal skills and personal traits."""

    occupations: list[Occupation]
    transversal: list[Skill]
    traits: list[str] = field(default_factory=list)


def _skill(raw: dict[str, Any]) -> Skill | None:
    forms = [str(f).strip() for f in raw.get("da") or [] if str(f).strip()]
    if not forms:
        return None
    return Skill(
        uri=str(raw.get("esco_uri") or ""),
        label_en=str(raw.get("label_en") or forms[0]),
        da=forms[0],
    )


def load_vocabulary(path: Path = OCCUPATIONS_FILE) -> Vocabulary:
    """Read ``occupations_da.json`` (see ``recommender/data/README.md`` for its fields)."""
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    occupations: list[Occupation] = []
    for raw in data.get("occupations", []):
        title = str(raw.get("title_da") or "").strip()
        skills = [s for s in map(_skill, raw.get("skills") or []) if s]
        if not (raw.get("esco_uri") and title and skills):
            continue
        industry = str(raw.get("industry_da") or "").strip()
        occupations.append(
            Occupation(
                uri=str(raw["esco_uri"]),
                isco=str(raw.get("isco_code") or "")[:4],
                title=title,
                alt_titles=[
                    str(t).strip() for t in raw.get("alt_titles_da") or [] if str(t).strip()
                ],
                industry=industry,
                sector=sector_of(industry, title),
                education=str(raw.get("education_da") or "").strip(),
                skills=skills,
                tasks=[str(t).strip() for t in raw.get("tasks_da") or [] if str(t).strip()],
                personal=[str(t).strip() for t in raw.get("personal_da") or [] if str(t).strip()],
                unskilled=bool(raw.get("no_qualifications_required")),
            )
        )
    transversal = [s for s in map(_skill, data.get("transversal_da") or []) if s]
    endings = tuple(texts("people")["trait_endings"])
    traits = [s.da for s in transversal if s.da.endswith(endings)]
    return Vocabulary(
        occupations=occupations,
        transversal=[s for s in transversal if s.da not in traits],
        traits=traits,
    )


def sector_of(industry: str, title: str = "") -> str:
    """The template sector of an occupation: a title keyword, else its industry, else "other"."""
    employers = texts("employers")
    lowered = title.lower()
    for rule in employers["title_sector"]:
        if rule["keyword"] in lowered:
            return str(rule["sector"])
    return str(employers["industry_sector"].get(industry, "other"))
