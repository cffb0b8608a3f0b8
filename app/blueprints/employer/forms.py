"""Forms of the employer pages. Format and range checks happen here; reference data (postcodes,
occupations) is checked by ``app.services.coffee``."""

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    FieldList,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
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

from app.blueprints.jobseeker.forms import INDUSTRIES
from app.services import coffee, postings

TOO_LONG = _l("Write at most %(max)d characters.")


class _LocalisedParseError:
    """Mixin for date/time fields: their parse error in the portal's languages (WTForms' own is
    English), and no parse error for an empty value, which ``InputRequired`` reports once."""

    parse_error: Any  # a lazy string, set by each field class

    def process_formdata(self, valuelist: list[str]) -> None:
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

    data: int | None

    def process_formdata(self, valuelist: list[str]) -> None:
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The date picker offers only days the validation accepts.
        self.start_date.render_kw = {"min": date.today().isoformat()}

    def starts_at(self) -> datetime | None:
        """The start as an aware UTC datetime, once both date and time parsed."""
        if isinstance(self.start_date.data, date) and isinstance(self.start_time.data, time):
            return to_utc(self.start_date.data, self.start_time.data)
        return None

    def validate_start_date(self, field: Field) -> None:
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

    def validate_message(self, field: Field) -> None:
        if self.decision.data == "accept" and not (field.data or "").strip():
            raise ValidationError(
                _l("Write a message when you say yes, e.g. who meets them and where.")
            )


# --- Job postings ------------------------------------------------------------------------------

EMPLOYMENT_TYPE_LABELS = {
    "FULL_TIME": _l("Full time"),
    "PART_TIME": _l("Part time"),
    "TEMPORARY": _l("Temporary job"),
    "CONTRACT": _l("Fixed-term contract"),
    "INTERN": _l("Internship"),
}
HOURS_MESSAGE = _l("Write a number between 1 and 60.")


class PostingForm(FlaskForm):
    """A job posting, new or edited. The postcode and occupation are checked by
    ``app.services.postings`` against the reference data."""

    title = StringField(
        _l("Job title"),
        validators=[
            DataRequired(message=_l("Write a title.")),
            Length(max=postings.TITLE_MAX, message=TOO_LONG),
        ],
        description=_l("For example: Nurse for the medical ward."),
    )
    description = TextAreaField(
        _l("Job description"),
        validators=[
            DataRequired(message=_l("Describe the job.")),
            Length(min=postings.DESCRIPTION_MIN, message=_l("Write at least %(min)d characters.")),
            Length(max=postings.DESCRIPTION_MAX, message=TOO_LONG),
        ],
        description=_l(
            "The tasks, who you are looking for and how to apply. At least 50 characters."
        ),
    )
    postcode = StringField(
        _l("Workplace postcode"),
        validators=[
            DataRequired(message=_l("Write the postcode.")),
            Regexp(r"^\s*\d{4}\s*$", message=_l("A Danish postcode has four digits.")),
        ],
    )
    remote = BooleanField(_l("The work can partly or fully be done from home"))
    occupation = StringField(
        _l("Occupation (optional)"),
        validators=[Optional(), Length(max=160, message=TOO_LONG)],
        description=_l(
            "Helps us suggest the job to the right jobseekers. Pick a title from the list."
        ),
    )
    skills = FieldList(
        StringField(
            _l("Skill"), validators=[Optional(), Length(max=postings.SKILL_MAX, message=TOO_LONG)]
        ),
        min_entries=3,
        max_entries=postings.SKILLS_MAX,
    )
    industry = SelectField(
        _l("Industry (optional)"),
        choices=[("", _l("Choose an industry")), *((i, i) for i in INDUSTRIES)],
        default="",
    )
    employment_type = RadioField(
        _l("Type of employment"),
        choices=list(EMPLOYMENT_TYPE_LABELS.items()),
        default="FULL_TIME",
        validators=[InputRequired(message=_l("Choose the type of employment."))],
    )
    hours_per_week = WholeNumberField(
        _l("Hours per week (optional)"),
        validators=[Optional(), NumberRange(min=1, max=60, message=HOURS_MESSAGE)],
    )
    valid_through = LocalisedDateField(
        _l("Apply by"),
        validators=[InputRequired(message=_l("Choose a date."))],
        description=_l("The last day to apply. At most one year from today."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The date picker offers only the days ``validate_valid_through`` accepts.
        today = date.today()
        self.valid_through.render_kw = {
            "min": today.isoformat(),
            "max": postings.latest_valid_through(today).isoformat(),
        }

    def validate_valid_through(self, field: Field) -> None:
        if not isinstance(field.data, date):
            return  # the parse error or InputRequired has spoken
        today = date.today()
        if field.data < today:
            raise ValidationError(_l("The date cannot be in the past."))
        if field.data > postings.latest_valid_through(today):
            raise ValidationError(_l("Choose a date at most one year from today."))


class ClosePostingForm(FlaskForm):
    """Close a posting (CSRF token only)."""
