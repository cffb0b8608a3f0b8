"""The deterministic Danish demo data (``flask demo seed``)."""

import collections
import random
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.db import make_engine
from app.demo import data, history, plan, write
from app.demo.places import Place
from app.models import (
    CaseworkerAssignment,
    Employer,
    Jobcentre,
    JobPosting,
    JobseekerProfile,
    Role,
    User,
)
from app.services import reference
from app.services.auth import verify_password
from tests.conftest import alembic_config

# Every test here runs inside the ``app`` fixture, whose teardown empties the non-reference tables.
pytestmark = pytest.mark.usefixtures("app")

SMALL = {"jobseekers": 20, "postings": 100, "employers": 8}
TODAY = date(2026, 11, 20)
REGIONS = {"Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland"}


@contextmanager
def quiet_progress(iterable: Iterable[Any], label: str = "") -> Iterator[Iterable[Any]]:
    yield iterable


@pytest.fixture(scope="module")
def places(engine: Engine) -> list[Place]:
    """Postcodes in the shared test database (a reference table, kept between tests)."""
    with Session(engine) as session:
        reference.load_postcodes(session=session, progress=quiet_progress)
        return write.load_places(session=session)


@pytest.fixture(scope="module")
def vocabulary() -> data.Vocabulary:
    return data.load_vocabulary()


@pytest.fixture(scope="module")
def full_plan(places: list[Place], vocabulary: data.Vocabulary) -> plan.Plan:
    """The default demo set (300 jobseekers, 3,000 postings, 60 employers), built in memory."""
    return plan.build_plan(
        seed=42,
        jobseekers=300,
        postings=3000,
        employers=60,
        places=places,
        vocabulary=vocabulary,
        today=TODAY,
        password_hash="not-a-hash",
    )


@pytest.fixture
def scratch_engine(tmp_path: Path) -> Iterator[Callable[[str], Engine]]:
    """Fresh, migrated SQLite databases, independent of the shared test database."""
    engines: list[Engine] = []

    def make(name: str) -> Engine:
        url = f"sqlite:///{tmp_path / name}.db"
        command.upgrade(alembic_config(url), "head")
        engines.append(make_engine(url))
        return engines[-1]

    yield make
    for engine in engines:
        engine.dispose()


