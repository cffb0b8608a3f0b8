"""Coffee meetings for jobseekers: a deck of nearby offers, yes/no, and "my coffee meetings".

A yes shares the person's name, CV summary and wished occupations with the employer, so it is
refused (nothing stored) until the person has consented to ``employer_coffee``; the page says what
is shared and links to the consents page. Like the job deck, answers work with htmx (the next card
is swapped in) and without JavaScript (303 back to the page).
"""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app import htmx, views
from app.blueprints.jobseeker import bp
from app.blueprints.jobseeker.forms import CoffeeAnswerForm, WithdrawForm
from app.db import get_session
from app.services import coffee, profiles, vocabulary


def _render_coffee(*, last_action: str | None = None, problem: str | None = None) -> Response:
    session = get_session()
    card = coffee.next_offer(session=session, user_id=current_user.id)
    return htmx.render(
        "jobseeker/coffee.html",
        "jobseeker/_coffee_card.html",
        card=card,
        consent=coffee.consent_given(session=session, user_id=current_user.id),
        profile=profiles.get_profile(session=session, user_id=current_user.id),
        occupation=vocabulary.occupation_label(
            session=session,
            uri=card.meeting.occupation_uri if card else None,
            locale=views.locale(),
        ),
        last_action=last_action,
        problem=problem,
    )


@bp.get("/kaffemoeder")
def coffee_page() -> ResponseReturnValue:
    """One coffee-meeting offer at a time, the nearest first, within the person's travel radius."""
    return _render_coffee()


@bp.post("/kaffemoeder")
def coffee_answer() -> ResponseReturnValue:
    """Store a yes/no once and show the next offer (htmx) or redirect back (no JavaScript)."""
    form = CoffeeAnswerForm()
    if not form.validate_on_submit():
        abort(400)
    assert form.meeting_id.data is not None  # DataRequired passed
    last_action, problem = None, None
    try:
        coffee.answer(
            session=get_session(),
            user_id=current_user.id,
            meeting_id=form.meeting_id.data,
            answer=form.answer.data,
        )
        last_action = form.answer.data
    except coffee.ConsentNeededError:
        problem = "consent"
    except coffee.CoffeeError:
        problem = "unavailable"
    if htmx.is_partial():
        return _render_coffee(last_action=last_action, problem=problem)
    if problem == "consent":
        flash(
            _("To say yes, first allow employers to see your profile for coffee meetings."), "error"
        )
    elif problem == "unavailable":
        flash(_("That coffee meeting is no longer open. Here is the next one."), "error")
    elif last_action == "yes":
        flash(_("You said yes. The employer answers you under “My coffee meetings”."), "success")
    return redirect(url_for("jobseeker.coffee_page"), code=303)


@bp.get("/kaffemoeder/mine")
def coffee_mine() -> ResponseReturnValue:
    """The offers the person said yes to, with the employer's answer and message."""
    entries = coffee.my_meetings(session=get_session(), user_id=current_user.id)
    return render_template("jobseeker/coffee_mine.html", entries=entries, form=WithdrawForm())


@bp.post("/kaffemoeder/mine/<int:response_id>/fortryd")
def coffee_withdraw(response_id: int) -> ResponseReturnValue:
    """Take back a yes before the employer has answered it."""
    if not WithdrawForm().validate_on_submit():
        abort(400)
    try:
        coffee.withdraw(session=get_session(), user_id=current_user.id, response_id=response_id)
    except coffee.ResponseNotFound:
        abort(404)
    except coffee.CoffeeError:
        flash(
            _("The employer has already answered, so the yes can no longer be taken back."), "error"
        )
    else:
        flash(_("Your yes is taken back. The employer no longer sees it."), "success")
    return redirect(url_for("jobseeker.coffee_mine"), code=303)
