"""Account forms; rules beyond presence live in methodbook.accounts."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length

from ..labels import LANGUAGE_LABELS, UI_LANGUAGE_NAMES, choices
from ..methods.forms import CheckboxesField


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me logged in on this device"))


class RegisterForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired()])
    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=100)])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired()],
        description=_l("At least 10 characters. A few unrelated words are easy to remember and hard to guess."),
    )
    confirm = PasswordField(
        _l("Repeat the password"), validators=[DataRequired(), EqualTo("password", _l("The passwords do not match."))]
    )


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=100)])
    organisation = StringField(_l("Organisation"), validators=[Length(max=200)])
    bio = TextAreaField(
        _l("About you"), validators=[Length(max=2000)], description=_l("A few lines on your work. Markdown works.")
    )
    language = SelectField(_l("Interface language"), choices=choices(UI_LANGUAGE_NAMES))
    work_languages = CheckboxesField(_l("Languages you work in"), choices=choices(LANGUAGE_LABELS))
    show_organisation = BooleanField(_l("Show my organisation on my public profile"))
    show_email = BooleanField(_l("Show my e-mail address to signed-in members on my profile"))


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired()], description=_l("At least 10 characters."))
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", _l("The passwords do not match."))],
    )


class ResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired()], description=_l("At least 10 characters."))
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", _l("The passwords do not match."))],
    )


class ForgotForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired()])


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()])
    drafts_and_comments = BooleanField(_l("Also delete my unpublished drafts and my comments"))
