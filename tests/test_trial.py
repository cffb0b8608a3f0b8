"""The randomised trial: balanced blocks, concealed allocation, control gets automatch, and a
valid legal basis: only people who consent to the research purpose (or a configured public task)
are randomised and counted; nobody is randomised by opening a page."""

from collections import Counter

import pytest
from sqlmodel import select

from app.models import (
    CaseworkerAssignment,
    JobseekerProfile,
    Role,
    SavedJob,
    Suggestion,
    TrialAssignment,
)
from app.services import matching, privacy, trial
from tests.conftest import client_for


@pytest.fixture
def trial_app(app):
    app.config["TRIAL_ENABLED"] = True
    return app


def consent_to_research(app, session, *people, action="grant"):
    with app.test_request_context():
        for person in people:
            privacy.record_decision(
                session=session,
                user_id=person.id,
                purpose_id=privacy.RESEARCH,
                action=action,
                actor_id=person.id,
                actor_role="jobseeker",
            )


def test_blocks_are_balanced_within_a_stratum(trial_app, session, make_user):
    people = [make_user(Role.JOBSEEKER) for _ in range(8)]
    consent_to_research(trial_app, session, *people)
    with trial_app.app_context():
        arms = [trial.ensure_assigned(session=session, user_id=p.id).arm for p in people]
    assert Counter(arms[:4]) == Counter(arms[4:]) == Counter({"treatment": 2, "control": 2})


def test_assignment_is_stable_and_needs_the_key(trial_app, session, make_user):
    person = make_user(Role.JOBSEEKER)
    consent_to_research(trial_app, session, person)
    with trial_app.app_context():
        first = trial.ensure_assigned(session=session, user_id=person.id).arm
        assert trial.ensure_assigned(session=session, user_id=person.id).arm == first
        sequences = set()
        for key in ("ab" * 32, "cd" * 32, "ef" * 32, "01" * 32):
            trial_app.config["PSEUDONYM_KEY"] = key
            sequences.add(tuple(trial._block("t", "s", 0, 4) + trial._block("t", "s", 1, 4)))
    assert len(sequences) > 1  # the order depends on the secret key


def test_opted_out_people_are_not_randomised(trial_app, session, make_user):
    person = make_user(Role.JOBSEEKER)
    with trial_app.test_request_context():
        privacy.record_decision(
            session=session,
            user_id=person.id,
            purpose_id=privacy.CORE_MATCHING,
            action="opt_out",
            actor_id=person.id,
            actor_role="jobseeker",
        )
        assert trial.ensure_assigned(session=session, user_id=person.id) is None


def test_control_arm_gets_the_automatch_baseline(trial_app, session, make_user, make_posting):
    make_posting(title="Lagermedarbejder", description="Pluk og pak på lager.")
    people = [make_user(Role.JOBSEEKER) for _ in range(4)]
    consent_to_research(trial_app, session, *people)
    for person in people:
        profile = session.exec(
            select(JobseekerProfile).where(JobseekerProfile.user_id == person.id)
        ).one()
        profile.wished_occupations = [
            {"title": "Lagermedarbejder", "esco_uri": None, "isco_code": "9333"}
        ]
        session.add(profile)
    session.commit()
    with trial_app.app_context():
        matching.embed_postings(session=session)
        for person in people:
            matching.refresh_suggestions(session=session, user_id=person.id)
    methods = {}
    for person in people:
        arm = session.get(TrialAssignment, person.id).arm
        rows = session.exec(select(Suggestion).where(Suggestion.user_id == person.id)).all()
        methods[arm] = {r.explanation["method"] for r in rows}
    assert methods["control"] == {"automatch"} and methods["treatment"] == {"hybrid"}


