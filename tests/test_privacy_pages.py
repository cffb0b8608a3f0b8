"""The citizen's privacy pages (consents, access log, export, rectification, erasure), the admin
request list and the public Art. 30 record: views, ledger effects and bad input.

Pages are asked for in English (``Accept-Language: en``) where text is checked, so the tests do
not depend on the Danish catalogue; structure is checked through ids and ``data-`` attributes.
"""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from markupsafe import escape
from sqlmodel import SQLModel, select

from app.models import JobseekerProfile, Role, SavedJob, Suggestion, Swipe, User
from app.services import matching, privacy
from consent import guard, ledger, purposes, rights
from consent.models import (
    AccessLogEntry,
    ConsentEvent,
    DataSubjectRequest,
    ErasureRecord,
    RequestStatus,
)
from consent.pseudonym import Pseudonymiser
from tests.conftest import PASSWORD

EN = {"Accept-Language": "en"}
HX = {"HX-Request": "true", "Accept-Language": "en"}
PAGES = (
    "/jobsoeger/overblik",
    "/jobsoeger/samtykker",
    "/jobsoeger/adgangslog",
    "/jobsoeger/mine-data",
    "/jobsoeger/ret-data",
    "/jobsoeger/slet-mig",
)
NURSING = "Sygeplejerske til medicinsk afdeling. Erfaring med medicinhåndtering og sårpleje."
PSEUDONYMISER = Pseudonymiser(bytes.fromhex("ab" * 32))  # the key the app fixture configures


@pytest.fixture
def seeker(login_as):
    return login_as(Role.JOBSEEKER)


def body_of(response) -> str:
    return response.get_data(as_text=True)


def purpose_card(html: str, purpose_id: str) -> str:
    """The HTML of one purpose's card on the consents page."""
    match = re.search(rf'<article[^>]*id="purpose-{purpose_id}".*?</article>', html, re.S)
    assert match, f"no card for {purpose_id}"
    return match.group(0)


def card_status(client, purpose_id: str) -> str:
    card = purpose_card(body_of(client.get("/jobsoeger/samtykker", headers=EN)), purpose_id)
    return re.search(r'data-status="([a-z_]+)"', card).group(1)


def decide(client, purpose_id: str, action: str, headers=EN):
    return client.post(
        f"/jobsoeger/samtykker/{purpose_id}", data={"action": action}, headers=headers
    )


# --- Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_for_a_jobseeker(client, seeker, url):
    response = client.get(url, headers=EN)
    assert response.status_code == 200
    html = body_of(response)
    assert "<html" in html and html.count("<h1") == 1


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.EMPLOYER, Role.ADMIN])
@pytest.mark.parametrize("url", [*PAGES, "/jobsoeger/mine-data.json"])
def test_other_roles_are_refused(client, login_as, role, url):
    login_as(role)
    assert client.get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/jobsoeger/samtykker")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


# --- Consents ----------------------------------------------------------------------------------


def test_consents_page_explains_every_purpose(client, seeker):
    html = body_of(client.get("/jobsoeger/samtykker", headers=EN))
    for purpose in purposes.PURPOSES.values():
        card = purpose_card(html, purpose.id)
        assert escape(purpose.text.en) in card
        assert escape(purpose.retention.en) in card
        for category in purpose.data_categories:
            assert escape(purposes.DATA_CATEGORIES[category].en) in card
    # Consent purposes offer "yes"; core matching offers the objection and the opt-out.
    assert 'data-action="grant"' in purpose_card(html, "email_notifications")
    core = purpose_card(html, "core_matching")
    assert 'data-action="object"' in core and 'data-action="opt_out"' in core
    assert "same help as everyone else" in core
    assert 'data-action="opt_out"' not in purpose_card(html, "caseworker_sharing")


