"""Forms of the public pages."""

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField
from wtforms.validators import AnyOf


class LanguageForm(FlaskForm):
    """The language switch in the header."""

    locale = HiddenField()
    next = HiddenField()

    def validate_locale(self, field: Field) -> None:
        """Only a language the portal speaks (``LANGUAGES``)."""
        AnyOf(current_app.config["LANGUAGES"])(self, field)
