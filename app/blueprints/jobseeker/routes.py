"""Views of the jobseeker blueprint."""

from flask import make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app import htmx
from app.blueprints.jobseeker import bp
from app.blueprints.jobseeker.forms import ProfileForm
from app.db import get_session
from app.services import profiles, vocabulary

ADD_BUTTONS = {
    "add_experience": "experience",
    "add_education": "education",
    "add_skill": "skills",
    "add_occupation": "wished_occupations",
}
ERROR_TEXT = {"unknown_postcode": lambda: _("We do not know that postcode. Check the four digits.")}


@bp.get("/")
def index():
    """The jobseeker's landing page."""
    profile = profiles.get_profile(session=get_session(), user_id=current_user.id)
    return render_template("jobseeker/index.html", profile=profile)


def _form_from_profile(profile) -> ProfileForm:
    return ProfileForm(
        data={
            "cv_text": profile.cv_text,
            "experience": profile.experience or [{}],
            "education": profile.education or [{}],
            "skills": [s["label"] for s in profile.skills] + ["", ""],
            "wished_occupations": [o["title"] for o in profile.wished_occupations] + [""],
            "wished_industries": profile.wished_industries,
            "hours_per_week": profile.hours_per_week,
            "commute_km": profile.commute_km,
            "home_postcode": profile.home_postcode,
            "accessibility_needs": profile.accessibility_needs,
        }
    )


def _render_profile(form: ProfileForm, saved: bool = False, status: int = 200):
    template = "jobseeker/_profile_form.html" if htmx.is_partial() else "jobseeker/profile.html"
    return htmx.vary(make_response(render_template(template, form=form, saved=saved), status))


@bp.route("/profil", methods=["GET", "POST"])
def profile():
    """Edit CV, skills, wishes and needs. Extra rows are added by posting an "add" button."""
    session = get_session()
    if request.method == "GET":
        record = profiles.get_or_create_profile(session=session, user_id=current_user.id)
        return _render_profile(_form_from_profile(record))
    form = ProfileForm()
    added = next((name for button, name in ADD_BUTTONS.items() if button in request.form), None)
    if added:
        field_list = getattr(form, added)
        if len(field_list.entries) < field_list.max_entries:
            field_list.append_entry()
        return _render_profile(form)
    if not form.validate_on_submit():
        return _render_profile(form)
    data = profiles.ProfileInput(
        cv_text=form.cv_text.data or "",
        experience=[entry.data for entry in form.experience],
        education=[entry.data for entry in form.education],
        skills=[s for s in form.skills.data if s],
        wished_occupations=[o for o in form.wished_occupations.data if o],
        wished_industries=form.wished_industries.data or [],
        hours_per_week=form.hours_per_week.data,
        commute_km=form.commute_km.data,
        home_postcode=form.home_postcode.data,
        accessibility_needs=form.accessibility_needs.data or "",
    )
    try:
        profiles.update_profile(session=session, user_id=current_user.id, data=data)
    except profiles.ProfileError as error:
        getattr(form, error.field).errors = [*getattr(form, error.field).errors, ERROR_TEXT[error.message]()]
        return _render_profile(form)
    return _render_profile(form, saved=True)


def _query() -> str:
    """The text typed in whichever suggestion-enabled input sent the request."""
    return request.args.get("q") or next((v for k, v in request.args.items() if k != "csrf_token"), "")


@bp.get("/forslag/kompetencer")
def skill_suggestions():
    """Options for the skills datalist (htmx swaps them in while the person types)."""
    terms = vocabulary.search_skills(session=get_session(), query=_query()[:80])
    return render_template("jobseeker/_options.html", terms=terms)


@bp.get("/forslag/stillinger")
def occupation_suggestions():
    """Options for the occupations datalist."""
    terms = vocabulary.search_occupations(session=get_session(), query=_query()[:80])
    return render_template("jobseeker/_options.html", terms=terms)
