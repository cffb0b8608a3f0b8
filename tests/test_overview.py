""" "Mit overblik": the service collects the right things and the page shows them with links to
where each part can be changed or explained."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.models import (
    CaseworkerAssignment,
    CoffeeMeeting,
    CoffeeResponse,
    Employer,
    JobseekerProfile,
    Role,
    SavedJob,
    Suggestion,
    TrialAssignment,
)
from app.services import matching, outcomes, overview
from consent import guard

EN = {"Accept-Language": "en"}
# Distinct texts: near-identical postings are merged by the recommender.
POSTINGS = (
    (
        "Sygeplejerske, medicinsk afdeling",
        "Medicinhåndtering, sårpleje og dokumentation i journalen.",
    ),
    (
        "Sygeplejerske, akutmodtagelse",
        "Triage, akut pleje og samarbejde med lægerne i modtagelsen.",
    ),
    ("Sygeplejerske, hjemmeplejen", "Sårpleje og medicin hos borgere i eget hjem, kørekort B."),
    ("Sygeplejerske, psykiatri", "Samtaler, medicinering og miljøterapi på lukket afsnit."),
    (
        "Sygeplejerske, operationsgang",
        "Instrumentering, steril teknik og patientforløb ved operation.",
    ),
    (
        "Social- og sundhedsassistent",
        "Personlig pleje, medicingivning og rehabilitering på plejecenter.",
    ),
    ("Jordemoder", "Fødselshjælp, svangreomsorg og vejledning af nybagte forældre."),
    ("Tømrer", "Forskalling, tagkonstruktioner og montering af vinduer på nybyggeri."),
    ("Murer", "Murværk, flisearbejde og renovering af ældre ejendomme."),
    ("Elektriker", "Installationer, fejlfinding og tavlearbejde i erhvervsbyggeri."),
    ("Lagerarbejder", "Plukning, pakning og truckkørsel på centrallager."),
    ("Chauffør", "Distribution af varer med lastbil, kategori C, tidlige morgener."),
    ("Kok", "Madlavning fra bunden, menuplanlægning og hygiejne i storkøkken."),
    ("Pædagog", "Leg, læring og forældresamarbejde i integreret institution."),
)


@pytest.fixture
def seeker(login_as, session):
    user = login_as(Role.JOBSEEKER, name="Birte Overblik")
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == user.id)
    ).one()
    profile.cv_text = "Uddannet sygeplejerske med erfaring i medicinhåndtering og sårpleje."
    profile.skills = [{"label": "sårpleje", "esco_uri": None}]
    profile.wished_occupations = [{"title": "Sygeplejerske", "esco_uri": None, "isco_code": "2221"}]
    profile.accessibility_needs = "Ingen tunge løft"
    profile.commute_km = 40
    session.add(profile)
    session.commit()
    return user


@pytest.fixture
def ranked(app, session, seeker, make_posting):
    """Fourteen open postings ranked for the seeker (more than the overview shows)."""
    for title, description in POSTINGS:
        make_posting(title=title, description=description)
    with app.app_context():
        matching.embed_postings(session=session)
        assert matching.refresh_suggestions(session=session, user_id=seeker.id) > 10
    return seeker


def meeting(session, employer: Employer, *, starts_in: timedelta, cancelled: bool = False):
    row = CoffeeMeeting(
        title=f"Kaffe {uuid.uuid4().hex[:4]}",
        description="Uformel snak",
        location="Kantinen",
        starts_at=datetime.now(UTC) + starts_in,
        employer_id=employer.id,
        cancelled_at=datetime.now(UTC) if cancelled else None,
    )
    session.add(row)
    session.commit()
    return row


def build(app, session, user, locale="en"):
    with app.test_request_context():
        return overview.build(session=session, user_id=user.id, locale=locale)


# --- The service ---------------------------------------------------------------------------------


def test_build_collects_everything_about_the_person(app, session, ranked, make_user, make_posting):
    user = ranked
    employer = Employer(name="Kaffebaren ApS")
    session.add(employer)
    session.commit()
    upcoming = meeting(session, employer, starts_in=timedelta(days=3))
    past = meeting(session, employer, starts_in=timedelta(days=-3))
    cancelled = meeting(session, employer, starts_in=timedelta(days=5), cancelled=True)
    declined_by_me = meeting(session, employer, starts_in=timedelta(days=6))
    for m, answer in ((upcoming, "yes"), (past, "yes"), (cancelled, "yes"), (declined_by_me, "no")):
        session.add(CoffeeResponse(meeting_id=m.id, user_id=user.id, answer=answer))
    old_caseworker, caseworker = make_user(Role.CASEWORKER), make_user(Role.CASEWORKER)
    session.add(
        CaseworkerAssignment(
            caseworker_id=old_caseworker.id,
            jobseeker_id=user.id,
            jobcentre_id=old_caseworker.jobcentre_id,
            ended_at=datetime.now(UTC),
        )
    )
    session.add(
        CaseworkerAssignment(
            caseworker_id=caseworker.id, jobseeker_id=user.id, jobcentre_id=caseworker.jobcentre_id
        )
    )
    session.add(TrialAssignment(user_id=user.id, trial_id="odense-2026", arm="treatment"))
    session.add(SavedJob(user_id=user.id, posting_id=make_posting().id, status="applied"))
    session.commit()
    for _ in range(12):
        guard.log_access(
            session,
            user.id,
            purpose_id="caseworker_sharing",
            actor_id=caseworker.id,
            actor_role="caseworker",
            data_categories=["cv"],
            via="web",
        )

    o = build(app, session, user)
    assert o.user.id == user.id and o.profile.user_id == user.id
    assert [c.meeting.id for c in o.coffee] == [upcoming.id]
    assert o.coffee[0].employer_name == "Kaffebaren ApS"
    ranks = [s.suggestion.rank for s in o.suggestions]
    assert len(ranks) == overview.TOP_SUGGESTIONS and ranks == sorted(ranks)
    assert all(s.suggestion.kind == "match" for s in o.suggestions)
    assert o.suggestions[0].posting.title.startswith("Sygeplejerske")
    assert 0 <= o.suggestions[0].score_percent <= 100
    assert [s.saved.status for s in o.saved] == ["applied"]
    assert o.trial.arm == "treatment"
    assert o.caseworker.name == caseworker.name
    assert o.caseworker.email == caseworker.email and o.caseworker.jobcentre
    assert len(o.accesses.rows) == overview.LATEST_ACCESSES and o.accesses.total == 12
    assert {p.id for p in o.purposes} >= {"core_matching", "email_notifications"}
    assert not o.opted_out and o.consents_needing_renewal == []
    assert not o.outcomes.shown


def test_build_without_anything(app, session, make_user):
    user = make_user(Role.JOBSEEKER)
    o = build(app, session, user)
    assert o.coffee == [] and o.saved == [] and o.suggestions == []
    assert o.trial is None and o.caseworker is None and o.accesses.rows == []


# --- The page ------------------------------------------------------------------------------------


def test_overview_page_shows_each_part_with_its_link(client, session, ranked):
    user = ranked
    response = client.get("/jobsoeger/overblik", headers=EN)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r"<h1>Hello Birte Overblik</h1>", html)
    for section in (
        "ov-profile",
        "ov-wishes",
        "ov-suggestions",
        "ov-saved",
        "ov-coffee",
        "ov-consents",
        "ov-access",
        "ov-caseworker",
        "ov-trial",
        "ov-rights",
    ):
        assert f'id="{section}"' in html
    top = session.exec(
        select(Suggestion)
        .where(Suggestion.user_id == user.id, Suggestion.kind == "match")
        .order_by(Suggestion.rank)
    ).all()
    why_links = re.findall(r'href="/jobsoeger/forslag/(\d+)"', html)
    assert [int(x) for x in why_links] == [s.posting_id for s in top[:10]]
    assert "Ingen tunge løft" in html and "sårpleje" in html
    for url in (
        "/jobsoeger/profil",
        "/jobsoeger/samtykker",
        "/jobsoeger/adgangslog",
        "/jobsoeger/gemte",
        "/jobsoeger/swipe",
        "/jobsoeger/mine-data",
        "/jobsoeger/ret-data",
        "/jobsoeger/slet-mig",
        "/aabenhed/behandlinger",
    ):
        assert f'href="{url}' in html, url
    assert "You are not part of a trial." in html
    assert "No caseworker is linked to you" in html
    assert 'id="ov-outcomes"' not in html  # too few similar people to show anything


def test_overview_greets_in_danish_by_default(client, seeker):
    html = client.get("/jobsoeger/overblik").get_data(as_text=True)
    assert '<html lang="da"' in html and "<h1>Hej Birte Overblik</h1>" in html


def test_overview_after_opting_out(client, session, ranked):
    client.post("/jobsoeger/samtykker/core_matching", data={"action": "opt_out"})
    html = client.get("/jobsoeger/overblik", headers=EN).get_data(as_text=True)
    assert "You have opted out of algorithmic suggestions" in html
    assert not re.findall(r'href="/jobsoeger/forslag/\d+"', html)
    assert 'data-status="opted_out"' in html


def test_what_worked_for_people_like_me_appears_with_enough_people(
    client, session, seeker, make_user, make_posting
):
    hired_into = make_posting(title="Sygeplejerske, Odense", isco_code="2221")
    for _ in range(outcomes.K_MIN):
        other = make_user(Role.JOBSEEKER)
        profile = session.exec(
            select(JobseekerProfile).where(JobseekerProfile.user_id == other.id)
        ).one()
        profile.wished_occupations = [{"title": "Sygeplejerske", "isco_code": "2221"}]
        session.add(profile)
        session.add(SavedJob(user_id=other.id, posting_id=hired_into.id, status="hired"))
    session.commit()
    html = client.get("/jobsoeger/overblik", headers=EN).get_data(as_text=True)
    assert 'id="ov-outcomes"' in html
    assert f"Based on {outcomes.K_MIN} people" in html


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.EMPLOYER, Role.ADMIN])
def test_overview_is_only_for_jobseekers(client, login_as, role):
    login_as(role)
    assert client.get("/jobsoeger/overblik").status_code == 403


def test_an_empty_profile_is_offered_to_start_from_a_cv_file(client, login_as, seeker):
    html = client.get("/jobsoeger/overblik").get_data(as_text=True)
    assert "Start med din CV-fil" not in html  # Birte has a profile
    login_as(Role.JOBSEEKER, name="Ny Bruger")
    html = client.get("/jobsoeger/overblik").get_data(as_text=True)
    assert 'href="/jobsoeger/profil#cv-file-heading">Start med din CV-fil</a>' in html
