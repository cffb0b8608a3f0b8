"""Intervention advice for caseworkers and the bias audit: seeding, statistics, k-suppression,
the caseworker section, the admin page and its role gate."""

from datetime import date

import pytest
from sqlmodel import delete, select

from app.demo.interventions import seed_cases
from app.models import CaseworkerAssignment, InterventionCase, JobseekerProfile, Role
from app.services import interventions
from app.services.interventions import Features

_counter = iter(range(1, 1_000_000))


def cases(session, count: int, days=None, **fields) -> None:
    """Add ``count`` hand-made cases; ``days`` is one value or a list (one per case)."""
    for i in range(count):
        values = {
            "intervention": "none",
            "isco_major": "9",
            "education_level": "none",
            "age_band": "30-49",
            "gender": "f" if i % 2 else "m",
            "region": "Syddanmark",
            "origin": "danish",
            "started_on": date(2024, 1, 1),
        }
        values.update(fields)
        session.add(
            InterventionCase(
                pseudonym=f"t-{next(_counter)}",
                days_to_job=days[i] if isinstance(days, list) else days,
                **values,
            )
        )
    session.commit()


def snapshot(session) -> list[tuple]:
    return [
        (c.pseudonym, c.intervention, c.isco_major, c.education_level, c.origin, c.days_to_job)
        for c in session.exec(select(InterventionCase).order_by(InterventionCase.pseudonym)).all()
    ]


# --- Seeding -----------------------------------------------------------------------------------


def test_seeding_is_deterministic_and_idempotent(session):
    assert seed_cases(session=session, seed=7, n=300) == 300
    first = snapshot(session)
    assert seed_cases(session=session, seed=7, n=300) == 0
    assert len(snapshot(session)) == 300
    session.exec(delete(InterventionCase))
    session.commit()
    seed_cases(session=session, seed=7, n=300)
    assert snapshot(session) == first
    session.exec(delete(InterventionCase))
    session.commit()
    seed_cases(session=session, seed=8, n=300)
    assert snapshot(session) != first
    assert {row[1] for row in first} <= set(interventions.INTERVENTIONS)


def test_synthetic_cases_have_planted_effects_and_disparities(session):
    seed_cases(session=session, seed=42, n=4000)
    audit = interventions.bias_audit(session=session)
    flagged = {(a.attribute, g.group) for a in audit.attributes for g in a.groups if g.flags}
    assert ("origin", "non_western") in flagged and ("age_band", "50+") in flagged
    rows = interventions.advice(session=session, features=Features("9", "none"))
    by_name = {r.intervention: r for r in rows}
    assert by_name["internship"].employed_share > by_name["none"].employed_share


# --- Education rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("titles", "level"),
    [
        ([], None),
        (["Folkeskolens afgangseksamen"], "none"),
        (["Studentereksamen (stx)", "Erhvervsuddannelse som tømrer"], "vocational"),
        (["Professionsbachelor i kommunikation", "Studentereksamen (stx)"], "bachelor"),
        (["Kandidat i statistik", "Professionsbachelor i sygepleje"], "master"),
        (["Datamatiker"], "short"),
        (["Kørekort kategori C"], None),
    ],
)
def test_education_level_rule(titles, level):
    assert interventions.education_level([{"title": t} for t in titles]) == level


def test_features_from_profile_use_first_coded_occupation():
    profile = JobseekerProfile(
        user_id=1,
        wished_occupations=[{"title": "Noget"}, {"title": "Lager", "isco_code": "9333"}],
        education=[{"title": "Folkeskolens afgangseksamen"}],
    )
    assert interventions.features_from_profile(profile) == Features("9", "none", None)
    assert interventions.features_from_profile(None).isco_major is None


# --- Statistics and filters --------------------------------------------------------------------


def test_median_and_employment_share():
    assert interventions.median_days([30, 10, 20]) == 20
    assert interventions.median_days([10, 20, 30, None]) == 25
    assert interventions.median_days([10, None, None]) is None
    assert interventions.employed_within([100, 180, 181, None]) == 0.5


def test_statistics_on_a_hand_made_set(session):
    cases(session, 20, days=[100] * 10 + [200] * 5 + [None] * 5, intervention="internship")
    cases(session, 25, days=[50] * 5 + [None] * 20, intervention="none")
    rows = interventions.advice(session=session, features=Features("9", "none"))
    assert [r.intervention for r in rows] == ["internship", "none"]
    internship, baseline = rows
    assert (internship.cases, internship.median_days, internship.employed_share) == (20, 150, 0.5)
    assert (baseline.cases, baseline.median_days, baseline.employed_share) == (25, None, 0.2)
    # 0.5 - 0.2 = 0.3; se = sqrt(0.25/20 + 0.16/25) = sqrt(0.0189) = 0.13748
    assert internship.difference == pytest.approx(0.3)
    assert internship.ci_low == pytest.approx(0.3 - 1.959964 * 0.137477, abs=1e-5)
    assert internship.ci_high == pytest.approx(0.3 + 1.959964 * 0.137477, abs=1e-5)
    assert baseline.difference is None