def test_grant_and_withdraw_change_the_ledger_and_the_page(client, session, seeker):
    assert card_status(client, "email_notifications") == "not_given"

    response = decide(client, "email_notifications", "grant")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/jobsoeger/samtykker#purpose-email_notifications")
    assert ledger.is_permitted(session, seeker.id, "email_notifications")
    assert card_status(client, "email_notifications") == "granted"

    decide(client, "email_notifications", "withdraw")
    assert not ledger.is_permitted(session, seeker.id, "email_notifications")
    assert card_status(client, "email_notifications") == "withdrawn"

    events = ledger.events(session, seeker.id, "email_notifications")
    assert [(e.action, e.channel, e.actor_id) for e in events] == [
        ("grant", "web", seeker.id),
        ("withdraw", "web", seeker.id),
    ]
    history = body_of(client.get("/jobsoeger/samtykker", headers=EN))
    assert "Consent given" in history and "Consent withdrawn" in history


def test_htmx_decision_returns_the_card_fragment(client, session, seeker):
    response = decide(client, "swipe_personalisation", "grant", headers=HX)
    assert response.status_code == 200
    html = body_of(response)
    assert "<html" not in html
    assert html.lstrip().startswith("<article") and 'id="purpose-swipe_personalisation"' in html
    assert 'data-status="granted"' in html and 'role="status"' in html
    assert "HX-Request" in response.headers["Vary"]
    assert ledger.is_permitted(session, seeker.id, "swipe_personalisation")


def test_objection_stops_processing_and_is_registered_as_a_request(client, session, seeker):
    assert decide(client, "caseworker_sharing", "object").status_code == 303
    assert not ledger.is_permitted(session, seeker.id, "caseworker_sharing")
    requests = session.exec(
        select(DataSubjectRequest).where(DataSubjectRequest.subject_id == seeker.id)
    ).all()
    assert [r.kind for r in requests] == ["objection"]
    assert card_status(client, "caseworker_sharing") == "objected"
    decide(client, "caseworker_sharing", "opt_in")
    assert ledger.is_permitted(session, seeker.id, "caseworker_sharing")


@pytest.fixture
def nurse_with_suggestions(app, session, seeker, make_posting):
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == seeker.id)
    ).one()
    profile.cv_text = "Uddannet sygeplejerske med erfaring i medicinhåndtering og sårpleje."
    profile.commute_km = 40
    session.add(profile)
    session.commit()
    for i in range(4):
        make_posting(title=f"Sygeplejerske {i}", description=NURSING)
    with app.app_context():
        matching.embed_postings(session=session)
        assert matching.refresh_suggestions(session=session, user_id=seeker.id) > 0
    return seeker


def suggestion_count(session, user_id: int) -> int:
    session.expire_all()
    return len(session.exec(select(Suggestion).where(Suggestion.user_id == user_id)).all())


def test_opting_out_removes_suggestions_and_opting_in_brings_them_back(
    app, client, session, nurse_with_suggestions
):
    user = nurse_with_suggestions
    assert suggestion_count(session, user.id) > 0

    assert decide(client, "core_matching", "opt_out").status_code == 303
    assert suggestion_count(session, user.id) == 0
    with app.app_context():
        assert matching.refresh_suggestions(session=session, user_id=user.id) == 0
    deck = body_of(client.get("/jobsoeger/swipe", headers=EN))
    assert "You have opted out of algorithmic suggestions" in deck
    assert card_status(client, "core_matching") == "opted_out"

    decide(client, "core_matching", "opt_in")
    assert suggestion_count(session, user.id) > 0


@pytest.mark.parametrize(
    ("purpose_id", "action"),
    [
        ("no_such_purpose", "grant"),
        ("core_matching", "grant"),  # consent does not apply to a public task
        ("email_notifications", "opt_out"),  # opt-out only applies to core matching
        ("caseworker_sharing", "opt_out"),
        ("email_notifications", "erased"),  # written only by erasure
        ("email_notifications", "delete-everything"),
        ("email_notifications", ""),
    ],
)
def test_bad_decisions_get_the_friendly_400_page(client, session, seeker, purpose_id, action):
    response = decide(client, purpose_id, action)
    assert response.status_code == 400
    assert "Bad request" in body_of(response)
    assert ledger.events(session, seeker.id) == []