def count(session: Session, model: type, *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def snapshot(session: Session) -> dict[str, Any]:
    """The content that must not depend on the database or the day: CVs and postings."""
    cvs = session.execute(
        select(
            User.email, User.name, JobseekerProfile.cv_text, JobseekerProfile.home_postcode
        ).join(JobseekerProfile, JobseekerProfile.user_id == User.id)
    ).all()
    postings = session.execute(
        select(
            JobPosting.source,
            JobPosting.source_id,
            JobPosting.title,
            JobPosting.description,
            JobPosting.hiring_organization,
            JobPosting.postcode,
            JobPosting.date_posted,
        )
    ).all()
    return {"cvs": sorted(map(tuple, cvs)), "postings": sorted(map(tuple, postings))}


# --- Against the database ------------------------------------------------------------------------


def test_seed_creates_the_demo_population(places: list, session: Session) -> None:
    summary = write.seed(session=session, seed=42, today=TODAY, **SMALL)

    assert summary["jobseekers"] == summary["profiles"] == 20
    assert summary["postings"] == count(session, JobPosting) == 100
    assert summary["employers"] == count(session, Employer) == 8
    assert summary["added"] > 0
    admin = session.execute(select(User).where(User.email == plan.ADMIN_EMAIL)).scalar_one()
    assert admin.role == Role.ADMIN and admin.is_demo
    assert verify_password(admin.password_hash, write.DEMO_PASSWORD)
    # All demo accounts share one hash: argon2 runs once per seed, not once per account.
    assert session.scalar(select(func.count(func.distinct(User.password_hash)))) == 1

    centres = dict(session.execute(select(Jobcentre.municipality_code, Jobcentre.id)).all())
    assert {"461", "101", "751", "851", "265"} <= set(centres)
    for code, sub in (("461", "odense"), ("101", "kk")):
        workers = (
            session.execute(
                select(User.email).where(
                    User.role == Role.CASEWORKER, User.jobcentre_id == centres[code]
                )
            )
            .scalars()
            .all()
        )
        assert len(workers) >= 3
        assert all(
            e.startswith("sagsbehandler") and e.endswith(f"@{sub}.demo.jobunivers.dk")
            for e in workers
        )

    # Caseworkers follow jobseekers of their own jobcentre only; jobseekers 1 and 2 are followed.
    rows = session.execute(
        select(
            CaseworkerAssignment.jobcentre_id,
            User.jobcentre_id,
            JobseekerProfile.jobcentre_id,
            CaseworkerAssignment.jobseeker_id,
        )
        .join(User, User.id == CaseworkerAssignment.caseworker_id)
        .join(JobseekerProfile, JobseekerProfile.user_id == CaseworkerAssignment.jobseeker_id)
    ).all()
    assert rows and all(a == b == c for a, b, c, _ in rows)
    followed = {session.get(User, r[3]).email for r in rows}
    assert {"jobsoeger1@demo.jobunivers.dk", "jobsoeger2@demo.jobunivers.dk"} <= followed

    # Portal postings belong to portal employers; Jobnet imports to none.
    by_source = collections.Counter(
        (s, e is not None)
        for s, e in session.execute(select(JobPosting.source, JobPosting.employer_id))
    )
    assert set(by_source) == {("demo", True), ("jobnet", False)}
    employers = session.execute(select(User).where(User.role == Role.EMPLOYER)).scalars().all()
    assert len(employers) == 8 and all(u.employer_id for u in employers)


def test_seed_twice_adds_nothing(places: list, session: Session) -> None:
    first = write.seed(session=session, seed=42, today=TODAY, **SMALL)
    before = snapshot(session)
    tables = [User, JobseekerProfile, Employer, Jobcentre, JobPosting, CaseworkerAssignment]
    sizes = [count(session, t) for t in tables]

    second = write.seed(session=session, seed=42, today=TODAY + timedelta(days=3), **SMALL)

    assert second["added"] == 0
    assert {k: v for k, v in second.items() if k != "added"} == {
        k: v for k, v in first.items() if k != "added"
    }
    assert [count(session, t) for t in tables] == sizes
    assert snapshot(session) == before


def test_a_larger_seed_adds_on_top(places: list, session: Session) -> None:
    write.seed(session=session, seed=42, jobseekers=10, postings=40, employers=8, today=TODAY)
    before = snapshot(session)

    summary = write.seed(session=session, seed=42, today=TODAY, **SMALL)

    assert summary["jobseekers"] == 20 and summary["postings"] == 100
    after = snapshot(session)
    assert set(before["cvs"]) <= set(after["cvs"])
    assert set(before["postings"]) <= set(after["postings"])


def test_same_seed_gives_the_same_data_on_fresh_databases(
    scratch_engine: Callable[[str], Engine],
) -> None:
    snapshots = []
    for name in ("first", "second"):
        with Session(scratch_engine(name)) as session:
            reference.load_postcodes(session=session, progress=quiet_progress)
            write.seed(session=session, seed=7, today=TODAY, **SMALL)
            snapshots.append(snapshot(session))
    assert snapshots[0] == snapshots[1]
    assert len(snapshots[0]["cvs"]) == 20 and len(snapshots[0]["postings"]) == 100


def test_seed_needs_the_reference_data(scratch_engine: Callable[[str], Engine]) -> None:
    with (
        Session(scratch_engine("empty")) as session,
        pytest.raises(write.ReferenceDataMissing, match="flask reference load"),
    ):
        write.seed(session=session, seed=42, **SMALL)


def test_cli_command_seeds_and_reports(places: list, app: Flask) -> None:
    args = ["demo", "seed", "--jobseekers", "5", "--postings", "20", "--employers", "3"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "jobseekers: 5" in result.output and "postings: 20" in result.output
    again = app.test_cli_runner().invoke(args=args)
    assert "added: 0" in again.output


# --- The plan, in memory (default sizes) ---------------------------------------------------------


def test_a_different_seed_gives_different_data(
    places: list[Place], vocabulary: data.Vocabulary, full_plan: plan.Plan
) -> None:
    def build(seed: int) -> plan.Plan:
        return plan.build_plan(
            seed=seed,
            jobseekers=20,
            postings=100,
            employers=60,
            places=places,
            vocabulary=vocabulary,
            today=TODAY,
            password_hash="x",
        )

    same, other = build(42), build(43)
    # Each person and posting has its own random stream: the first 20 CVs and 100 postings of
    # the full set are the ones a smaller set gets.
    cvs = [p["cv_text"] for p in same.profiles.values()]
    assert cvs == [p["cv_text"] for p in full_plan.profiles.values()][:20]
    assert [p["description"] for p in same.postings] == [
        p["description"] for p in full_plan.postings
    ][:100]
    other_cvs = [p["cv_text"] for p in other.profiles.values()]
    assert sum(a != b for a, b in zip(cvs, other_cvs, strict=True)) >= 18
    assert [p["title"] for p in same.postings] != [p["title"] for p in other.postings]


def test_coverage_of_occupations_regions_and_sources(
    places: list[Place], full_plan: plan.Plan
) -> None:
    region = {p.code: p.region for p in places}
    postings, profiles = full_plan.postings, list(full_plan.profiles.values())
    assert len(postings) == 3000 and len(profiles) == 300

    assert len({p["occupation_uri"] for p in postings}) >= 60
    assert len({p["wished_occupations"][0]["esco_uri"] for p in profiles}) >= 60
    assert {region[p["postcode"]] for p in postings} == REGIONS
    homes = collections.Counter(region[p["home_postcode"]] for p in profiles)
    assert set(homes) == REGIONS
    # Weighted by population: the capital region has the most people, Nordjylland the fewest.
    assert (
        homes.most_common(1)[0][0] == "Hovedstaden" and min(homes, key=homes.get) == "Nordjylland"
    )

    sources = collections.Counter(p["source"] for p in postings)
    assert sources["demo"] > sources["jobnet"] > 0
    portal = {
        (p["title"], p["hiring_organization"], p["postcode"])
        for p in postings
        if p["source"] == "demo"
    }
    duplicates = [
        p
        for p in postings
        if p["source"] == "jobnet"
        and (p["title"], p["hiring_organization"], p["postcode"]) in portal
    ]
    assert 0.015 * 3000 <= len(duplicates) <= 0.05 * 3000
    assert len({(p["source"], p["source_id"]) for p in postings}) == 3000

    remote = sum(p["remote"] for p in postings) / 3000
    assert 0.02 <= remote <= 0.08
    for p in postings:
        assert TODAY - timedelta(days=30) <= p["date_posted"] <= TODAY
        assert p["valid_through"] > p["date_posted"]
        assert p["valid_through"] < TODAY or (
            timedelta(days=14) <= p["valid_through"] - TODAY <= timedelta(days=56)
        )
    expired = sum(p["valid_through"] < TODAY for p in postings)
    assert 0 < expired < 0.1 * 3000


def test_profiles_are_complete_and_point_into_esco(full_plan: plan.Plan) -> None:
    occupations = {
        r["uri"]: r["isco_code"]
        for r in reference.occupation_rows(reference.ESCO_DIR / reference.CLASSIFICATION_ZIP)
    }
    skills = {
        r["uri"] for r in reference.skill_rows(reference.ESCO_DIR / reference.CLASSIFICATION_ZIP)
    }
    centre_of_region = {region: code for code, _, region, _, _ in plan.JOBCENTRES}
    for p in full_plan.profiles.values():
        assert p["experience"] and all(
            set(e) == {"title", "employer", "start", "end", "description"} for e in p["experience"]
        )
        assert all(e["start"] < e["end"] for e in p["experience"])
        assert p["education"] and all(
            set(e) == {"title", "institution", "year"} for e in p["education"]
        )
        assert p["skills"] and all(s["esco_uri"] in skills for s in p["skills"])
        for w in p["wished_occupations"]:
            assert occupations[w["esco_uri"]] == w["isco_code"]
        assert p["wished_industries"]
        assert 10 <= p["commute_km"] <= 60
        assert p["hours_per_week"] in {20, 25, 30, 32, 37}
    for posting in full_plan.postings:
        assert occupations[posting["occupation_uri"]] == posting["isco_code"]
        assert posting["skills"]
    # A jobseeker belongs to the demo jobcentre of their home region.
    assert all(p["_jobcentre"] in centre_of_region.values() for p in full_plan.profiles.values())


def test_caseworkers_follow_about_half_in_odense_and_copenhagen(full_plan: plan.Plan) -> None:
    local = [e for e, p in full_plan.profiles.items() if p["_jobcentre"] in ("461", "101")]
    followed = {js for _, js, _ in full_plan.assignments}
    assert followed <= set(local)
    assert 0.35 <= len(followed) / len(local) <= 0.65


def test_names_are_danish_and_diverse(full_plan: plan.Plan) -> None:
    seekers = [u for u in full_plan.users if u["role"] == Role.JOBSEEKER]
    assert len({u["name"] for u in seekers}) >= 280
    languages = [
        p["cv_text"].split("Sprog\n")[1].split(" (modersmål)")[0]
        for p in full_plan.profiles.values()
    ]
    share_danish = languages.count("Dansk") / len(languages)
    assert 0.6 <= share_danish <= 0.9
    assert len(set(languages)) >= 6


def test_texts_are_danish(full_plan: plan.Plan) -> None:
    rng = random.Random(0)
    for p in rng.sample(list(full_plan.profiles.values()), 25):
        text = p["cv_text"]
        for heading in (
            "Profil",
            "Erhvervserfaring",
            "Uddannelse",
            "Faglige kompetencer",
            "Personlige kompetencer",
        ):
            assert f"{heading}\n" in text
        assert "Jeg " in text and " Du " not in text
    for p in rng.sample(full_plan.postings, 50):
        text = p["description"]
        assert "Vi forventer, at du" in text and "Vi tilbyder" in text and "Ansøgning" in text
        assert text.count("\n\n") >= 5
    letters = "".join(p["description"] for p in full_plan.postings[:200])
    assert all(ch in letters for ch in "æøå")
    employers = [e["name"] for e in full_plan.employers]
    assert any(e.endswith(("ApS", "A/S", "I/S")) for e in employers)
    assert all(len(e["cvr"]) == 8 and e["cvr"].isdigit() for e in full_plan.employers)


def test_history_seed_is_idempotent_and_fills_the_statistics(app, session):
    from app.models import JobseekerProfile, Postcode, SavedJob, TrialAssignment

    if session.exec(select(Postcode)).first() is None:
        from contextlib import contextmanager

        @contextmanager
        def quiet(iterable, **_kwargs):
            yield iterable

        reference.load_postcodes(session=session, progress=quiet)
    write.seed(session=session, jobseekers=40, postings=300, employers=5, seed=7)
    app.config["TRIAL_ENABLED"] = True
    with app.app_context():
        first = history.seed_history(session=session, seed=7)
        second = history.seed_history(session=session, seed=7)
    assert first > 0 and second == 0
    assert session.exec(select(TrialAssignment)).first() is not None
    hired = session.exec(select(SavedJob).where(SavedJob.status == "hired")).all()
    assert hired
    assert session.exec(select(JobseekerProfile)).first() is not None


def test_alternatives_report_counts_every_matchable_jobseeker(places: list, app: Flask) -> None:
    seed = ["demo", "seed", "--jobseekers", "12", "--postings", "120", "--employers", "4"]
    assert app.test_cli_runner().invoke(args=seed).exit_code == 0
    result = app.test_cli_runner().invoke(args=["matching", "alternatives-report"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(": ", 1) for line in result.output.splitlines())
    people = int(lines["jobseekers whose data may be matched"])
    assert 0 < people <= 12
    with_three = int(lines[">= 3 alternatives with postings"].split("/")[0])
    empty = int(lines["empty tab"].split("/")[0])
    assert with_three + empty <= people
    per_person, longer = lines["alternatives per person"].split(", of which longer steps: ")
    assert 3 * with_three <= float(per_person) * people + 1e-9 and int(longer) >= 0
