"""Research export: consent-gated, access-logged, pseudonymised with the configured key."""

import hashlib
import json

from sqlmodel import select

from app.models import Role
from app.services import privacy, research
from consent.models import AccessLogEntry


def grant(app, session, user):
    with app.test_request_context():
        privacy.record_decision(
            session=session,
            user_id=user.id,
            purpose_id=privacy.RESEARCH,
            action="grant",
            actor_id=user.id,
            actor_role="jobseeker",
        )


def test_only_consenting_people_are_exported_under_a_keyed_pseudonym(app, session, make_user):
    yes, no = make_user(Role.JOBSEEKER), make_user(Role.JOBSEEKER)
    grant(app, session, yes)
    with app.app_context():
        rows = research.export_rows(session=session)
    assert len(rows) == 1
    text = json.dumps(rows)
    assert yes.email not in text and yes.name not in text
    assert rows[0]["pseudonym"] != hashlib.sha256(str(yes.id).encode()).hexdigest()
    other_key = app.config["PSEUDONYM_KEY"]
    app.config["PSEUDONYM_KEY"] = "ef" * 32
    with app.app_context():
        assert research.export_rows(session=session)[0]["pseudonym"] != rows[0]["pseudonym"]
    app.config["PSEUDONYM_KEY"] = other_key
    logged = session.exec(
        select(AccessLogEntry).where(AccessLogEntry.actor_role == "research")
    ).all()
    assert {(e.subject_id, e.outcome) for e in logged} >= {(yes.id, "allowed"), (no.id, "refused")}


def test_withdrawal_takes_effect_on_the_next_export(app, session, make_user):
    person = make_user(Role.JOBSEEKER)
    grant(app, session, person)
    with app.test_request_context():
        privacy.record_decision(
            session=session,
            user_id=person.id,
            purpose_id=privacy.RESEARCH,
            action="withdraw",
            actor_id=person.id,
            actor_role="jobseeker",
        )
        assert research.export_rows(session=session) == []


def test_cli_writes_json_lines(app, session, make_user, tmp_path):
    grant(app, session, make_user(Role.JOBSEEKER))
    out = tmp_path / "export.jsonl"
    result = app.test_cli_runner().invoke(args=["research", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert len(lines) == 1 and len(json.loads(lines[0])["pseudonym"]) == 64