def test_decision_without_csrf_token_is_refused(app, client, session, seeker):
    app.config["WTF_CSRF_ENABLED"] = True
    response = decide(client, "email_notifications", "grant")
    assert response.status_code == 400
    assert ledger.events(session, seeker.id) == []


def test_consent_receipt_download(client, seeker):
    decide(client, "research_evaluation", "grant")
    response = client.get("/jobsoeger/samtykker/research_evaluation/kvittering.json", headers=EN)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    receipt = json.loads(response.data)
    assert receipt["version"] == ledger.RECEIPT_VERSION and receipt["jurisdiction"] == "DK"
    assert receipt["piiPrincipalId"] == PSEUDONYMISER.user(seeker.id)
    assert str(seeker.id) != receipt["piiPrincipalId"]
    entry = receipt["services"][0]["purposes"][0]
    assert entry["purpose"].startswith(purposes.get("research_evaluation").title.en)
    assert entry["thirdPartyDisclosure"] is True
    assert receipt["policyUrl"].endswith("/aabenhed/behandlinger")
    assert receipt["language"] == "en"
    # The same consent always gives the same receipt id.
    again = client.get("/jobsoeger/samtykker/research_evaluation/kvittering.json").get_json()
    assert again["consentReceiptID"] == receipt["consentReceiptID"]


@pytest.mark.parametrize(
    ("purpose_id", "status"),
    [("no_such_purpose", 400), ("core_matching", 400), ("employer_coffee", 404)],
)
def test_receipt_for_bad_input_or_without_consent(client, seeker, purpose_id, status):
    response = client.get(f"/jobsoeger/samtykker/{purpose_id}/kvittering.json", headers=EN)
    assert response.status_code == status
    assert "<html" in body_of(response)


def test_consent_to_an_older_text_needs_renewal(client, session, seeker):
    session.add(
        ConsentEvent(
            subject_id=seeker.id,
            subject_pseudonym=PSEUDONYMISER.user(seeker.id),
            purpose_id="employer_coffee",
            purpose_version=0,  # a text version before the current one
            action="grant",
            channel="web",
            actor_id=seeker.id,
            actor_role="jobseeker",
        )
    )
    session.commit()
    card = purpose_card(body_of(client.get("/jobsoeger/samtykker", headers=EN)), "employer_coffee")
    assert 'class="notice needs-renewal"' in card
    assert 'data-action="grant"' in card and 'data-action="withdraw"' in card
    overview = body_of(client.get("/jobsoeger/overblik", headers=EN))
    assert 'id="renewal-notice"' in overview
    decide(client, "employer_coffee", "grant")
    card = purpose_card(body_of(client.get("/jobsoeger/samtykker", headers=EN)), "employer_coffee")
    assert "needs-renewal" not in card


# --- Access log ----------------------------------------------------------------------------------


def test_access_log_in_plain_language_and_paginated(client, session, seeker, make_user):
    caseworker = make_user(Role.CASEWORKER)
    other = make_user(Role.JOBSEEKER)
    for subject in (seeker, other):
        for _ in range(27):
            guard.log_access(
                session,
                subject.id,
                purpose_id="caseworker_sharing",
                actor_id=caseworker.id,
                actor_role="caseworker",
                actor_organisation="Jobcenter Odense",
                data_categories=["cv", "job_preferences"],
                via="web",
            )
    assert not guard.permitted(
        session,
        seeker.id,
        "employer_coffee",
        actor_id=None,
        actor_role="employer",
        actor_organisation="Bageriet ApS",
        data_categories=["cv"],
        via="web",
    )
    first = body_of(client.get("/jobsoeger/adgangslog", headers=EN))
    assert first.count('<tr class="allowed">') + first.count('<tr class="refused">') == 25
    assert "28 readings of your data in total; page 1 of 2" in first
    # The newest reading first: the refused employer.
    assert first.index("Bageriet ApS") < first.index("Jobcenter Odense")
    assert "Refused" in first and "you have not given consent" in first
    assert "A caseworker, Jobcenter Odense" in first
    assert purposes.DATA_CATEGORIES["job_preferences"].en in first
    assert "Your caseworker can see your profile" in first
    second = body_of(client.get("/jobsoeger/adgangslog?side=2", headers=EN))
    assert second.count('<tr class="allowed">') == 3
    # Nonsense page numbers show a real page, never an error.
    for side in ("0", "-3", "99", "abc"):
        assert client.get(f"/jobsoeger/adgangslog?side={side}").status_code == 200


