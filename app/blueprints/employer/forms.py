"""Forms of the employer pages. Format and range checks happen here; reference data (postcodes,
occupations) is checked by ``app.services.coffee``."""

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, TextAreaField, TimeField
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from app.services import coffee

TOO_LONG = _l("Write at most %(max)d characters.")


class _LocalisedParseError:
    """Mixin for date/time fields: their parse error in the portal's languages (WTForms' own is
    English), and no parse error for an empty value, which ``InputRequired`` reports once."""

    parse_error: Any  # a lazy string, set by each field class

    def process_formdata(self, valuelist):
        if not "".join(valuelist or []).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)  # type: ignore[misc]
        except ValueError:
            raise ValueError(self.parse_error) from None


class LocalisedDateField(_LocalisedParseError, DateField):
    """A date (``<input type="date">``)."""

    parse_error = _l("Write a valid date.")


class LocalisedTimeField(_LocalisedParseError, TimeField):
    """A time of day (``<input type="time">``)."""

    parse_error = _l("Write a valid time, e.g. 10:00.")


class WholeNumberField(IntegerField):
    """An integer field that leaves the message for text that is no number to ``NumberRange``."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None


def local_timezone() -> ZoneInfo:
    """The portal's timezone: people type Danish wall-clock times."""
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Copenhagen"))


def to_utc(day: date, clock: time) -> datetime:
    """A local date and time as an aware UTC datetime (daylight saving time included)."""
    return datetime.combine(day, clock, tzinfo=local_timezone()).astimezone(UTC)


class CoffeeOfferForm(FlaskForm):
    """A new coffee-meeting offer."""

    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Write a title.")),
            Length(max=coffee.TITLE_MAX, message=TOO_LONG),
        ],
        description=_l("For example: Coffee and a chat about jobs in our warehouse."),
    )
    description = TextAreaField(
        _l("What will you talk about?"),
        validators=[
            DataRequired(message=_l("Write a short description.")),
            Length(max=coffee.DESCRIPTION_MAX, message=TOO_LONG),
        ],
    )
    location = StringField(
        _l("Where do you meet?"),
        validators=[
            DataRequired(message=_l("Write where you meet.")),
            Length(max=coffee.LOCATION_MAX, message=TOO_LONG),
        ],
        description=_l("Address or place, e.g. the canteen, Vestergade 12."),
    )
    postcode = StringField(
        _l("Postcode"),
        validators=[
            DataRequired(message=_l("Write the postcode.")),
            Regexp(r"^\s*\d{4}\s*$", message=_l("A Danish postcode has four digits.")),
        ],
    )
    occupation = StringField(
        _l("Occupation (optional)"),
        validators=[Optional(), Length(max=160, message=TOO_LONG)],
        description=_l("The kind of job the meeting is about. Pick a title from the list."),
    )
    start_date = LocalisedDateField(
        _l("Date"), validators=[InputRequired(message=_l("Choose a date."))]
    )
    start_time = LocalisedTimeField(
        _l("Time"), validators=[InputRequired(message=_l("Choose a time."))]
    )
    duration_minutes = WholeNumberField(
        _l("Duration (minutes)"),
        default=30,
        validators=[
            InputRequired(message=_l("Write the duration in minutes.")),
            NumberRange(min=10, max=240, message=_l("Write a number between 10 and 240.")),
        ],
    )
    capacity = WholeNumberField(
        _l("How many jobseekers can come?"),
        default=5,
        validators=[
            InputRequired(message=_l("Write how many can come.")),
            NumberRange(min=1, max=100, message=_l("Write a number between 1 and 100.")),
        ],
    )

    def starts_at(self) -> datetime | None:
        """The start as an aware UTC datetime, once both date and time parsed."""
        if isinstance(self.start_date.data, date) and isinstance(self.start_time.data, time):
            return to_utc(self.start_date.data, self.start_time.data)
        return None

    def validate_start_date(self, field) -> None:
        starts = self.starts_at()
        if starts is not None and starts <= datetime.now(UTC):
            raise ValidationError(_l("The meeting must start in the future."))


class CancelForm(FlaskForm):
    """Cancel an offer (CSRF token only)."""


class ReplyForm(FlaskForm):
    """The employer's answer to a jobseeker who said yes."""

    decision = StringField(validators=[DataRequired(), AnyOf(tuple(coffee.DECISIONS))])
    message = TextAreaField(
        _l("Message to the jobseeker"),
        # No Optional(): it would stop the chain before validate_message on an empty message.
        validators=[Length(max=coffee.MESSAGE_MAX, message=TOO_LONG)],
    )

    def validate_message(self, field) -> None:
        if self.decision.data == "accept" and not (field.data or "").strip():
            raise ValidationError(
                _l("Write a message when you say yes, e.g. who meets them and where.")
            )
