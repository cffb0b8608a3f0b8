"""Reference data: ESCO v1.1.1 and Danish postcodes, loaded into the database.

ESCO comes from the official CSV zips in ``data/esco-v1.1.1/`` (read in place with ``zipfile`` and
``csv``); postcodes with their centroids from the PyPI package ``countrystatecity-postal-codes``.

Loading is an upsert per table: rows are compared with what the table already holds, missing rows
are inserted and changed rows updated in bulk, so a second run writes nothing and takes a couple of
seconds. Each table is written in its own transaction, so a failure never leaves half a table.
"""

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlmodel import Session, SQLModel

from app.config import PROJECT_ROOT
from app.models import EscoOccupation, EscoOccupationSkill, EscoSkill, IscoGroup, Postcode
from app.services.matching import repaired_centroids

ESCO_DIR = PROJECT_ROOT / "data" / "esco-v1.1.1"
CLASSIFICATION_ZIP = "esco-v1.1.1-classification-en-csv.zip"
RELATIONS_ZIP = "esco-v1.1.1-relations-csv.zip"
CHUNK = 5_000

# ISO 3166-2:DK subdivision codes, as used by the postcode package's ``stateCode``.
REGIONS = {
    "81": "Nordjylland",
    "82": "Midtjylland",
    "83": "Syddanmark",
    "84": "Hovedstaden",
    "85": "Sjælland",
}
# The package places a postcode in the region of its centroid. Postcode areas cross municipal
# borders, and for these the centroid falls outside the region of the municipality that the
# postcode's town belongs to (checked against the municipal map), so the town wins.
REGION_OVERRIDES = {
    "4000": "Sjælland",  # Roskilde
    "6880": "Midtjylland",  # Tarm, Ringkøbing-Skjern
    "7160": "Midtjylland",  # Tørring, Hedensted
    "7330": "Midtjylland",  # Brande, Ikast-Brande
    "7361": "Midtjylland",  # Ejstrupholm, Ikast-Brande
    "7760": "Nordjylland",  # Hurup Thy, Thisted
    "8721": "Midtjylland",  # Daugård, Hedensted
    "9500": "Nordjylland",  # Hobro, Mariagerfjord
    "9550": "Nordjylland",  # Mariager, Mariagerfjord
    "9620": "Nordjylland",  # Aalestrup, Vesthimmerland
    "9631": "Nordjylland",  # Gedsted, Vesthimmerland
}

Progress = Callable[..., AbstractContextManager[Any]]


def load_all(*, session: Session, progress: Progress, esco_dir: Path = ESCO_DIR) -> dict[str, int]:
    """Load ISCO groups, ESCO occupations, skills and their relations, and Danish postcodes.

    ``progress`` is ``click.progressbar`` or anything with its call signature; one bar is shown per
    table. Returns the number of rows each table holds afterwards.
    """
    classification = esco_dir / CLASSIFICATION_ZIP
    relations = esco_dir / RELATIONS_ZIP
    for path in (classification, relations):
        if not path.is_file():
            raise FileNotFoundError(f"ESCO file missing: {path}")
    occupations = occupation_rows(classification)
    skills = skill_rows(classification)
    links = relation_rows(relations)
    # ESCO v1.1.1 links 67 skills to one occupation (a9e54177-...) that occupations_en.csv does
    # not list; the foreign key cannot hold them, so they are left out and reported.
    known_occupations = {r["uri"] for r in occupations}
    known_skills = {r["uri"] for r in skills}
    kept = [
        r
        for r in links
        if r["occupation_uri"] in known_occupations and r["skill_uri"] in known_skills
    ]
    # Parents before children: the relation table has foreign keys to occupations and skills.
    steps: list[tuple[type[SQLModel], list[dict[str, Any]]]] = [
        (IscoGroup, isco_rows(classification)),
        (EscoOccupation, occupations),
        (EscoSkill, skills),
        (EscoOccupationSkill, kept),
        (Postcode, postcode_rows()),
    ]
    summary: dict[str, int] = {}
    for model, rows in steps:
        upsert(session=session, model=model, rows=rows, progress=progress)
        summary[str(model.__tablename__)] = count(session=session, model=model)
    summary["escooccupationskill_skipped"] = len(links) - len(kept)
    return summary


def load_postcodes(*, session: Session, progress: Progress) -> int:
    """Load only the Danish postcodes (all the demo generator needs); returns the row count."""
    upsert(session=session, model=Postcode, rows=postcode_rows(), progress=progress)
    return count(session=session, model=Postcode)


def count(*, session: Session, model: type[SQLModel]) -> int:
    """Number of rows in a model's table."""
    return session.scalar(select(func.count()).select_from(model)) or 0


