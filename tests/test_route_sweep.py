"""Every route, as every role, with odd ids and junk form values: never a server error.

The sweep walks ``app.url_map``: each URL argument gets ids too large for the database (the
driver used to overflow into a 500), zero, negative and non-numeric values, quotes and long text,
plus the ids of real rows, so the views run past their 404s too. GET requests also carry junk
query strings (as a page and as an htmx fragment); POST rules get a few junk forms. Run it on
PostgreSQL too (``DATABASE_URL``): that is where an out-of-range id used to crash.
"""

import re
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select
from werkzeug.exceptions import NotFound
from werkzeug.routing import Rule

from app.converters import parse_id
from app.models import (
    CaseworkerAssignment,
    JobseekerProfile,
    Role,
    SavedJob,
    Suggestion,
    User,
)
from app.services import coffee, matching, privacy
from tests.conftest import add_postcodes, offer_input

ROLES = ("anonymous", Role.JOBSEEKER, Role.CASEWORKER, Role.EMPLOYER, Role.ADMIN)
ODD_VALUES = (
    "0",
    "-1",
    "99999999",
    str(2**31),
    str(2**63),
    "9" * 300,
    "abc",
    "'\"<x>",
    "x" * 300,
)
# Every field gets each of these once across the junk forms (rotated, so forms mix them).
JUNK_VALUES = ("-1", str(2**31), "9" * 300, "'\"<script>%00" + "å" * 300)
# Field and query names the portal's forms and pages read (a junk value goes into each).
FIELD_NAMES = (
    "action",
    "answer",
    "capacity",
    "code",
    "comment",
    "commute_km",
    "confirmation",
    "cv_text",
    "decision",
    "description",
    "details",
    "duration_minutes",
    "email",
    "employment_type",
    "fane",
    "home_postcode",
    "hours_per_week",
    "industry",
    "kind",
    "locale",
    "location",
    "meeting_id",
    "message",
    "next",
    "note",
    "occupation",
    "password",
    "posting_id",
    "postcode",
    "q",
    "reason",
    "remote",
    "side",
    "skills-0",
    "start_date",
    "start_time",
    "status",
    "title",
    "user_id",
    "valid_through",
    "what",
)
# Ending the session would turn the rest of the sweep into an anonymous one.
SKIPPED_ENDPOINTS = {"static", "auth.logout"}


def junk(turn: int) -> dict[str, str]:
    """Junk for every field name, field ``i`` getting ``JUNK_VALUES[(i + turn) % n]``."""
    n = len(JUNK_VALUES)
    return {name: JUNK_VALUES[(i + turn) % n] for i, name in enumerate(FIELD_NAMES)}


def build_world(
    app: Flask, session: Session, make_user, make_posting, me: User | None
) -> dict[str, str]:
    """One of everything, linked, so real ids lead somewhere: an employer's posting and coffee
    offer with a jobseeker's yes, a suggestion and a saved job, a caseworker's citizen, an open
    data-subject request; ``me`` (the logged-in person) plays their role in it. Returns the real
    value for each URL argument name."""
    add_postcodes(session, {"5000": ("Odense C", 55.396, 10.388)})
    people = {
        role: me if me is not None and me.role == role else make_user(role) for role in ROLES[1:]
    }
    seeker, employer, caseworker = (
        people[Role.JOBSEEKER],
        people[Role.EMPLOYER],
        people[Role.CASEWORKER],
    )
    posting = make_posting(
        employer_id=employer.employer_id,
        title="Sygeplejerske",
        description="Sygeplejerske til medicinsk afdeling: medicinhåndtering og sårpleje.",
    )
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == seeker.id)
    ).one()
    profile.cv_text = "Uddannet sygeplejerske med erfaring i medicinhåndtering og sårpleje."
    session.add(profile)
    session.add(SavedJob(user_id=seeker.id, posting_id=posting.id))
    session.add(
        CaseworkerAssignment(
            caseworker_id=caseworker.id,
            jobseeker_id=seeker.id,
            jobcentre_id=caseworker.jobcentre_id,
        )
    )
    session.commit()
    with app.app_context():
        # Real suggestions with real explanations, as the ranking stores them.
        matching.embed_postings(session=session)
        matching.refresh_suggestions(session=session, user_id=seeker.id)
        privacy.record_decision(
            session=session,
            user_id=seeker.id,
            purpose_id=privacy.EMPLOYER_COFFEE,
            action="grant",
            actor_id=seeker.id,
            actor_role=Role.JOBSEEKER,
        )
        meeting = coffee.create_offer(
            session=session,
            employer_id=employer.employer_id,
            data=offer_input(capacity=3),
        )
        response, _ = coffee.answer(
            session=session, user_id=seeker.id, meeting_id=meeting.id, answer="yes"
        )
        request = privacy.register_request(session=session, user_id=seeker.id, kind="access")
    saved = session.exec(select(SavedJob).where(SavedJob.user_id == seeker.id)).one()
    assert session.exec(select(Suggestion).where(Suggestion.user_id == seeker.id)).first()
    return {
        "posting_id": str(posting.id),
        "meeting_id": str(meeting.id),
        "response_id": str(response.id),
        "saved_id": str(saved.id),
        "citizen_id": str(seeker.id),
        "request_id": str(request.id),
        "purpose_id": privacy.EMPLOYER_COFFEE,
        "provider": "mitid",
        "token": "x",
    }


