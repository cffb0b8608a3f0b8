"""Coffee meetings for employers: create and cancel offers, see and answer the people who said yes.

Only the employer's own organisation's offers exist here: anyone else's is a 404. The people who
said yes are shown through ``coffee.applicants``, which checks (and access-logs) each person's
consent on every view.
"""

from flask import Response, abort, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app import htmx, views
from app.blueprints.employer import bp
from app.blueprints.employer.forms import CancelForm, CoffeeOfferForm, ReplyForm
from app.db import get_session
from app.services import coffee, vocabulary


@bp.get("/kaffemoeder")
def coffee_list() -> ResponseReturnValue:
    """The organisation's offers with how many said yes."""
    offers = coffee.offers_for_employer(
        session=get_session(), employer_id=views.current_employer_id()
    )
    return render_template("employer/coffee_list.html", offers=offers, cancel_form=CancelForm())


def _render_new(form: CoffeeOfferForm) -> str:
    return render_template("employer/coffee_new.html", form=form)


@bp.route("/kaffemoeder/ny", methods=["GET", "POST"])
def coffee_new() -> ResponseReturnValue:
    """Offer a coffee meeting; invalid input re-renders the form with field messages (200)."""
    employer_id = views.current_employer_id()
    form = CoffeeOfferForm()
    if not form.validate_on_submit():
        return _render_new(form)
    starts_at = form.starts_at()
    assert starts_at is not None  # both fields validated
    # InputRequired and NumberRange passed, so both numbers parsed.
    assert form.duration_minutes.data is not None and form.capacity.data is not None
    data = coffee.OfferInput(
        title=form.title.data or "",
        description=form.description.data or "",
        location=form.location.data or "",
        postcode=form.postcode.data or "",
        occupation=form.occupation.data or None,
        starts_at=starts_at,
        duration_minutes=form.duration_minutes.data,
        capacity=form.capacity.data,
    )
    try:
        meeting = coffee.create_offer(session=get_session(), employer_id=employer_id, data=data)
    except coffee.CoffeeError as error:
        views.show_error(
            form, field=error.field, code=error.message, texts=views.MEETING_ERROR_TEXT
        )
        return _render_new(form)
    flash(_("The coffee meeting is published. Jobseekers nearby can now say yes."), "success")
    return redirect(url_for("employer.coffee_detail", meeting_id=meeting.id), code=303)


@bp.get("/forslag/stillinger")
def occupation_suggestions() -> ResponseReturnValue:
    """Options for the occupation datalist (htmx swaps them in while the employer types)."""
    query = request.args.get("occupation", "")[:80]
    terms = vocabulary.search_occupations(session=get_session(), query=query)
    return render_template("_term_options.html", terms=terms)


def _offer_or_404(employer_id: int, meeting_id: int) -> coffee.OfferSummary:
    try:
        return coffee.get_offer(
            session=get_session(), employer_id=employer_id, meeting_id=meeting_id
        )
    except coffee.OfferNotFound:
        abort(404)


def _render_detail(
    offer: coffee.OfferSummary,
    *,
    errors: dict[int, list[str]] | None = None,
    typed: dict[int, str] | None = None,
) -> str:
    employer_id = views.current_employer_id()
    session = get_session()
    people = coffee.applicants(
        session=session,
        employer_id=employer_id,
        actor_id=current_user.id,
        meeting_id=offer.meeting_id,
    )
    return render_template(
        "employer/coffee_detail.html",
        offer=offer,
        applicants=people,
        occupation=vocabulary.occupation_label(
            session=session, uri=offer.meeting.occupation_uri, locale=views.locale()
        ),
        place=vocabulary.place_name(session=session, code=offer.meeting.postcode),
        cancel_form=CancelForm(),
        errors=errors or {},
        typed=typed or {},
    )


@bp.get("/kaffemoeder/<int:meeting_id>")
def coffee_detail(meeting_id: int) -> ResponseReturnValue:
    """One offer and the people who said yes (their details only while they consent)."""
    return _render_detail(_offer_or_404(views.current_employer_id(), meeting_id))


@bp.post("/kaffemoeder/<int:meeting_id>/aflys")
def coffee_cancel(meeting_id: int) -> ResponseReturnValue:
    """Cancel an offer; the people who said yes see that it is cancelled."""
    employer_id = views.current_employer_id()
    if not CancelForm().validate_on_submit():
        abort(400)
    try:
        coffee.cancel_offer(session=get_session(), employer_id=employer_id, meeting_id=meeting_id)
    except coffee.OfferNotFound:
        abort(404)
    flash(_("The coffee meeting is cancelled."), "success")
    return redirect(url_for("employer.coffee_list"), code=303)


def _render_row(
    offer: coffee.OfferSummary,
    response_id: int,
    *,
    errors: dict[int, list[str]] | None = None,
    typed: dict[int, str] | None = None,
    saved: bool = False,
    problem: str | None = None,
) -> Response:
    """The one applicant row htmx swaps in."""
    people = coffee.applicants(
        session=get_session(),
        employer_id=offer.meeting.employer_id,
        actor_id=current_user.id,
        meeting_id=offer.meeting_id,
        response_id=response_id,
    )
    if not people:
        abort(404)
    page = render_template(
        "employer/_coffee_applicant.html",
        a=people[0],
        offer=offer,
        errors=errors or {},
        typed=typed or {},
        saved=saved,
        problem=problem,
    )
    return htmx.vary(make_response(page))


@bp.post("/kaffemoeder/<int:meeting_id>/svar/<int:response_id>")
def coffee_reply(meeting_id: int, response_id: int) -> ResponseReturnValue:
    """Accept (with a message) or decline a jobseeker who said yes."""
    employer_id = views.current_employer_id()
    offer = _offer_or_404(employer_id, meeting_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        if form.decision.errors:
            abort(400)
        errors = {response_id: form.message.errors}
        typed = {response_id: form.message.data or ""}
        if htmx.is_partial():
            return _render_row(offer, response_id, errors=errors, typed=typed)
        return _render_detail(offer, errors=errors, typed=typed)
    try:
        coffee.respond(
            session=get_session(),
            employer_id=employer_id,
            actor_id=current_user.id,
            meeting_id=meeting_id,
            response_id=response_id,
            decision=form.decision.data,
            message=form.message.data or "",
        )
    except coffee.ResponseNotFound:
        abort(404)
    except coffee.ConsentNeededError:
        problem = _("The jobseeker has withdrawn their consent, so you can no longer answer them.")
    except coffee.CoffeeError:
        problem = _("The coffee meeting is cancelled, so it can no longer be answered.")
    else:
        if htmx.is_partial():
            return _render_row(offer, response_id, saved=True)
        flash(_("Your answer is sent to the jobseeker."), "success")
        return redirect(url_for("employer.coffee_detail", meeting_id=meeting_id), code=303)
    if htmx.is_partial():
        return _render_row(offer, response_id, problem=problem)
    flash(problem, "error")
    return redirect(url_for("employer.coffee_detail", meeting_id=meeting_id), code=303)
