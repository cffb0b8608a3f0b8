"""Forms of the jobseeker pages. Validation happens here, at the boundary."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    Field,
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from app.converters import IdField
from app.services import coffee

INDUSTRIES = (
    "Bygge og anlæg",
    "Handel",
    "Hotel og restaurant",
    "Industri og produktion",
    "IT og tele",
    "Kontor og administration",
    "Kultur og medier",
    "Landbrug, skov og fiskeri",
    "Rengøring og service",
    "Salg og marketing",
    "Sikkerhed og beredskab",
    "Sundhed og omsorg",
    "Transport og logistik",
    "Undervisning og pædagogik",
    "Økonomi og finans",
    "Ingeniør og teknik",
    "Jura",
    "Forskning og videnskab",
)
YEAR = r"^\s*((19|20)\d\d)?\s*$"
# A job's start or end: a year, or a year and month as CVs and the demo data write it (2019-03).
YEAR_OR_MONTH = r"^\s*((19|20)\d\d(-(0[1-9]|1[0-2]))?)?\s*$"


class MultiCheckboxField(SelectMultipleField):
    """Check boxes instead of a multi-select (easier on phones and keyboards)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ExperienceForm(Form):
    """One job in the CV."""

    title = StringField(_l("Job title"), validators=[Optional(), Length(max=120)])
    employer = StringField(_l("Employer"), validators=[Optional(), Length(max=120)])
    start = StringField(
        _l("From (year)"),
        validators=[
            Optional(),
            Regexp(
                YEAR_OR_MONTH, message=_l("Write a year, e.g. 2019, or year and month, 2019-03.")
            ),
        ],
    )
    end = StringField(
        _l("To (year, empty if current)"),
        validators=[
            Optional(),
            Regexp(
                YEAR_OR_MONTH, message=_l("Write a year, e.g. 2023, or year and month, 2023-06.")
            ),
        ],
    )
    description = TextAreaField(_l("What did you do?"), validators=[Optional(), Length(max=2000)])

    def validate_end(self, field: Field) -> None:
        if (
            self.start.data
            and field.data
            and field.data.strip()
            and field.data.strip() < self.start.data.strip()
        ):
            raise ValidationError(_l("The end year is before the start year."))


class EducationForm(Form):
    """One education in the CV."""

    title = StringField(_l("Education"), validators=[Optional(), Length(max=160)])
    institution = StringField(_l("Institution"), validators=[Optional(), Length(max=160)])
    year = StringField(
        _l("Year finished"),
        validators=[Optional(), Regexp(YEAR, message=_l("Write a year, e.g. 2015."))],
    )


class ProfileForm(FlaskForm):
    """Everything the jobseeker can edit about themselves."""

    cv_text = TextAreaField(
        _l("About me (CV text)"),
        validators=[Optional(), Length(max=8000)],
        description=_l(
            "Describe your experience, what you are good at and what kind of person you are."
        ),
    )
    experience = FieldList(FormField(ExperienceForm), min_entries=1, max_entries=15)
    education = FieldList(FormField(EducationForm), min_entries=1, max_entries=10)
    skills = FieldList(
        StringField(_l("Skill"), validators=[Optional(), Length(max=120)]),
        min_entries=3,
        max_entries=40,
    )
    wished_occupations = FieldList(
        StringField(_l("Wished occupation"), validators=[Optional(), Length(max=160)]),
        min_entries=2,
        max_entries=10,
    )
    wished_industries = MultiCheckboxField(
        _l("Industries you would like to work in"), choices=[(i, i) for i in INDUSTRIES]
    )
    hours_per_week = IntegerField(
        _l("Hours per week you want to work"),
        validators=[
            Optional(),
            NumberRange(min=1, max=60, message=_l("Write a number between 1 and 60.")),
        ],
    )
    commute_km = IntegerField(
        _l("How far will you travel to work? (km)"),
        validators=[
            DataRequired(message=_l("Write a distance in km.")),
            NumberRange(min=1, max=300, message=_l("Write a number between 1 and 300.")),
        ],
    )
    home_postcode = StringField(
        _l("Home postcode"),
        validators=[
            Optional(),
            Regexp(r"^\s*\d{4}\s*$", message=_l("A Danish postcode has four digits.")),
        ],
    )
    accessibility_needs = TextAreaField(
        _l("Needs and considerations (optional)"),
        validators=[Optional(), Length(max=2000)],
        description=_l(
            "For example a need for part-time, no heavy lifting or an accessible workplace."
        ),
    )