# --- Export ------------------------------------------------------------------------------------


def test_export_json_holds_every_registered_personal_table(client, session, seeker):
    decide(client, "email_notifications", "grant")
    response = client.get("/jobsoeger/mine-data.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.mimetype == "application/json"
    data = json.loads(response.data)
    assert data["subject_id"] == seeker.id
    exported = {(r["table"], r["column"]) for r in data["records"]}
    assert exported == set(rights.PERSONAL_DATA)
    records = {(r["table"], r["column"]): r for r in data["records"]}
    user_rows = records[("user", "id")]["rows"]
    assert [row["email"] for row in user_rows] == [seeker.email]
    assert "password_hash" not in user_rows[0]
    assert records[("consentevent", "subject_id")]["rows"][0]["action"] == "grant"
    assert data["consent_state"]["email_notifications"]["status"] == "granted"


def test_export_page_is_readable(client, session, seeker):
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == seeker.id)
    ).one()
    profile.cv_text = "2020-13-45T99:99:99 looks like a timestamp but is free text"
    session.add(profile)
    session.commit()
    response = client.get("/jobsoeger/mine-data", headers=EN)
    assert response.status_code == 200
    html = body_of(response)
    assert "Your account" in html and seeker.email in html
    assert "looks like a timestamp but is free text" in html
    assert 'href="/jobsoeger/mine-data.json"' in html
    assert "password_hash" not in html


# --- Rectification -----------------------------------------------------------------------------


def test_report_wrong_data_registers_a_rectification_request(client, session, seeker):
    response = client.post(
        "/jobsoeger/ret-data",
        data={"what": "contact", "details": "Mit navn er stavet forkert."},
        headers=EN,
    )
    assert response.status_code == 303
    request = session.exec(
        select(DataSubjectRequest).where(DataSubjectRequest.subject_id == seeker.id)
    ).one()
    assert request.kind == "rectification" and request.status == "received"
    assert "Mit navn er stavet forkert." in request.note and "[contact]" in request.note
    assert timedelta(days=27) < request.due_at - request.received_at < timedelta(days=33)
    page = body_of(client.get(response.headers["Location"], headers=EN))
    assert "Your request is registered" in page
    assert 'href="/jobsoeger/profil"' in page


@pytest.mark.parametrize(
    "data", [{"what": "contact", "details": ""}, {"what": "shoe-size", "details": "x"}]
)
def test_incomplete_rectification_is_shown_again(client, session, seeker, data):
    response = client.post("/jobsoeger/ret-data", data=data, headers=EN)
    assert response.status_code == 200
    assert 'class="errors"' in body_of(response)
    assert session.exec(select(DataSubjectRequest)).all() == []


# --- Erasure -----------------------------------------------------------------------------------


def remaining_references(session, user_id: int) -> list[str]:
    left = []
    for table_name, column_name in rights.user_reference_columns():
        table = SQLModel.metadata.tables[table_name]
        count = session.connection().execute(
            sa.select(sa.func.count()).select_from(table).where(table.c[column_name] == user_id)
        )
        if count.scalar_one():
            left.append(f"{table_name}.{column_name}")
    return left


