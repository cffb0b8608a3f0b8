"""Reference data: ESCO v1.1.1 and Danish postcodes (``flask reference load``)."""

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.models import EscoOccupation, EscoOccupationSkill, EscoSkill, IscoGroup, Postcode
from app.services import reference
from recommender.geo import centroid_corrections

REGIONS = {"Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland"}


class RecordingProgress:
    """Stands in for ``click.progressbar`` and remembers each bar's label and length."""

    def __init__(self, fail_after: int | None = None) -> None:
        self.bars: list[tuple[str, int]] = []
        self.fail_after = fail_after

    @contextmanager
    def __call__(self, iterable: Iterable[Any], label: str = "") -> Iterator[Iterator[Any]]:
        items = list(iterable)
        self.bars.append((label.strip(), len(items)))
        yield self._iterate(items)

    def _iterate(self, items: list[Any]) -> Iterator[Any]:
        for i, item in enumerate(items):
            if self.fail_after is not None and i == self.fail_after:
                raise RuntimeError("simulated failure half-way through a table")
            yield item


def csv_rows(zip_name: str, member: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(reference.ESCO_DIR / zip_name) as zf, zf.open(member) as fh:
        return list(csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8")))


def table_count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture(scope="module")
def first_load(engine: Engine) -> dict[str, Any]:
    """Load everything once for this module (idempotent, so an earlier load does no harm)."""
    progress = RecordingProgress()
    with Session(engine) as session:
        summary = reference.load_all(session=session, progress=progress)
    return {"summary": summary, "bars": progress.bars}


def test_counts_match_the_csv_files(first_load: dict[str, Any], session: Session) -> None:
    classification = reference.CLASSIFICATION_ZIP
    occupations = csv_rows(classification, "occupations_en.csv")
    skills = csv_rows(classification, "skills_en.csv")
    isco = csv_rows(classification, "ISCOGroups_en.csv")
    relations = csv_rows(reference.RELATIONS_ZIP, "occupationSkillRelations.csv")
    assert (len(occupations), len(skills), len(relations)) == (3_007, 13_896, 123_855)

    assert table_count(session, IscoGroup) == len(isco) == 619
    assert table_count(session, EscoOccupation) == len(occupations)
    assert table_count(session, EscoSkill) == len(skills)
    # Every relation whose occupation and skill exist is loaded; ESCO v1.1.1 has 67 links to an
    # occupation missing from occupations_en.csv, which the foreign key cannot hold.
    occupation_uris = {r["conceptUri"] for r in occupations}
    loadable = [r for r in relations if r["occupationUri"] in occupation_uris]
    assert len(relations) - len(loadable) == 67
    assert table_count(session, EscoOccupationSkill) == len(loadable)
    summary = first_load["summary"]
    assert summary["escooccupationskill"] == len(loadable)
    assert summary["escooccupationskill_skipped"] == 67


def test_rows_carry_the_csv_content(first_load: dict[str, Any], session: Session) -> None:
    nurse = session.get(
        EscoOccupation, "http://data.europa.eu/esco/occupation/00030d09-2b3a-4efd-87cc-c4ea39d27c34"
    )
    assert nurse is not None
    assert (nurse.label, nurse.isco_code) == ("technical director", "2654")
    assert "head of technical" in nurse.alt_labels.split("\n")
    assert session.get(IscoGroup, "2221").label.lower().startswith("nursing professionals")
    relation = session.exec(select(EscoOccupationSkill.relation).distinct()).all()
    assert {r[0] for r in relation} == {"essential", "optional"}


def test_one_progress_bar_per_table(first_load: dict[str, Any]) -> None:
    labels = [label for label, _ in first_load["bars"]]
    assert labels == ["iscogroup", "escooccupation", "escoskill", "escooccupationskill", "postcode"]


def test_postcodes_cover_denmark_in_five_regions(
    first_load: dict[str, Any], session: Session
) -> None:
    postcodes = session.exec(select(Postcode)).scalars().all()
    assert len(postcodes) > 1_000
    assert {p.region for p in postcodes} == REGIONS
    by_code = {p.code: p for p in postcodes}
    expected = {
        "1050": "Hovedstaden",
        "2100": "Hovedstaden",
        "3700": "Hovedstaden",  # Bornholm
        "4000": "Sjælland",  # Roskilde: the package's centroid says Hovedstaden
        "4800": "Sjælland",
        "5000": "Syddanmark",
        "6700": "Syddanmark",
        "8000": "Midtjylland",
        "7400": "Midtjylland",
        "9000": "Nordjylland",
        "9500": "Nordjylland",  # Hobro
    }
    assert {code: by_code[code].region for code in expected} == expected
    odense = by_code["5000"]
    assert odense.name == "Odense C"
    assert 55.3 < odense.latitude < 55.5 and 10.3 < odense.longitude < 10.5
    # Where the package misplaces a centroid, the portal uses the same repaired one as the ranker.
    for code, (lat, lon) in centroid_corrections().items():
        if code in by_code:
            assert (by_code[code].latitude, by_code[code].longitude) == (lat, lon)
    assert by_code["3700"].longitude > 14.5  # Rønne lies on Bornholm


def test_second_load_writes_nothing(first_load: dict[str, Any], session: Session) -> None:
    progress = RecordingProgress()
    summary = reference.load_all(session=session, progress=progress)
    assert summary == first_load["summary"]
    assert [n for _, n in progress.bars] == [0, 0, 0, 0, 0]


def test_load_repairs_changed_and_missing_rows(
    first_load: dict[str, Any], session: Session
) -> None:
    session.execute(update(Postcode).where(Postcode.code == "5000").values(name="Forkert"))
    victims = session.exec(select(EscoOccupationSkill.occupation_uri).limit(1)).one()[0]
    session.execute(
        delete(EscoOccupationSkill).where(EscoOccupationSkill.occupation_uri == victims)
    )
    session.commit()
    before = table_count(session, EscoOccupationSkill)

    progress = RecordingProgress()
    summary = reference.load_all(session=session, progress=progress)

    session.expire_all()
    assert session.get(Postcode, "5000").name == "Odense C"
    assert table_count(session, EscoOccupationSkill) == summary["escooccupationskill"] > before
    assert dict(progress.bars)["postcode"] == 1
    assert dict(progress.bars)["escooccupationskill"] == 1


def test_failure_leaves_no_half_table(first_load: dict[str, Any], session: Session) -> None:
    # Remove enough relations for three chunks, then fail after the first chunk is written.
    full = table_count(session, EscoOccupationSkill)
    doomed = session.exec(select(EscoOccupationSkill.occupation_uri).distinct().limit(400)).all()
    session.execute(
        delete(EscoOccupationSkill).where(
            EscoOccupationSkill.occupation_uri.in_([d[0] for d in doomed])  # type: ignore[attr-defined]
        )
    )
    session.commit()
    missing = full - table_count(session, EscoOccupationSkill)
    assert missing > 2 * reference.CHUNK

    with pytest.raises(RuntimeError, match="simulated"):
        reference.load_all(session=session, progress=RecordingProgress(fail_after=1))
    assert table_count(session, EscoOccupationSkill) == full - missing

    reference.load_all(session=session, progress=RecordingProgress())
    assert table_count(session, EscoOccupationSkill) == full


def test_cli_command_loads_and_reports(first_load: dict[str, Any], app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["reference", "load"])
    assert result.exit_code == 0, result.output
    assert "escooccupation: 3007" in result.output
    assert "escoskill: 13896" in result.output
    assert f"escooccupationskill: {first_load['summary']['escooccupationskill']}" in result.output
