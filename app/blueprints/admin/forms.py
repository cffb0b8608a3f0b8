"""Forms of the administration pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional


class CompleteRequestForm(FlaskForm):
    """Close a data-subject request; the note says what was done (kept as evidence)."""

    note = TextAreaField(_l("What was done (optional)"), validators=[Optional(), Length(max=2000)])