@pytest.fixture
def busy_seeker(client, session, nurse_with_suggestions, make_user):
    """A person with suggestions, swipes, saved jobs, consents, requests and access-log rows."""
    user = nurse_with_suggestions
    first = session.exec(select(Suggestion).where(Suggestion.user_id == user.id)).first()
    client.post("/jobsoeger/swipe", data={"posting_id": first.posting_id, "action": "yes"})
    decide(client, "email_notifications", "grant")
    client.post("/jobsoeger/ret-data", data={"what": "other", "details": "Forkert"})
    guard.log_access(
        session,
        user.id,
        purpose_id="caseworker_sharing",
        actor_id=make_user(Role.CASEWORKER).id,
        actor_role="caseworker",
        data_categories=["cv"],
        via="web",
    )
    assert len(remaining_references(session, user.id)) >= 8
    return user


def test_erasure_needs_the_confirmation_word(client, session, seeker):
    response = client.post("/jobsoeger/slet-mig", data={"confirmation": "yes"}, headers=EN)
    assert response.status_code == 200
    assert "Type DELETE to confirm" in body_of(response)
    session.expire_all()
    assert session.get(User, seeker.id) is not None
    assert session.exec(select(ErasureRecord)).all() == []


def test_erasure_removes_the_person_and_logs_them_out(client, session, busy_seeker):
    user_id, email = busy_seeker.id, busy_seeker.email
    response = client.post("/jobsoeger/slet-mig", data={"confirmation": " delete "}, headers=EN)
    assert response.status_code == 200
    html = body_of(response)
    assert "Your data has been deleted" in html and 'id="erasure-reference"' in html

    session.expire_all()
    assert remaining_references(session, user_id) == []
    assert session.get(User, user_id) is None
    record = session.exec(select(ErasureRecord)).one()
    assert record.subject_pseudonym == PSEUDONYMISER.user(user_id)
    assert f'id="erasure-reference">{record.id}<' in html
    erasure = session.get(DataSubjectRequest, record.request_id)
    assert erasure.kind == "erasure" and erasure.status == RequestStatus.COMPLETED.value
    assert erasure.subject_id is None
    # The access log is kept (security log), anonymised to the pseudonym.
    kept = session.exec(select(AccessLogEntry)).all()
    assert kept and all(e.subject_pseudonym == record.subject_pseudonym for e in kept)

    # Logged out, and the account cannot log in again.
    assert client.get("/jobsoeger/overblik").status_code == 302
    login = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert login.status_code != 303


def test_failed_erasure_changes_nothing(client, session, busy_seeker, monkeypatch):
    user = busy_seeker
    before = remaining_references(session, user.id)
    requests_before = len(session.exec(select(DataSubjectRequest)).all())
    monkeypatch.setattr(rights, "_remaining_references", lambda *_: ["swipe.user_id"])
    response = client.post("/jobsoeger/slet-mig", data={"confirmation": "DELETE"}, headers=EN)
    assert response.status_code == 500
    assert 'id="erase-failed"' in body_of(response)
    session.expire_all()
    assert remaining_references(session, user.id) == before
    assert session.get(User, user.id) is not None
    assert session.exec(select(Swipe).where(Swipe.user_id == user.id)).all()
    assert session.exec(select(SavedJob).where(SavedJob.user_id == user.id)).all()
    assert len(session.exec(select(DataSubjectRequest)).all()) == requests_before
    assert session.exec(select(ErasureRecord)).all() == []
    # Still logged in.
    assert client.get("/jobsoeger/overblik").status_code == 200


# --- Admin: data-subject requests --------------------------------------------------------------


