"""Admin forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField

from ..labels import USER_ROLE_LABELS, choices


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=choices(USER_ROLE_LABELS))


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mail address (optional)"))
    role = SelectField(_l("Role"), choices=choices(USER_ROLE_LABELS))