# --- Reading the sources -----------------------------------------------------------------------


def _read_csv(zip_path: Path, member: str) -> Iterator[dict[str, str]]:
    with zipfile.ZipFile(zip_path) as zf, zf.open(member) as fh:
        yield from csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8", newline=""))


def _lines(text: str) -> str:
    """ESCO's multi-value cells are newline-separated; keep them so, trimmed and non-empty."""
    return "\n".join(part.strip() for part in text.split("\n") if part.strip())


def isco_rows(classification_zip: Path) -> list[dict[str, Any]]:
    """ISCO-08 groups (1 to 4 digits) from ``ISCOGroups_en.csv``."""
    return [
        {"code": r["code"].strip(), "label": r["preferredLabel"].strip()}
        for r in _read_csv(classification_zip, "ISCOGroups_en.csv")
    ]


def occupation_rows(classification_zip: Path) -> list[dict[str, Any]]:
    """ESCO occupations from ``occupations_en.csv``."""
    return [
        {
            "uri": r["conceptUri"],
            "isco_code": r["iscoGroup"].strip(),
            "label": r["preferredLabel"].strip(),
            "alt_labels": _lines(r["altLabels"]),
            "description": r["description"].strip(),
        }
        for r in _read_csv(classification_zip, "occupations_en.csv")
    ]


def skill_rows(classification_zip: Path) -> list[dict[str, Any]]:
    """ESCO skills and knowledge concepts from ``skills_en.csv``."""
    return [
        {
            "uri": r["conceptUri"],
            "label": r["preferredLabel"].strip(),
            "alt_labels": _lines(r["altLabels"]),
            "skill_type": r["skillType"].strip(),
            "reuse_level": r["reuseLevel"].strip(),
        }
        for r in _read_csv(classification_zip, "skills_en.csv")
    ]


def relation_rows(relations_zip: Path) -> list[dict[str, Any]]:
    """Essential and optional occupation–skill links from ``occupationSkillRelations.csv``."""
    return [
        {
            "occupation_uri": r["occupationUri"],
            "skill_uri": r["skillUri"],
            "relation": r["relationType"].strip(),
        }
        for r in _read_csv(relations_zip, "occupationSkillRelations.csv")
    ]


def region_of(code: str, state_code: str | None) -> str | None:
    """The region (one of five) of a postcode, from its ISO subdivision code and the overrides."""
    return REGION_OVERRIDES.get(code) or REGIONS.get(state_code or "")


def postcode_rows() -> list[dict[str, Any]]:
    """Danish postcodes with centroid and region, from ``countrystatecity-postal-codes``, with
    the recommender's hand-checked centroids where the package misplaces one (so the portal's
    distances are the ranker's)."""
    from countrystatecity_postal_codes import get_postcodes_of_country

    corrected = repaired_centroids()
    rows: dict[str, dict[str, Any]] = {}
    for p in get_postcodes_of_country("DK"):
        if p.latitude is None or p.longitude is None or not p.localityName:
            continue
        latitude, longitude = corrected.get(p.code, (p.latitude, p.longitude))
        rows[p.code] = {
            "code": p.code,
            "name": p.localityName,
            "latitude": latitude,
            "longitude": longitude,
            "region": region_of(p.code, p.stateCode),
        }
    return list(rows.values())


# --- Writing -----------------------------------------------------------------------------------


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def upsert(
    *, session: Session, model: type[SQLModel], rows: list[dict[str, Any]], progress: Progress
) -> tuple[int, int]:
    """Insert missing and update changed rows of one table, in one transaction.

    Rows are matched on the primary key. Returns (inserted, updated).
    """
    table = model.__table__  # type: ignore[attr-defined]
    keys = [c.name for c in table.primary_key.columns]
    values = [c for c in rows[0] if c not in keys] if rows else []
    existing = {
        tuple(r[: len(keys)]): tuple(r[len(keys) :])
        for r in session.execute(select(*(table.c[c] for c in keys + values)))
    }
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for row in rows:
        key = tuple(row[k] for k in keys)
        if key not in existing:
            inserts.append(row)
        elif existing[key] != tuple(row[v] for v in values):
            updates.append(row)
    work: list[tuple[Any, Sequence[Any]]] = [(insert(model), c) for c in _chunks(inserts, CHUNK)]
    work += [(update(model), c) for c in _chunks(updates, CHUNK)]
    try:
        with progress(work, label=f"{table.name:<20}") as bar:
            for statement, chunk in bar:
                # insert(): bulk INSERT; update() with primary keys in each row: bulk UPDATE.
                session.execute(statement, list(chunk))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return len(inserts), len(updates)
