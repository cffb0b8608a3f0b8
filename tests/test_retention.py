"""Every retention period the record of processing states is enforced by the scheduler's real
housekeeping job, table by table, with rows just inside and just outside the period; the page
and the purge read the same rules.
"""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from app.config import Config
from app.models import (
    AuthSession,
    CaseworkerAssignment,
    CoffeeMeeting,
    CoffeeResponse,
    EmailOutbox,
    Role,
    Swipe,
    User,
)
from app.scheduler import housekeeping
from app.services import privacy
from consent import integrity, purposes, rights
from consent.models import AccessLogEntry, ErasureRecord
from consent.purposes import Period

MARGIN = timedelta(minutes=5)  # housekeeping runs a moment after the test computed "now"
RULES = {rule.table: rule for rule in purposes.RETENTION}


def cutoff() -> Callable[[str], datetime]:
    now = datetime.now(UTC)
    return lambda table: RULES[table].period.cutoff(now)


def inside_and_outside(table: str) -> tuple[datetime, datetime]:
    """A time just inside the table's retention period and one just outside it."""
    edge = cutoff()(table)
    return edge + MARGIN, edge - MARGIN


def remaining(session: Session, model, column, values) -> set:
    session.expire_all()
    return set(session.exec(select(column).where(column.in_(values))).all())


def test_the_issue_s_tables_all_have_a_rule():
    assert {
        "emailoutbox",
        "swipe",
        "coffeeresponse",
        "authsession",
        "accesslogentry",
        "loginattempt",
        "unsubscribetoken",
    } <= RULES.keys()
    for rule in purposes.RETENTION:
        table = SQLModel.metadata.tables[rule.table]
        assert rule.column in table.c, rule
        if rule.parent:
            assert rule.parent[1] in SQLModel.metadata.tables[rule.parent[0]].c


def test_outbox(app, session, make_user):
    person = make_user(Role.JOBSEEKER)
    inside, outside = inside_and_outside("emailoutbox")
    for subject, at in (("inside", inside), ("outside", outside)):
        session.add(
            EmailOutbox(
                user_id=person.id,
                to_address=person.email,
                subject=subject,
                body="...",
                status="sent",
                created_at=at,
                sent_at=at,
            )
        )
    session.commit()
    housekeeping(app)
    assert remaining(session, EmailOutbox, EmailOutbox.subject, ["inside", "outside"]) == {"inside"}


def test_access_log(app, session, make_user):
    person = make_user(Role.JOBSEEKER)
    inside, outside = inside_and_outside("accesslogentry")
    for label, at in (("inside", inside), ("outside", outside)):
        session.add(
            AccessLogEntry(
                at=at,
                subject_id=person.id,
                actor_role="caseworker",
                data_categories=["cv"],
                purpose_id="caseworker_sharing",
                outcome="allowed",
                via="web",
                reason=label,
            )
        )
    session.commit()
    housekeeping(app)
    assert remaining(session, AccessLogEntry, AccessLogEntry.reason, ["inside", "outside"]) == {
        "inside"
    }


def test_sessions(app, session, make_user):
    person = make_user(Role.JOBSEEKER)
    inside, outside = inside_and_outside("authsession")
    for label, at in (("inside", inside), ("outside", outside)):
        session.add(
            AuthSession(
                token_hash=f"{label}-{uuid.uuid4().hex}",
                user_id=person.id,
                auth_method="password",
                created_at=at,
                last_seen_at=at,
            )
        )
    session.commit()
    housekeeping(app)
    left = {
        token.split("-")[0]
        for token in session.exec(
            select(AuthSession.token_hash).where(AuthSession.user_id == person.id)
        ).all()
    }
    assert left == {"inside"}


def test_login_attempts(app, session):
    table = SQLModel.metadata.tables.get("loginattempt")
    if table is None:
        pytest.skip("the login-attempt table is not part of this schema")
    inside, outside = inside_and_outside("loginattempt")
    connection = session.connection()
    for label, at in (("inside", inside), ("outside", outside)):
        values = {"created_at": at} | {c.name: label for c in table.c if c.name.endswith("_key")}
        connection.execute(table.insert().values(values))
    session.commit()
    housekeeping(app)
    left = set(session.connection().execute(sa.select(table.c.account_key)).scalars())
    assert left == {"inside"}


def test_coffee_answers_counted_from_the_meeting(app, session, make_user):
    employer = make_user(Role.EMPLOYER)
    seeker = make_user(Role.JOBSEEKER)
    inside, outside = inside_and_outside("coffeeresponse")
    meetings = {}
    for label, starts in (("inside", inside), ("outside", outside)):
        meeting = CoffeeMeeting(
            employer_id=employer.employer_id,
            title=label,
            description="Kaffe",
            location="Kantinen",
            starts_at=starts,
        )
        session.add(meeting)
        session.flush()
        # Answered long before the meeting: only the meeting's time counts.
        session.add(
            CoffeeResponse(
                meeting_id=meeting.id,
                user_id=seeker.id,
                answer="yes",
                created_at=starts - timedelta(days=400),
            )
        )
        meetings[label] = meeting.id
    session.commit()
    housekeeping(app)
    left = remaining(session, CoffeeResponse, CoffeeResponse.meeting_id, list(meetings.values()))
    assert left == {meetings["inside"]}


