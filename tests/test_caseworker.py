"""Caseworkers see only assigned citizens; every read, and every refused attempt, is logged."""

from sqlmodel import select

from app.models import CaseworkerAssignment, Role
from app.services import privacy
from consent.models import AccessLogEntry


def assign(session, caseworker, citizen):
    session.add(
        CaseworkerAssignment(
            caseworker_id=caseworker.id,
            jobseeker_id=citizen.id,
            jobcentre_id=caseworker.jobcentre_id,
        )
    )
    session.commit()


def log_of(session, citizen):
    session.expire_all()
    return [
        (e.actor_role, e.outcome, e.reason)
        for e in session.exec(
            select(AccessLogEntry).where(AccessLogEntry.subject_id == citizen.id)
        ).all()
    ]


def test_assigned_citizen_is_shown_and_the_read_is_logged(client, login_as, make_user, session):
    citizen = make_user(Role.JOBSEEKER, name="Amira Hansen")
    caseworker = login_as(Role.CASEWORKER)
    assign(session, caseworker, citizen)
    assert "Amira Hansen" in client.get("/sagsbehandler/").get_data(as_text=True)
    page = client.get(f"/sagsbehandler/borger/{citizen.id}")
    assert page.status_code == 200 and "Amira Hansen" in page.get_data(as_text=True)
    assert log_of(session, citizen) == [("caseworker", "allowed", None)]


def test_unassigned_citizen_is_404_and_the_attempt_is_logged(client, login_as, make_user, session):
    citizen = make_user(Role.JOBSEEKER)
    login_as(Role.CASEWORKER)
    assert client.get(f"/sagsbehandler/borger/{citizen.id}").status_code == 404
    assert log_of(session, citizen) == [("caseworker", "refused", "not_assigned")]
    assert client.get("/sagsbehandler/borger/999999").status_code == 404


def test_objection_blocks_the_caseworker(app, client, login_as, make_user, session):
    citizen = make_user(Role.JOBSEEKER)
    caseworker = login_as(Role.CASEWORKER)
    assign(session, caseworker, citizen)
    with app.test_request_context():
        privacy.record_decision(
            session=session,
            user_id=citizen.id,
            purpose_id=privacy.CASEWORKER_SHARING,
            action="object",
            actor_id=citizen.id,
            actor_role="jobseeker",
        )
    assert client.get(f"/sagsbehandler/borger/{citizen.id}").status_code == 403
    assert log_of(session, citizen)[-1][:2] == ("caseworker", "refused")


def test_opt_out_is_flagged_for_manual_service(app, client, login_as, make_user, session):
    citizen = make_user(Role.JOBSEEKER)
    caseworker = login_as(Role.CASEWORKER)
    assign(session, caseworker, citizen)
    with app.test_request_context():
        privacy.record_decision(
            session=session,
            user_id=citizen.id,
            purpose_id=privacy.CORE_MATCHING,
            action="opt_out",
            actor_id=citizen.id,
            actor_role="jobseeker",
        )
    body = client.get(
        f"/sagsbehandler/borger/{citizen.id}", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert "opted out of algorithmic suggestions" in body


def test_the_citizen_sees_the_caseworker_in_their_access_log(client, login_as, make_user, session):
    citizen = make_user(Role.JOBSEEKER)
    caseworker = login_as(Role.CASEWORKER)
    assign(session, caseworker, citizen)
    client.get(f"/sagsbehandler/borger/{citizen.id}")
    login_as.logout()
    client.post(
        "/auth/login", data={"email": citizen.email, "password": "korrekt-hest-batteri-klips"}
    )
    page = client.get("/jobsoeger/adgangslog").get_data(as_text=True)
    assert "Jobcenter Test" in page


def test_caseworker_sees_suggestions_before_the_citizen_has_visited(
    app, client, login_as, make_user, make_posting, session
):
    from app.services import matching

    citizen = make_user(Role.JOBSEEKER)
    make_posting(title="Lagermedarbejder", description="Pluk og pak på lager.")
    with app.app_context():
        matching.embed_postings(session=session)
    caseworker = login_as(Role.CASEWORKER)
    assign(session, caseworker, citizen)
    body = client.get(f"/sagsbehandler/borger/{citizen.id}").get_data(as_text=True)
    assert "Lagermedarbejder" in body