def test_report_and_admin_page(trial_app, client, login_as, session, make_user, make_posting):
    posting = make_posting()
    people = [make_user(Role.JOBSEEKER) for _ in range(8)]
    consent_to_research(trial_app, session, *people)
    with trial_app.app_context():
        for person in people:
            trial.ensure_assigned(session=session, user_id=person.id)
    treated = [p for p in people if session.get(TrialAssignment, p.id).arm == "treatment"]
    session.add(SavedJob(user_id=treated[0].id, posting_id=posting.id, status="hired"))
    session.commit()
    with trial_app.app_context():
        result = trial.report(session=session)
    assert result.arms["treatment"].hired == 1 and result.arms["control"].hired == 0
    assert result.difference == pytest.approx(0.25)
    assert result.ci_low < result.difference < result.ci_high
    login_as(Role.ADMIN)
    assert client.get("/admin/forsoeg").status_code == 200


def test_explanations_of_both_arms_show_no_machine_keys(
    trial_app, client, login_as, session, make_posting
):
    make_posting(title="Lagermedarbejder", description="Pluk og pak på lager.")
    with trial_app.app_context():
        matching.embed_postings(session=session)
    seen_methods = set()
    for _ in range(
        2
    ):  # block order puts the first two of a stratum in different arms or not: try 4
        for _ in range(2):
            person = login_as(Role.JOBSEEKER)
            profile = session.exec(
                select(JobseekerProfile).where(JobseekerProfile.user_id == person.id)
            ).one()
            profile.wished_occupations = [
                {"title": "Lagermedarbejder", "esco_uri": None, "isco_code": "9333"}
            ]
            session.add(profile)
            session.commit()
            # Consenting to the research ranks in the background: randomised, then ranked.
            client.post("/jobsoeger/samtykker/research_evaluation", data={"action": "grant"})
            row = session.exec(select(Suggestion).where(Suggestion.user_id == person.id)).first()
            body = client.get(f"/jobsoeger/forslag/{row.posting_id}").get_data(as_text=True)
            seen_methods.add(row.explanation["method"])
            for key in (
                "title_match",
                "no_qualifications",
                "wished_titles",
                "commute_km",
                "wished_occupation",
            ):
                assert key not in body
            login_as.logout()
    assert seen_methods == {"hybrid", "automatch"}


# --- The legal basis ----------------------------------------------------------------------------

WAREHOUSE_CV = "Jeg har arbejdet på lager med pluk og pak, truckkørsel og varemodtagelse."


def save_profile(client):
    response = client.post(
        "/jobsoeger/profil",
        data={"cv_text": WAREHOUSE_CV, "commute_km": "40", "wished_occupations-0": "Lager"},
    )
    assert response.status_code == 200


def methods_of(session, person) -> set[str]:
    session.expire_all()
    rows = session.exec(select(Suggestion).where(Suggestion.user_id == person.id)).all()
    return {r.explanation["method"] for r in rows}


@pytest.fixture
def warehouse(trial_app, session, make_posting):
    make_posting(title="Lagermedarbejder", description="Pluk og pak på lager.")
    with trial_app.app_context():
        matching.embed_postings(session=session)


def test_without_research_consent_nobody_is_randomised(
    trial_app, client, login_as, make_user, session, warehouse
):
    person = login_as(Role.JOBSEEKER)
    save_profile(client)  # a write: ranks in the background
    assert client.get("/jobsoeger/swipe").status_code == 200
    assert client.get("/jobsoeger/").status_code == 200
    caseworker = make_user(Role.CASEWORKER)
    session.add(
        CaseworkerAssignment(
            caseworker_id=caseworker.id,
            jobseeker_id=person.id,
            jobcentre_id=caseworker.jobcentre_id,
        )
    )
    session.commit()
    assert (
        client_for(trial_app, caseworker).get(f"/sagsbehandler/borger/{person.id}").status_code
        == 200
    )
    with trial_app.test_request_context():
        matching.refresh_pending(session=session)
        matching.refresh_suggestions(session=session, user_id=person.id)
    assert session.exec(select(TrialAssignment)).all() == []
    # Outside the trial: the portal's standard service, the hybrid recommender.
    assert methods_of(session, person) == {"hybrid"}


def test_with_research_consent_saving_the_profile_randomises(
    trial_app, client, login_as, session, warehouse
):
    person = login_as(Role.JOBSEEKER)
    consent_to_research(trial_app, session, person)
    save_profile(client)
    assignment = session.get(TrialAssignment, person.id)
    assert assignment is not None
    expected = "automatch" if assignment.arm == "control" else "hybrid"
    assert methods_of(session, person) == {expected}