def test_swipes_counted_from_the_closed_case(app, session, make_user, make_posting):
    caseworker = make_user(Role.CASEWORKER)
    inside, outside = inside_and_outside("swipe")
    people: dict[str, User] = {}
    cases = {
        "inside": [outside - timedelta(days=30), inside],  # the last assignment ended recently
        "outside": [outside - timedelta(days=30), outside],
        "still_open": [outside, None],  # an open assignment: the case is not closed
        "no_case": [],
    }
    posting = make_posting()
    for label, ends in cases.items():
        person = people[label] = make_user(Role.JOBSEEKER)
        for n, ended in enumerate(ends):
            other = caseworker if n == 0 else make_user(Role.CASEWORKER)
            session.add(
                CaseworkerAssignment(
                    caseworker_id=other.id,
                    jobseeker_id=person.id,
                    jobcentre_id=other.jobcentre_id,
                    created_at=outside - timedelta(days=400),
                    ended_at=ended,
                )
            )
        session.add(
            Swipe(
                user_id=person.id,
                posting_id=posting.id,
                action="yes",
                created_at=outside - timedelta(days=400),  # old swipes stay while the case runs
            )
        )
    session.commit()
    housekeeping(app)
    left = remaining(session, Swipe, Swipe.user_id, [p.id for p in people.values()])
    assert left == {people[label].id for label in ("inside", "still_open", "no_case")}


def test_people_whose_case_closed_long_ago_are_erased_through_the_erasure_routine(
    app, session, make_user
):
    """The record of processing promises that case data go 6 months after the case closes:
    the person is erased (tombstones in the ledger, an erasure record), not just rows deleted."""
    caseworker = make_user(Role.CASEWORKER)
    inside, outside = inside_and_outside("user")
    people = {label: make_user(Role.JOBSEEKER) for label in ("inside", "outside", "open")}
    for label, ended in (("inside", inside), ("outside", outside), ("open", None)):
        session.add(
            CaseworkerAssignment(
                caseworker_id=caseworker.id,
                jobseeker_id=people[label].id,
                jobcentre_id=caseworker.jobcentre_id,
                created_at=outside - timedelta(days=400),
                ended_at=ended,
            )
        )
    session.commit()
    with app.app_context():
        privacy.record_decision(
            session=session,
            user_id=people["outside"].id,
            purpose_id=privacy.RESEARCH,
            action="grant",
            actor_id=people["outside"].id,
            actor_role="jobseeker",
        )
    pseudonym = rights.Pseudonymiser.from_hex(app.config["PSEUDONYM_KEY"]).user(
        people["outside"].id
    )

    ids = {label: person.id for label, person in people.items()}
    housekeeping(app)

    session.expire_all()
    left = set(session.exec(select(User.id).where(col(User.id).in_(ids.values()))))
    assert left == {ids["inside"], ids["open"]}
    record = session.exec(
        select(ErasureRecord).where(ErasureRecord.subject_pseudonym == pseudonym)
    ).one()
    assert record.actor_role == "system"
    assert integrity.verify(session).ok  # the person's consent events became tombstones


def test_the_page_shows_the_rules_the_purge_uses(client):
    for locale, header in (("en", "en"), ("da", "da")):
        html = client.get("/aabenhed/behandlinger", headers={"Accept-Language": header}).get_data(
            as_text=True
        )
        assert 'id="retention"' in html
        for rule in purposes.RETENTION:
            deleted = f"{rule.period.describe(locale)} {rule.counted_from.get(locale)}"
            assert f'id="retention-{rule.table}"' in html
            assert deleted.replace("'", "&#39;") in html


def test_the_purpose_texts_quote_the_same_periods():
    coffee = purposes.get("employer_coffee").retention
    assert f"{purposes.COFFEE_SIGNUPS_KEPT.describe('en')} after the meeting" in coffee.en
    assert purposes.EMAILS_KEPT.describe("da") in purposes.get("email_notifications").retention.da
    swipes = purposes.get("swipe_personalisation").retention
    assert purposes.CASE_DATA_KEPT.describe("en") in swipes.en
    assert any(
        f"kept for {purposes.ACCESS_LOG_KEPT.describe('en')}" in m.en
        for m in purposes.SECURITY_MEASURES
    )


def test_short_periods_outlast_what_they_protect():
    """Sessions must be over, and the login throttle done counting, before rows go."""
    now = datetime(2026, 12, 1, tzinfo=UTC)
    assert purposes.SESSIONS_KEPT.cutoff(now) < now - timedelta(hours=Config.SESSION_ABSOLUTE_HOURS)
    window = timedelta(hours=getattr(Config, "LOGIN_THROTTLE_WINDOW_HOURS", 24))
    assert purposes.LOGIN_ATTEMPTS_KEPT.cutoff(now) <= now - window


@pytest.mark.parametrize(
    ("period", "now", "expected"),
    [
        (
            Period(months=6),
            datetime(2026, 8, 31, 10, tzinfo=UTC),
            datetime(2026, 2, 28, 10, tzinfo=UTC),
        ),
        (Period(months=6), datetime(2026, 3, 15, tzinfo=UTC), datetime(2025, 9, 15, tzinfo=UTC)),
        (
            Period(days=2),
            datetime(2026, 3, 1, 12, tzinfo=UTC),
            datetime(2026, 2, 27, 12, tzinfo=UTC),
        ),
        (
            Period(hours=24),
            datetime(2026, 3, 1, 12, tzinfo=UTC),
            datetime(2026, 2, 28, 12, tzinfo=UTC),
        ),
    ],
)
def test_period_cutoff(period, now, expected):
    assert period.cutoff(now) == expected


def test_period_words_and_validation():
    assert Period(months=6).describe("da") == "6 måneder"
    assert Period(months=1).describe("en") == "1 month"
    assert Period(days=2).describe("en-GB") == "2 days"
    with pytest.raises(ValueError):
        Period()
    with pytest.raises(ValueError):
        Period(months=1, days=2)


def test_purge_needs_an_aware_time(session):
    with pytest.raises(ValueError):
        rights.retention_purge(session, datetime(2026, 1, 1))
