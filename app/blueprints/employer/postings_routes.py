"""Job postings for employers: post, edit and close the organisation's jobs, see the interest.

Only the employer's own organisation's postings exist here: anyone else's is a 404, and an
employer account without an organisation gets a 403. After a save the posting is embedded in the
background, so it can enter jobseekers' suggestions without a page view waiting on the model.
"""

from datetime import date, timedelta

from flask import Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app import htmx, views
from app.blueprints.employer import bp
from app.blueprints.employer.forms import EMPLOYMENT_TYPE_LABELS, ClosePostingForm, PostingForm
from app.db import get_session
from app.models import JobPosting
from app.services import matching, postings, vocabulary

DEFAULT_OPEN_DAYS = 30


@bp.context_processor
def posting_helpers() -> dict:
    """``posting_is_open`` for the employer pages (the landing page lists open and closed jobs)."""
    return {"posting_is_open": postings.is_open}


def _posting_or_404(employer_id: int, posting_id: int) -> JobPosting:
    try:
        return postings.get_posting(
            session=get_session(), employer_id=employer_id, posting_id=posting_id
        )
    except postings.PostingNotFound:
        abort(404)


def _render_form(
    form: PostingForm, posting: JobPosting | None = None, *, added: bool = False
) -> Response:
    """The form page, or only the form when htmx asks (validation errors swap in place).

    ``added`` focuses the skill input that "Add another skill" just made.
    """
    action = (
        url_for("employer.posting_edit", posting_id=posting.id)
        if posting is not None
        else url_for("employer.posting_new")
    )
    return htmx.render(
        "employer/posting_form.html",
        "employer/_posting_form.html",
        form=form,
        posting=posting,
        action=action,
        added=added,
    )


def _added_skill_row(form: PostingForm) -> bool:
    """ "Add another skill" posts the form without saving; True when that button was used."""
    if "add_skill" not in request.form:
        return False
    if len(form.skills.entries) < form.skills.max_entries:
        form.skills.append_entry()
    return True


def _input(form: PostingForm) -> postings.PostingInput:
    valid_through = form.valid_through.data
    assert isinstance(valid_through, date)  # validated
    return postings.PostingInput(
        title=form.title.data or "",
        description=form.description.data or "",
        postcode=form.postcode.data or "",
        valid_through=valid_through,
        remote=bool(form.remote.data),
        occupation=form.occupation.data or None,
        skills=[s for s in form.skills.data if s],
        industry=form.industry.data or None,
        employment_type=form.employment_type.data or "",
        hours_per_week=form.hours_per_week.data,
    )


def _field_error(form: PostingForm, error: postings.PostingError) -> None:
    views.show_error(form, field=error.field, code=error.message, texts=views.POSTING_ERROR_TEXT)


def _saved(posting: JobPosting, message: str) -> ResponseReturnValue:
    """Embed in the background, then show the posting (htmx is told to load the page itself)."""
    matching.request_embedding()
    flash(message, "success")
    target = url_for("employer.posting_detail", posting_id=posting.id)
    if htmx.is_partial():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return htmx.vary(response)
    return redirect(target, code=303)


@bp.route("/job/ny", methods=["GET", "POST"])
def posting_new() -> ResponseReturnValue:
    """Post a job; invalid input re-renders the form with field messages (200, nothing saved)."""
    employer_id = views.current_employer_id()
    if request.method == "GET":
        form = PostingForm(valid_through=date.today() + timedelta(days=DEFAULT_OPEN_DAYS))
        return _render_form(form)
    form = PostingForm()
    if _added_skill_row(form):
        return _render_form(form, added=True)
    if not form.validate_on_submit():
        return _render_form(form)
    try:
        posting = postings.create_posting(
            session=get_session(), employer_id=employer_id, data=_input(form)
        )
    except postings.PostingError as error:
        _field_error(form, error)
        return _render_form(form)
    return _saved(posting, _("The job is posted. Jobseekers will see it among their suggestions."))


@bp.get("/job/<int:posting_id>")
def posting_detail(posting_id: int) -> ResponseReturnValue:
    """The posting as jobseekers see it, with how many said yes or saved it (counts only)."""
    employer_id = views.current_employer_id()
    posting = _posting_or_404(employer_id, posting_id)
    session = get_session()
    return render_template(
        "employer/posting_detail.html",
        posting=posting,
        interest=postings.interest(session=session, employer_id=employer_id, posting_id=posting_id),
        is_open=postings.is_open(posting),
        occupation=postings.occupation_title(
            session=session, uri=posting.occupation_uri, locale=views.locale()
        ),
        employment_types=EMPLOYMENT_TYPE_LABELS,
        close_form=ClosePostingForm(),
    )


def _form_from_posting(posting: JobPosting) -> PostingForm:
    skills = list(posting.skills or [])
    if len(skills) < postings.SKILLS_MAX:
        skills.append("")  # one empty input to type a new skill into
    return PostingForm(
        data={
            "title": posting.title,
            "description": posting.description,
            "postcode": posting.postcode or "",
            "remote": posting.remote,
            "occupation": postings.occupation_title(
                session=get_session(),
                uri=posting.occupation_uri,
                locale=views.locale(),
            )
            or "",
            "skills": skills,
            "industry": posting.industry or "",
            "employment_type": posting.employment_type,
            "hours_per_week": posting.hours_per_week,
            "valid_through": posting.valid_through,
        }
    )


@bp.route("/job/<int:posting_id>/rediger", methods=["GET", "POST"])
def posting_edit(posting_id: int) -> ResponseReturnValue:
    """Edit a posting with the same form; a new closing date reopens a closed posting."""
    employer_id = views.current_employer_id()
    posting = _posting_or_404(employer_id, posting_id)
    if request.method == "GET":
        return _render_form(_form_from_posting(posting), posting)
    form = PostingForm()
    if _added_skill_row(form):
        return _render_form(form, posting, added=True)
    if not form.validate_on_submit():
        return _render_form(form, posting)
    try:
        posting = postings.update_posting(
            session=get_session(), employer_id=employer_id, posting_id=posting_id, data=_input(form)
        )
    except postings.PostingError as error:
        _field_error(form, error)
        return _render_form(form, posting)
    return _saved(posting, _("Your changes to the job are saved."))


@bp.route("/job/<int:posting_id>/luk", methods=["GET", "POST"])
def posting_close(posting_id: int) -> ResponseReturnValue:
    """Close a posting now (GET asks for confirmation); it disappears from jobseekers' decks."""
    employer_id = views.current_employer_id()
    posting = _posting_or_404(employer_id, posting_id)
    form = ClosePostingForm()
    if request.method == "GET":
        return render_template(
            "employer/posting_close.html",
            posting=posting,
            is_open=postings.is_open(posting),
            close_form=form,
        )
    if not form.validate_on_submit():
        abort(400)
    postings.close_posting(session=get_session(), employer_id=employer_id, posting_id=posting_id)
    flash(_("The job is closed. Jobseekers no longer see it."), "success")
    return redirect(url_for("employer.posting_detail", posting_id=posting_id), code=303)


@bp.get("/forslag/kompetencer")
def skill_suggestions() -> ResponseReturnValue:
    """Options for the skills datalist (htmx swaps them in while the employer types)."""
    # Each skill input sends its own name (skills-0, skills-1, ...).
    query = next((v for k, v in request.args.items() if k.startswith("skills-")), "")
    terms = vocabulary.search_skills(session=get_session(), query=query[:80])
    return render_template("_term_options.html", terms=terms)
