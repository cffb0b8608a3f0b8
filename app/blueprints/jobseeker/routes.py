"""Views of the jobseeker blueprint."""

from flask import Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from app import htmx, views
from app.blueprints.jobseeker import bp
from app.blueprints.jobseeker.forms import (
    ConceptForm,
    CvFileForm,
    FeedbackForm,
    ProfileForm,
    StatusForm,
    SwipeForm,
    UndoForm,
)
from app.db import get_session
from app.models import JobseekerProfile
from app.services import (
    cv_files,
    deck,
    feedback,
    matching,
    matching_status,
    notifications,
    outcomes,
    profiles,
    trial,
    vocabulary,
)

ADD_BUTTONS = {
    "add_experience": "experience",
    "add_education": "education",
    "add_skill": "skills",
    "add_occupation": "wished_occupations",
}


def _form_from_profile(profile: JobseekerProfile) -> ProfileForm:
    return ProfileForm(data=profiles.form_data(profile))


def _render_profile(
    form: ProfileForm,
    saved: bool = False,
    *,
    upload: CvFileForm | None = None,
    read: cv_files.CvText | None = None,
    unsure: list[tuple[str, str]] | None = None,
) -> Response:
    state = matching_status.status(session=get_session(), user_id=current_user.id)
    return htmx.render(
        "jobseeker/profile.html",
        "jobseeker/_profile_form.html",
        form=form,
        saved=saved,
        state=state,
        upload=upload or CvFileForm(formdata=None),
        read=read,
        unsure=unsure or [],
    )


@bp.route("/profil", methods=["GET", "POST"])
def profile() -> ResponseReturnValue:
    """Edit CV, skills, wishes and needs. Extra rows are added by posting an "add" button."""
    session = get_session()
    if request.method == "GET":
        record = profiles.profile_or_blank(session=session, user_id=current_user.id)
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
        views.show_error(form, field=error.field, code=error.message)
        return _render_profile(form)
    matching.request_refresh(user_id=current_user.id, reason=matching.Reason.PROFILE)
    return _render_profile(form, saved=True)


@bp.route("/profil/laest", methods=["GET", "POST"])
def reading() -> ResponseReturnValue:
    """The occupations and skills read from the person's own words, each of which they can say
    is wrong (the ranker then never uses it) or take that back."""
    session = get_session()
    concepts = matching.inferred_concepts(session=session, user_id=current_user.id)
    form = ConceptForm()
    if request.method == "POST":
        if concepts is None or not form.validate_on_submit():
            flash(_("That could not be changed. Try again from the list."), "error")
            return redirect(url_for("jobseeker.reading"))
        rejected = form.action.data == "reject"
        try:
            changed = profiles.set_concept_rejected(
                session=session,
                user_id=current_user.id,
                uri=form.uri.data or "",
                rejected=rejected,
                known={c.uri for c in concepts},
            )
        except profiles.ProfileError:
            flash(_("That could not be changed. Try again from the list."), "error")
            return redirect(url_for("jobseeker.reading"))
        matching.request_refresh(
            user_id=current_user.id, reason=matching.Reason.PROFILE, changed=changed
        )
        if rejected:
            flash(_("Noted: we no longer use it to find jobs for you."), "success")
        else:
            flash(_("Taken back: we use it again to find jobs for you."), "success")
        return redirect(url_for("jobseeker.reading"))
    return render_template(
        "jobseeker/reading.html",
        occupations=[c for c in concepts or [] if c.kind == "occupation"],
        skills=[c for c in concepts or [] if c.kind == "skill"],
        opted_out=concepts is None,
        form=form,
    )


