"""Forms of the login pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, Length


class LoginForm(FlaskForm):
    """E-mail and password for local accounts (employers, admins, demo)."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class CodeForm(FlaskForm):
    """The code from the authenticator app, or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(message=_l("Type the code.")), Length(max=40)],
    )


class ReauthForm(FlaskForm):
    """Confirm who one is before a sensitive change: password, and code when set up."""

    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    code = StringField(_l("Code from your authenticator app"), validators=[Length(max=40)])
    next = HiddenField()


class DemoLoginForm(FlaskForm):
    """One-click login as a demo account."""

    user_id = HiddenField(validators=[DataRequired()])
