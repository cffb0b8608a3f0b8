"""Views only translate HTTP (issue 9): one service decides when a person is ranked again, views
never query tables, forms live in ``forms.py``, shared view helpers exist once, hx-attributes are
written in templates, services build no HTTP responses, and Flask's cookie session is never
called ``session`` (that name is the database session's).

The structural checks read the source with ``ast``, so they hold for code added later too.
"""

import ast
import hashlib
from pathlib import Path

import pytest
from sqlmodel import select

from app.models import JobseekerProfile, Role
from app.services import auth, matching, privacy

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
BLUEPRINTS = APP / "blueprints"
TEMPLATES = APP / "templates"


def modules(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported_modules(module: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- one service decides when suggestions are refreshed ------------------------------------------


def test_no_view_submits_background_work():
    offenders = [
        relative(path)
        for path in modules(BLUEPRINTS)
        if any(name.startswith("app.background") for name in imported_modules(tree(path)))
        or "background.submit" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


@pytest.fixture
def ranked_seeker(app, session, make_user, make_posting):
    """A jobseeker with a CV and open postings to rank, never ranked yet."""
    user = make_user(Role.JOBSEEKER)
    profile = profile_of(session, user.id)
    profile.cv_text = "Sygeplejerske med erfaring fra medicinsk afdeling."
    session.add(profile)
    session.commit()
    for i in range(3):
        make_posting(title=f"Sygeplejerske {i}", description="Sygeplejerske til medicinsk afd.")
    with app.app_context():
        matching.embed_postings(session=session)
    return user


def profile_of(session, user_id: int) -> JobseekerProfile:
    session.expire_all()
    return session.exec(select(JobseekerProfile).where(JobseekerProfile.user_id == user_id)).one()


@pytest.mark.parametrize(
    ("reason", "kwargs", "ranks"),
    [
        (matching.Reason.PROFILE, {}, True),
        (matching.Reason.PROFILE, {"changed": False}, False),
        (matching.Reason.ANSWER, {"answer": "yes"}, True),
        (matching.Reason.ANSWER, {"answer": "no"}, True),
        (matching.Reason.ANSWER, {"answer": "save"}, False),
        (matching.Reason.ANSWER, {"answer": "yes", "changed": False}, False),
        (matching.Reason.UNDO, {"answer": "no"}, True),
        (matching.Reason.UNDO, {"answer": "save"}, False),
        (matching.Reason.UNDO, {"answer": None, "changed": False}, False),
        (matching.Reason.CONSENT, {"purpose_id": privacy.CORE_MATCHING}, True),
        (matching.Reason.CONSENT, {"purpose_id": privacy.SWIPE_PERSONALISATION}, True),
        (matching.Reason.CONSENT, {"purpose_id": privacy.RESEARCH}, True),
        (matching.Reason.CONSENT, {"purpose_id": privacy.EMPLOYER_COFFEE}, False),
        (matching.Reason.CONSENT, {"purpose_id": privacy.EMAIL_NOTIFICATIONS}, False),
        (matching.Reason.CONSENT, {"purpose_id": privacy.CORE_MATCHING, "changed": False}, False),
    ],
)
def test_request_refresh_ranks_exactly_when_the_write_calls_for_it(
    app, session, ranked_seeker, reason, kwargs, ranks
):
    with app.test_request_context():  # tests run background work inline (BACKGROUND_SYNC)
        requested = matching.request_refresh(user_id=ranked_seeker.id, reason=reason, **kwargs)
    assert requested is ranks
    refreshed = profile_of(session, ranked_seeker.id).suggestions_refreshed_at
    assert (refreshed is not None) is ranks


def test_a_consent_for_coffee_meetings_does_not_rank_through_the_view(
    client, login_as, session, make_posting
):
    seeker = login_as(Role.JOBSEEKER)
    before = profile_of(session, seeker.id).suggestions_refreshed_at
    response = client.post(
        f"/jobsoeger/samtykker/{privacy.EMPLOYER_COFFEE}", data={"action": "grant"}
    )
    assert response.status_code == 303
    assert profile_of(session, seeker.id).suggestions_refreshed_at == before
    response = client.post(
        f"/jobsoeger/samtykker/{privacy.SWIPE_PERSONALISATION}", data={"action": "grant"}
    )
    assert response.status_code == 303
    assert profile_of(session, seeker.id).suggestions_refreshed_at is not None


# --- views never query tables ------------------------------------------------------------------

DATABASE_CALLS = {"exec", "execute", "scalar", "scalars", "commit", "rollback", "flush", "delete"}


def test_views_do_not_touch_the_database_directly():
    offenders = []
    for path in modules(BLUEPRINTS):
        module = tree(path)
        for name in imported_modules(module):
            if name.split(".")[0] in ("sqlmodel", "sqlalchemy"):
                offenders.append(f"{relative(path)} imports {name}")
        for node in ast.walk(module):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            method = node.func.attr
            if method in DATABASE_CALLS:
                offenders.append(f"{relative(path)}:{node.lineno} .{method}()")
            # session.get(Model, id): a table read by primary key (a CamelCase class, not a
            # CONSTANT key of the cookie session).
            first = node.args[0] if node.args else None
            model = (
                isinstance(first, ast.Name) and first.id[:1].isupper() and not first.id.isupper()
            )
            if method == "get" and model:
                offenders.append(f"{relative(path)}:{node.lineno} .get({first.id}, ...)")
    assert offenders == []


def test_demo_accounts_lists_active_demo_accounts_by_role(app, session, make_user):
    demo_seeker = make_user(Role.JOBSEEKER, is_demo=True)
    make_user(Role.JOBSEEKER)  # a real account is never offered
    demo_employer = make_user(Role.EMPLOYER, is_demo=True)
    with app.app_context():
        accounts = auth.demo_accounts(session=session)
    assert [u.id for u in accounts[Role.JOBSEEKER]] == [demo_seeker.id]
    assert [u.id for u in accounts[Role.EMPLOYER]] == [demo_employer.id]
    assert accounts[Role.CASEWORKER] == [] and accounts[Role.ADMIN] == []


def test_demo_accounts_offers_at_most_per_role(app, session, make_user):
    for _ in range(3):
        make_user(Role.JOBSEEKER, is_demo=True)
    with app.app_context():
        assert len(auth.demo_accounts(session=session, per_role=2)[Role.JOBSEEKER]) == 2


def test_demo_account_is_only_an_active_demo_account(app, session, make_user):
    demo = make_user(Role.JOBSEEKER, is_demo=True)
    real = make_user(Role.JOBSEEKER)
    inactive = make_user(Role.JOBSEEKER, is_demo=True, is_active=False)
    with app.app_context():
        assert auth.demo_account(session=session, user_id=demo.id).id == demo.id
        assert auth.demo_account(session=session, user_id=real.id) is None
        assert auth.demo_account(session=session, user_id=inactive.id) is None
        assert auth.demo_account(session=session, user_id=10**9) is None


# --- forms, shared helpers, templates ----------------------------------------------------------


def test_forms_are_defined_only_in_forms_modules():
    offenders = []
    for path in modules(BLUEPRINTS):
        if path.name == "forms.py":
            continue
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.ClassDef) and any(
                (isinstance(b, ast.Name) and b.id.endswith("Form"))
                or (isinstance(b, ast.Attribute) and b.attr.endswith("Form"))
                for b in node.bases
            ):
                offenders.append(f"{relative(path)}: {node.name}")
    assert offenders == []


def test_shared_view_helpers_exist_once():
    """Error texts, the locale and the employer guard live in ``app/views.py`` only."""
    offenders = []
    for path in modules(BLUEPRINTS):
        module = tree(path)
        for node in ast.walk(module):
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id.endswith("ERROR_TEXT"):
                    offenders.append(f"{relative(path)}: {target.id}")
            if isinstance(node, ast.FunctionDef) and node.name in (
                "_locale",
                "_employer_id",
                "_organisation_id",
            ):
                offenders.append(f"{relative(path)}: def {node.name}")
        if "flask_babel.get_locale" in imported_modules(module):
            offenders.append(f"{relative(path)} reads the locale itself")
        if '("da", "en")' in path.read_text(encoding="utf-8"):
            offenders.append(f"{relative(path)} hard-codes the languages")
    assert offenders == []


def test_no_two_templates_are_identical():
    by_content: dict[str, list[str]] = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        digest = hashlib.sha256(path.read_bytes().strip()).hexdigest()
        by_content.setdefault(digest, []).append(str(path.relative_to(TEMPLATES)))
    assert [names for names in by_content.values() if len(names) > 1] == []


def test_hx_attributes_are_not_set_in_python():
    """hx-attributes belong in templates (``macros.suggest_input``), not in ``render_kw``."""
    offenders = []
    for path in modules(BLUEPRINTS):
        for node in ast.walk(tree(path)):
            constant = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if constant and node.value.startswith("hx-"):
                offenders.append(f"{relative(path)}:{node.lineno} {node.value}")
            render_kw = isinstance(node, ast.Attribute) and node.attr == "render_kw"
            if render_kw and path.name != "forms.py":
                offenders.append(f"{relative(path)}:{node.lineno} render_kw in a view")
    assert offenders == []


def test_suggestion_inputs_keep_their_htmx_attributes(client, login_as):
    """Rendered by the macro: the employer's occupation input on both forms, page and fragment."""
    login_as(Role.EMPLOYER)
    expected = (
        'autocomplete="off" hx-get="/arbejdsgiver/forslag/stillinger" hx-swap="innerHTML" '
        'hx-sync="this:replace" hx-target="#occupation-options" '
        'hx-trigger="input changed delay:250ms" id="occupation" list="occupation-options"'
    )
    for path, headers in (
        ("/arbejdsgiver/kaffemoeder/ny", {}),
        ("/arbejdsgiver/job/ny", {}),
        ("/arbejdsgiver/job/ny", {"HX-Request": "true"}),
    ):
        body = client.get(path, headers=headers).get_data(as_text=True)
        assert expected in body, path
    fragment = client.get("/arbejdsgiver/job/ny", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert 'hx-get="/arbejdsgiver/forslag/kompetencer"' in fragment.get_data(as_text=True)


# --- services build no HTTP responses; Flask's session is never "session" ---------------------


def test_services_build_no_http_responses():
    responses = {"jsonify", "redirect", "make_response", "abort"}
    offenders = []
    for path in modules(APP / "services"):
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.ImportFrom) and node.module == "flask":
                names = {alias.name for alias in node.names}
                offenders += [f"{relative(path)}: {name}" for name in sorted(names & responses)]
    assert offenders == []


def test_flask_session_is_never_called_session():
    offenders = []
    for path in modules(APP):
        for node in ast.walk(tree(path)):
            if isinstance(node, ast.ImportFrom) and node.module == "flask":
                for alias in node.names:
                    if alias.name == "session" and alias.asname in (None, "session"):
                        offenders.append(relative(path))
    assert offenders == []


def test_htmx_without_login_is_sent_to_the_login_page(client):
    fragment = client.get("/jobsoeger/profil", headers={"HX-Request": "true"})
    assert fragment.status_code == 401
    assert fragment.headers["HX-Redirect"] == "/auth/login?next=/jobsoeger/profil"
    page = client.get("/jobsoeger/profil")
    assert page.status_code == 302
    assert page.headers["Location"] == "/auth/login?next=/jobsoeger/profil"
    api = client.get("/api/me")
    assert api.status_code == 401 and api.get_json() == {"error": "login required"}