def urls(rule: Rule, real: dict[str, str]) -> list[str]:
    """The rule's path with real values first, then with each argument in turn set to every odd
    value, the other arguments keeping their real values."""
    names = re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule.rule)
    if not names:
        return [rule.rule]

    def build(values: dict[str, str]) -> str:
        return re.sub(
            r"<(?:[^:<>]+:)?([^<>]+)>",
            lambda m: quote(values[m.group(1)], safe=""),
            rule.rule,
        )

    real_values = {n: real.get(n, "1") for n in names}
    found = [build(real_values)]
    for name in names:
        found += [build(real_values | {name: value}) for value in ODD_VALUES]
    return list(dict.fromkeys(found))


def sweep(client: FlaskClient, app: Flask, real: dict[str, str]) -> list[str]:
    """Send every request; returns the failures as readable lines."""
    failures: list[str] = []

    def send(method: str, url: str, **kwargs) -> None:
        try:
            response = client.open(url, method=method, **kwargs)
        except Exception as error:  # noqa: BLE001 - the test app propagates crashes
            failures.append(f"{method} {url[:120]}: {type(error).__name__}: {error}"[:400])
            return
        if response.status_code >= 500:
            failures.append(f"{method} {url[:120]} {kwargs.get('data', '')!s:.80}: 500")

    # Auth routes last: a junk password on the re-authentication page may lock the account.
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint.startswith("auth."), r.rule))
    for rule in rules:
        if rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        methods = rule.methods or set()
        found = urls(rule, real)
        for url in found:
            # Odd ids mostly stop at the router; the full set of junk goes to the real URL.
            thorough = url == found[0]
            if "GET" in methods:
                send("GET", url)
                if thorough:
                    send("GET", url, headers={"HX-Request": "true"})
                    for turn in range(len(JUNK_VALUES)):
                        send("GET", f"{url}?{urlencode(junk(turn))}")
            if "POST" in methods:
                send("POST", url, data={})
                if thorough:
                    for turn in range(len(JUNK_VALUES)):
                        send("POST", url, data=junk(turn))
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_with_a_server_error(
    app, client, session, login_as, make_user, make_posting, role
):
    me = login_as(role) if role != "anonymous" else None
    real = build_world(app, session, make_user, make_posting, me)
    failures = sweep(client, app, real)
    assert failures == [], "\n".join(failures)


def test_odd_ids_in_urls_are_404(client, login_as):
    login_as(Role.EMPLOYER)
    for value in ("0", str(2**31), "9" * 300, "9" * 5000):
        assert client.get(f"/arbejdsgiver/job/{value}").status_code == 404


def test_ids_in_urls_are_range_checked_by_the_router(app):
    urls = app.url_map.bind("localhost")
    endpoint, args = urls.match(f"/arbejdsgiver/job/{2**31 - 1}")
    assert (endpoint, args) == ("employer.posting_detail", {"posting_id": 2**31 - 1})
    assert urls.match("/sagsbehandler/borger/1")[1] == {"citizen_id": 1}
    for value in ("0", "-1", str(2**31), "9" * 11, "9" * 300, "1e3", "abc"):
        with pytest.raises(NotFound):
            urls.match(f"/sagsbehandler/borger/{value}")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),
        (str(2**31 - 1), 2**31 - 1),
        ("0", None),
        ("-1", None),
        (str(2**31), None),
        ("9" * 300, None),
        ("abc", None),
        ("١٢", None),
        ("", None),
        (None, None),
    ],
)
def test_ids_in_forms_are_range_checked(raw, expected):
    assert parse_id(raw) == expected