@bp.post("/profil/cv-fil")
def read_cv_file() -> ResponseReturnValue:
    """Read an uploaded CV file into the profile form (the text as "About me", the jobs,
    education, skills, wishes and postcode it names as rows) for the person to check and save;
    nothing is stored here, and the file is dropped once read."""
    record = profiles.profile_or_blank(session=get_session(), user_id=current_user.id)
    form = _form_from_profile(record)
    upload = CvFileForm()
    if not upload.validate_on_submit():
        return _render_profile(form, upload=upload)
    try:
        got = profiles.read_cv_upload(
            session=get_session(),
            user_id=current_user.id,
            data=upload.cv_file.data.read(cv_files.MAX_BYTES + 1),
        )
    except cv_files.CvFileError as error:
        message = views.CV_FILE_ERROR_TEXT.get(error.code, views.CV_FILE_ERROR_TEXT["unsupported"])
        upload.cv_file.errors = [str(message)]
        return _render_profile(form, upload=upload)
    filled = ProfileForm(formdata=None, data=got.form)
    return _render_profile(filled, upload=upload, read=got.read, unsure=got.unsure)


def _query() -> str:
    """The text typed in whichever suggestion-enabled input sent the request."""
    return request.args.get("q") or next(
        (v for k, v in request.args.items() if k != "csrf_token"), ""
    )


@bp.get("/forslag/kompetencer")
def skill_suggestions() -> ResponseReturnValue:
    """Options for the skills datalist (htmx swaps them in while the person types)."""
    terms = vocabulary.search_skills(session=get_session(), query=_query()[:80])
    return render_template("_term_options.html", terms=terms)


@bp.get("/forslag/stillinger")
def occupation_suggestions() -> ResponseReturnValue:
    """Options for the occupations datalist."""
    terms = vocabulary.search_occupations(session=get_session(), query=_query()[:80])
    return render_template("_term_options.html", terms=terms)


# --- Swipe deck --------------------------------------------------------------------------------

TABS = {"match": "match", "alternativer": "alternative"}


def _kind_from(value: str | None) -> str:
    return TABS.get(value or "", "match") if value != "alternative" else "alternative"


def _render_deck(
    kind: str, *, last_action: str | None = None, problem: str | None = None
) -> Response:
    session = get_session()
    # Reads only: a person not ranked yet sees "being prepared" (the scheduler ranks them).
    state = matching_status.status(session=session, user_id=current_user.id)
    card = deck.next_card(session=session, user_id=current_user.id, kind=kind)
    arm = trial.current_arm(session=session, user_id=current_user.id)
    return htmx.render(
        "jobseeker/deck.html",
        "jobseeker/_card.html",
        card=card,
        kind=kind,
        last_action=last_action,
        problem=problem,
        state=state,
        control_arm=arm is not None and arm.arm == "control",
    )


@bp.get("/swipe")
def deck_page() -> ResponseReturnValue:
    """One suggestion at a time; tabs for matches and alternative jobs in other fields."""
    return _render_deck(_kind_from(request.args.get("fane")))


@bp.post("/swipe")
def deck_swipe() -> ResponseReturnValue:
    """Store a yes/no/save once and show the next card (htmx) or redirect back (no JS)."""
    form = SwipeForm()
    kind = _kind_from(form.kind.data)
    if not form.validate_on_submit():
        abort(400)
    assert form.posting_id.data is not None  # DataRequired passed
    session = get_session()
    try:
        _stored, created = deck.swipe(
            session=session,
            user_id=current_user.id,
            posting_id=form.posting_id.data,
            action=form.action.data,
        )
    except deck.DeckError as error:
        if error.args[0] != "closed":
            abort(404)  # never shown to this person: nothing to answer
        # Closed by the employer while the card was on screen: say so and show the next one.
        if htmx.is_partial():
            return _render_deck(kind, problem="closed")
        flash(_("That job is no longer open, so your answer was not saved."), "error")
        return redirect(
            url_for("jobseeker.deck_page", fane="alternativer" if kind == "alternative" else None),
            code=303,
        )
    matching.request_refresh(
        user_id=current_user.id,
        reason=matching.Reason.ANSWER,
        changed=created,
        answer=form.action.data,
    )
    if htmx.is_partial():
        return _render_deck(kind, last_action=form.action.data)
    return redirect(
        url_for("jobseeker.deck_page", fane="alternativer" if kind == "alternative" else None),
        code=303,
    )