def test_advice_filters_and_hides_small_groups(session):
    cases(session, 20, days=90, intervention="internship")
    cases(session, 19, days=30, intervention="mentor")  # one short of k: hidden
    cases(session, 25, days=200, intervention="none")
    cases(session, 30, days=10, intervention="upskilling", education_level="master")
    cases(session, 30, days=10, intervention="wage_subsidy", isco_major="2")
    rows = interventions.advice(session=session, features=Features("9", "none"))
    assert [(r.intervention, r.cases) for r in rows] == [("internship", 20), ("none", 25)]
    # Unknown education: the filter is ignored and the master cases count as similar.
    rows = interventions.advice(session=session, features=Features("9", None))
    assert [r.intervention for r in rows] == ["upskilling", "internship", "none"]
    assert interventions.advice(session=session, features=Features("9", None, "50+")) == []
    assert interventions.advice(session=session, features=Features(None, "none")) == []


def test_without_enough_none_cases_there_is_no_comparison(session):
    cases(session, 20, days=90, intervention="internship")
    cases(session, 10, days=200, intervention="none")
    (row,) = interventions.advice(session=session, features=Features("9", "none"))
    assert row.intervention == "internship" and row.difference is None


# --- Bias audit --------------------------------------------------------------------------------


def plant_disparity(session) -> None:
    """Danish origin: half wage subsidy; non-western: none at all; genders balanced throughout."""
    cases(session, 35, days=60, intervention="wage_subsidy", origin="danish")
    cases(session, 35, days=200, intervention="none", origin="danish")
    cases(session, 30, days=None, intervention="none", origin="non_western")
    cases(session, 5, days=None, intervention="none", origin="western", gender="x")


def test_bias_audit_flags_a_planted_disparity(session):
    plant_disparity(session)
    audit = interventions.bias_audit(session=session)
    assert audit.cases == 105
    assert audit.overall_shares["wage_subsidy"] == pytest.approx(35 / 105)
    tables = {a.attribute: a for a in audit.attributes}
    origin = {g.group: g for g in tables["origin"].groups}
    assert set(origin) == {"danish", "non_western"} and tables["origin"].suppressed == 1
    (flag,) = origin["non_western"].flags
    assert flag.intervention == "wage_subsidy" and flag.difference == pytest.approx(-35 / 105)
    assert origin["danish"].flags[0].difference == pytest.approx(0.5 - 35 / 105)
    assert origin["non_western"].employed_share == 0.0
    assert origin["danish"].employed_share == 0.5
    assert all(not g.flags for g in tables["gender"].groups)
    assert tables["gender"].suppressed == 1  # the five "x"


def test_bias_audit_without_cases(session):
    assert interventions.bias_audit(session=session).cases == 0


# --- Pages and role gates ----------------------------------------------------------------------


def test_caseworker_page_shows_the_advice_section(client, login_as, make_user, session):
    citizen = make_user(Role.JOBSEEKER)
    profile = session.exec(
        select(JobseekerProfile).where(JobseekerProfile.user_id == citizen.id)
    ).one()
    profile.wished_occupations = [{"title": "Lagermedarbejder", "isco_code": "9333"}]
    profile.education = [{"title": "Folkeskolens afgangseksamen", "institution": "", "year": 2000}]
    session.add(profile)
    session.commit()
    cases(session, 20, days=90, intervention="internship")
    cases(session, 20, days=200, intervention="none")
    cases(session, 5, days=10, intervention="mentor")
    caseworker = login_as(Role.CASEWORKER)
    session.add(
        CaseworkerAssignment(
            caseworker_id=caseworker.id,
            jobseeker_id=citizen.id,
            jobcentre_id=caseworker.jobcentre_id,
        )
    )
    session.commit()
    response = client.get(f"/sagsbehandler/borger/{citizen.id}", headers={"Accept-Language": "en"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "What has helped similar people" in body
    assert "The caseworker decides; the algorithm only advises." in body
    assert "Observational data, not causal" in body and "(95% interval)" in body
    assert "Internship (virksomhedspraktik)</th>" in body
    assert "Mentor</th>" not in body  # 5 cases: suppressed
    assert "(9)" in body and "no qualifying education" in body


def test_admin_bias_page_renders_flags(client, login_as, session):
    plant_disparity(session)
    login_as(Role.ADMIN)
    response = client.get("/admin/bias", headers={"Accept-Language": "en"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Non-western origin" in body and "Wage subsidy (løntilskud) 0 % vs. 33 %" in body
    assert "1 groups with fewer than 20 cases are suppressed." in body
    assert 'style="' not in body and "<caption>" in body
    index = client.get("/admin/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "/admin/bias" in index


@pytest.mark.parametrize("role", [Role.JOBSEEKER, Role.CASEWORKER, Role.EMPLOYER])
def test_bias_page_is_for_admins_only(client, login_as, role):
    login_as(role)
    assert client.get("/admin/bias").status_code == 403
