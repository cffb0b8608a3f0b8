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
    assert log_of(session, citizen) == [("caseworker", "allowed", None)]  # listing is a read
    page = client.get(f"/sagsbehandler/borger/{citizen.id}")
    assert page.status_code == 200 and "Amira Hansen" in page.get_data(as_text=True)
    assert log_of(session, citizen) == [("caseworker", "allowed", None)] * 2


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
    # The page itself never ranks: until the scheduler has run, it says so.
    before = client.get(f"/sagsbehandler/borger/{citizen.id}", headers={"Accept-Language": "en"})
    assert "first suggestions are being prepared" in before.get_data(as_text=True)
    with app.test_request_context():
        assert matching.refresh_pending(session=session) == 1
    body = client.get(f"/sagsbehandler/borger/{citizen.id}").get_data(as_text=True)
    assert "Lagermedarbejder" in body


def test_the_list_hides_citizens_who_objected_and_logs_each_listed_citizen(
    app, client, login_as, make_user, session
):
    shown = make_user(Role.JOBSEEKER, name="Bo Jensen")
    objected = make_user(Role.JOBSEEKER, name="Carla Nielsen")
    opted_out = make_user(Role.JOBSEEKER, name="Dina Holm")
    caseworker = login_as(Role.CASEWORKER)
    for citizen in (shown, objected, opted_out):
        assign(session, caseworker, citizen)
    with app.test_request_context():
        privacy.record_decision(
            session=session,
            user_id=objected.id,
            purpose_id=privacy.CASEWORKER_SHARING,
            action="object",
            actor_id=objected.id,
            actor_role="jobseeker",
        )
        # Opting out of the algorithm is not an objection to the caseworker: still listed.
        privacy.record_decision(
            session=session,
            user_id=opted_out.id,
            purpose_id=privacy.CORE_MATCHING,
            action="opt_out",
            actor_id=opted_out.id,
            actor_role="jobseeker",
        )
    page = client.get("/sagsbehandler/").get_data(as_text=True)
    assert "Bo Jensen" in page and "Dina Holm" in page
    assert "Carla Nielsen" not in page and f"/borger/{objected.id}" not in page
    assert log_of(session, shown) == [("caseworker", "allowed", None)]
    assert log_of(session, opted_out) == [("caseworker", "allowed", None)]
    assert log_of(session, objected) == []  # nothing about them was read or shown
    entry = session.exec(select(AccessLogEntry).where(AccessLogEntry.subject_id == shown.id)).one()
    assert entry.data_categories == ["identity"] and entry.actor_id == caseworker.id