class SwipeForm(FlaskForm):
    """An answer to one card."""

    posting_id = IdField(validators=[DataRequired()])
    action = StringField(validators=[DataRequired(), AnyOf(("yes", "no", "save"))])
    kind = StringField(validators=[Optional(), AnyOf(("match", "alternative"))])


class CvFileForm(FlaskForm):
    """A CV file to read into the "About me" text (PDF, Word, OpenDocument, RTF or text)."""

    cv_file = FileField(
        _l("Your CV as a file"),
        validators=[FileRequired(message=_l("Choose a file first."))],
        description=_l(
            "PDF, Word (.docx), OpenDocument (.odt), RTF, text or JSON Resume, at most 5 MB. We "
            "fill in your profile from it for you to check; the file itself is not kept."
        ),
    )


class ConceptForm(FlaskForm):
    """Say that an occupation or skill was read wrongly from one's words, or take that back."""

    uri = StringField(validators=[DataRequired(), Length(max=255)])
    action = StringField(validators=[DataRequired(), AnyOf(("reject", "undo"))])


class UndoForm(FlaskForm):
    """Take back the latest answer."""

    kind = StringField(validators=[Optional(), AnyOf(("match", "alternative"))])


FEEDBACK_REASONS = (
    ("skills", _l("The skills do not fit me")),
    ("distance", _l("It is too far away")),
    ("interest", _l("I am not interested in this kind of job")),
    ("data", _l("It uses wrong data about me")),
    ("other", _l("Something else")),
)


class FeedbackForm(FlaskForm):
    """'This suggestion is wrong' with a reason."""

    reason = RadioField(
        _l("What is wrong?"),
        choices=FEEDBACK_REASONS,
        validators=[DataRequired(message=_l("Choose what is wrong."))],
    )
    comment = TextAreaField(
        _l("Tell us more (optional)"), validators=[Optional(), Length(max=1000)]
    )


STATUS_CHOICES = (
    ("saved", _l("Saved")),
    ("applied", _l("Applied")),
    ("interview", _l("Interview")),
    ("hired", _l("Hired")),
    ("rejected", _l("Not hired")),
)


class StatusForm(FlaskForm):
    """Application status of a saved job."""

    status = SelectField(_l("Status"), choices=STATUS_CHOICES, validators=[DataRequired()])


# --- Coffee meetings -----------------------------------------------------------------------------


class CoffeeAnswerForm(FlaskForm):
    """Yes or no to one offer."""

    meeting_id = IdField(validators=[DataRequired()])
    answer = StringField(validators=[DataRequired(), AnyOf(coffee.ANSWERS)])


class WithdrawForm(FlaskForm):
    """Take back a yes (CSRF token only)."""


# --- Privacy pages -------------------------------------------------------------------------------

DECISIONS = ("grant", "withdraw", "object", "opt_out", "opt_in")
RECTIFY_CHOICES = (
    ("profile", _l("My CV: experience, education or skills")),
    ("wishes", _l("My wishes: occupations, industries, hours or travel distance")),
    ("contact", _l("My name or email address")),
    ("needs", _l("My needs for workplace adjustments")),
    ("suggestions", _l("The job suggestions or their explanations")),
    ("case", _l("My caseworker or jobcentre")),
    ("other", _l("Something else")),
)
# The confirmation word is translated, so the person types a word in their own language.
CONFIRMATION_WORD = _l("DELETE")


class DecisionForm(FlaskForm):
    """Grant, withdraw, object, opt out or opt back in, for one purpose."""

    action = StringField(validators=[DataRequired(), AnyOf(DECISIONS)])


class RectificationForm(FlaskForm):
    """ "Report wrong data" (Art. 16)."""

    what = SelectField(
        _l("Which data is wrong?"),
        choices=RECTIFY_CHOICES,
        validators=[DataRequired(message=_l("Choose which data is wrong."))],
    )
    details = TextAreaField(
        _l("What is wrong, and what should it say?"),
        validators=[
            DataRequired(message=_l("Tell us what is wrong.")),
            Length(max=2000, message=_l("Write at most 2000 characters.")),
        ],
    )


class ErasureForm(FlaskForm):
    """Typing the confirmation word guards against a mistaken click."""

    confirmation = StringField(
        _l("Confirmation"),
        validators=[DataRequired(message=_l("Type the word to confirm."))],
    )

    def confirmed(self) -> bool:
        """Did the person type the confirmation word (any case, spaces around ignored)?"""
        typed = (self.confirmation.data or "").strip().casefold()
        return typed == str(CONFIRMATION_WORD).casefold()