def request_ids_in_order(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="request-(\d+)"', html)]


def test_admin_sees_open_requests_by_deadline_and_completes_them(
    client, session, login_as, make_user
):
    people = [make_user(Role.JOBSEEKER) for _ in range(3)]
    now = datetime.now(UTC)
    recent = rights.register_request(
        session, subject_id=people[0].id, kind="access", received_at=now - timedelta(days=2)
    )
    overdue = rights.register_request(
        session, subject_id=people[1].id, kind="erasure", received_at=now - timedelta(days=45)
    )
    middle = rights.register_request(
        session, subject_id=people[2].id, kind="rectification", received_at=now - timedelta(days=20)
    )
    done = rights.register_request(session, subject_id=people[2].id, kind="access")
    rights.complete_request(session, done.id)
    session.commit()

    login_as(Role.ADMIN)
    html = body_of(client.get("/admin/anmodninger", headers=EN))
    assert request_ids_in_order(html) == [overdue.id, middle.id, recent.id]
    assert re.search(rf'<tr id="request-{overdue.id}" class="overdue"', html)
    assert not re.search(rf'<tr id="request-{recent.id}" class="overdue"', html)
    assert people[1].name in html and "1 request is overdue." in html

    response = client.post(f"/admin/anmodninger/{overdue.id}/afslut", data={"note": "Slettet"})
    assert response.status_code == 303
    session.expire_all()
    closed = session.get(DataSubjectRequest, overdue.id)
    assert closed.status == "completed" and closed.completed_at is not None
    assert "Slettet" in closed.note
    html = body_of(client.get("/admin/anmodninger", headers=EN))
    assert request_ids_in_order(html) == [middle.id, recent.id]

    again = client.post(
        f"/admin/anmodninger/{overdue.id}/afslut", follow_redirects=True, headers=EN
    )
    assert "already closed" in body_of(again)
    assert client.post("/admin/anmodninger/999999/afslut").status_code == 404


@pytest.mark.parametrize("role", [Role.JOBSEEKER, Role.CASEWORKER, Role.EMPLOYER])
def test_only_admins_see_requests(client, login_as, role):
    login_as(role)
    assert client.get("/admin/anmodninger").status_code == 403
    assert client.post("/admin/anmodninger/1/afslut").status_code == 403


# --- Art. 30 record ------------------------------------------------------------------------------


def test_record_of_processing_lists_every_purpose_publicly(client):
    response = client.get("/aabenhed/behandlinger", headers=EN)
    assert response.status_code == 200
    html = body_of(response)
    for purpose in purposes.PURPOSES.values():
        assert f'id="ropa-{purpose.id}"' in html
        assert escape(purpose.title.en) in html
        assert escape(purposes.LEGAL_BASES[purpose.legal_basis].en) in html
    assert html.count('<section class="card" id="ropa-') == len(purposes.PURPOSES)
    danish = body_of(client.get("/aabenhed/behandlinger", headers={"Accept-Language": "da"}))
    assert escape(purposes.get("core_matching").title.da) in danish
    index = body_of(client.get("/aabenhed/"))
    assert 'href="/aabenhed/behandlinger"' in index


def test_privacy_service_views_match_the_ledger(app, session, make_user):
    """The service layer the pages use: offered actions follow the derived state."""
    user = make_user(Role.JOBSEEKER)
    with app.app_context():
        views = {
            v.id: v for v in privacy.purposes_for(session=session, user_id=user.id, locale="en")
        }
        assert views["email_notifications"].offered_actions == ("grant",)
        assert views["core_matching"].offered_actions == ("object", "opt_out")
        assert views["caseworker_sharing"].offered_actions == ("object",)
        privacy.change_decision(
            session=session,
            user_id=user.id,
            purpose_id="core_matching",
            action="opt_out",
            actor_role="jobseeker",
        )
        view = privacy.purpose_for(
            session=session, user_id=user.id, purpose_id="core_matching", locale="en"
        )
        assert view.status == "opted_out" and view.offered_actions == ("opt_in",)
        with pytest.raises(privacy.InvalidActionError):
            privacy.change_decision(
                session=session,
                user_id=user.id,
                purpose_id="core_matching",
                action="grant",
                actor_role="jobseeker",
            )