@bp.post("/swipe/fortryd")
def deck_undo() -> ResponseReturnValue:
    """Take back the latest answer."""
    form = UndoForm()
    if not form.validate_on_submit():
        abort(400)
    kind = _kind_from(form.kind.data)
    undone = deck.undo_last(session=get_session(), user_id=current_user.id)
    matching.request_refresh(
        user_id=current_user.id,
        reason=matching.Reason.UNDO,
        changed=undone is not None,
        answer=undone.action if undone is not None else None,
    )
    if htmx.is_partial():
        return _render_deck(kind, last_action="undo" if undone else None)
    return redirect(
        url_for("jobseeker.deck_page", fane="alternativer" if kind == "alternative" else None),
        code=303,
    )


@bp.get("/forslag/status")
def suggestions_status() -> ResponseReturnValue:
    """Whether suggestions are up to date with the profile (polled by htmx while refreshing)."""
    state = matching_status.status(session=get_session(), user_id=current_user.id)
    response = make_response(render_template("jobseeker/_refresh_status.html", state=state))
    if not state.pending:
        # The deck listens for this and fetches its card, so new suggestions show up by themselves.
        response.headers["HX-Trigger"] = "suggestions-ready"
    return htmx.vary(response)


@bp.get("/forslag/<int:posting_id>")
def explanation(posting_id: int) -> ResponseReturnValue:
    """Why was this posting suggested? In plain language, from the recommender's explanation."""
    found = deck.suggestion_for(
        session=get_session(), user_id=current_user.id, posting_id=posting_id
    )
    if found is None:
        abort(404)
    suggestion, posting = found
    return render_template(
        "jobseeker/explanation.html", suggestion=suggestion, posting=posting, form=FeedbackForm()
    )


@bp.post("/forslag/<int:posting_id>/feedback")
def explanation_feedback(posting_id: int) -> ResponseReturnValue:
    """'This is wrong': stored for the caseworker and the model owners."""
    session = get_session()
    found = deck.suggestion_for(session=session, user_id=current_user.id, posting_id=posting_id)
    if found is None:
        abort(404)
    form = FeedbackForm()
    if not form.validate_on_submit():
        return render_template(
            "jobseeker/explanation.html", suggestion=found[0], posting=found[1], form=form
        )
    feedback.record(
        session=session,
        user_id=current_user.id,
        posting_id=posting_id,
        reason=form.reason.data,
        comment=form.comment.data or "",
        explanation=found[0].explanation,
    )
    flash(_("Thank you. Your feedback has been passed on."), "success")
    return redirect(url_for("jobseeker.explanation", posting_id=posting_id), code=303)


# --- Saved jobs --------------------------------------------------------------------------------


@bp.get("/gemte")
def saved() -> ResponseReturnValue:
    """Saved postings and the application status the person records."""
    entries = deck.saved_jobs(session=get_session(), user_id=current_user.id)
    return render_template("jobseeker/saved.html", entries=entries, form=StatusForm())


@bp.post("/gemte/<int:saved_id>")
def saved_status(saved_id: int) -> ResponseReturnValue:
    """Record where an application stands."""
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        deck.set_status(
            session=get_session(),
            user_id=current_user.id,
            saved_id=saved_id,
            status=form.status.data,
        )
    except deck.DeckError:
        abort(404)
    flash(_("The status is saved."), "success")
    return redirect(url_for("jobseeker.saved"), code=303)


# --- Notifications and "what worked for people like me" ---------------------------------------


@bp.get("/notifikationer")
def notifications_page() -> ResponseReturnValue:
    """New postings among the person's best suggestions."""
    items = notifications.unread(session=get_session(), user_id=current_user.id)
    return render_template("jobseeker/notifications.html", items=items, form=FlaskForm())


@bp.post("/notifikationer/laest")
def notifications_read() -> ResponseReturnValue:
    """Mark all notifications as read."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    notifications.mark_read(session=get_session(), user_id=current_user.id)
    return redirect(url_for("jobseeker.notifications_page"), code=303)


@bp.get("/andre-som-mig")
def outcomes_page() -> ResponseReturnValue:
    """Where people with similar wishes got hired (shown only with at least 10 contributors)."""
    stats = outcomes.similar_outcomes(session=get_session(), user_id=current_user.id)
    return render_template("jobseeker/outcomes.html", stats=stats, k_min=outcomes.K_MIN)