def test_caseworker_page_randomises_nobody_even_with_consent(
    trial_app, client, login_as, make_user, session, warehouse
):
    citizen = make_user(Role.JOBSEEKER)
    consent_to_research(trial_app, session, citizen)
    caseworker = login_as(Role.CASEWORKER)
    session.add(
        CaseworkerAssignment(
            caseworker_id=caseworker.id,
            jobseeker_id=citizen.id,
            jobcentre_id=caseworker.jobcentre_id,
        )
    )
    session.commit()
    assert client.get(f"/sagsbehandler/borger/{citizen.id}").status_code == 200
    assert session.get(TrialAssignment, citizen.id) is None
    assert session.exec(select(Suggestion)).first() is None


def test_report_counts_only_people_who_consent_now(trial_app, session, make_user, make_posting):
    posting = make_posting()
    people = [make_user(Role.JOBSEEKER) for _ in range(8)]
    consent_to_research(trial_app, session, *people)
    with trial_app.app_context():
        for person in people:
            trial.ensure_assigned(session=session, user_id=person.id)
    for person in people:
        session.add(SavedJob(user_id=person.id, posting_id=posting.id, status="hired"))
    # Someone drawn under an earlier rule, without consent, is never counted either.
    outsider = make_user(Role.JOBSEEKER)
    session.add(TrialAssignment(user_id=outsider.id, trial_id="jobunivers-pilot-1", arm="control"))
    session.commit()
    leaving = people[0]
    consent_to_research(trial_app, session, leaving, action="withdraw")
    with trial_app.app_context():
        result = trial.report(session=session)
        assert trial.current_arm(session=session, user_id=leaving.id) is None
        assert trial.ensure_assigned(session=session, user_id=leaving.id) is None
    assert result.arms["treatment"].n + result.arms["control"].n == 7
    assert result.arms["treatment"].hired + result.arms["control"].hired == 7
    assert session.get(TrialAssignment, leaving.id) is not None  # kept for the audit only


def test_withdrawing_research_consent_returns_the_standard_service(
    trial_app, client, login_as, session, warehouse
):
    person = login_as(Role.JOBSEEKER)
    consent_to_research(trial_app, session, person)
    save_profile(client)
    session.get(TrialAssignment, person.id).arm = "control"  # as if drawn into control
    session.commit()
    client.post("/jobsoeger/samtykker/research_evaluation", data={"action": "grant"})
    with trial_app.app_context():
        matching.refresh_suggestions(session=session, user_id=person.id)
    assert methods_of(session, person) == {"automatch"}
    response = client.post("/jobsoeger/samtykker/research_evaluation", data={"action": "withdraw"})
    assert response.status_code == 303
    assert methods_of(session, person) == {"hybrid"}  # ranked again in the background
    page = client.get("/jobsoeger/overblik", headers={"Accept-Language": "en"})
    assert "You no longer take part in the trial" in page.get_data(as_text=True)


def test_public_task_basis_needs_a_legal_reference(trial_app, client, session, make_user):
    person = make_user(Role.JOBSEEKER)
    trial_app.config["TRIAL_LEGAL_BASIS"] = "public_task"
    with trial_app.app_context():
        assert trial.ensure_assigned(session=session, user_id=person.id) is None
    page = client.get("/aabenhed/behandlinger", headers={"Accept-Language": "en"})
    assert "No trial is running" in page.get_data(as_text=True)

    reference = "Lov om en aktiv beskæftigelsesindsats § 123 (forsøg)"
    trial_app.config["TRIAL_LEGAL_REFERENCE"] = reference
    with trial_app.app_context():
        assert trial.ensure_assigned(session=session, user_id=person.id) is not None
    html = client.get("/aabenhed/behandlinger", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert reference in html and "Exercise of official authority" in html


def test_record_of_processing_states_the_consent_basis(trial_app, client):
    html = client.get("/aabenhed/behandlinger", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert 'id="trial-legal-basis"' in html
    assert "Only people who have given this consent are drawn and counted." in html
    assert "standard service" in html
