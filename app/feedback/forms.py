"""Forms of the feedback pages. The rules are in methodbook.feedback; these carry and show them."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

MARKDOWN_HINT = _l("You can use Markdown: **bold**, *italic*, lists and links.")


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), description=MARKDOWN_HINT, render_kw={"rows": 5, "required": True})
    reply_to = HiddenField()


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 3, "required": True, "maxlength": 500})


class RequestForm(FlaskForm):
    question = TextAreaField(
        _l("Your question to the critical friends"),
        description=_l("For example: Is this feasible for a small library?"),
        render_kw={"rows": 3, "required": True, "maxlength": 1000},
    )
    reviewers = StringField(
        _l("Named reviewers (optional)"),
        description=_l("E-mail addresses of members you would like to ask, separated by commas. They are notified."),
    )
    closes_on = DateField(
        _l("Last day for reviews (optional)"),
        description=_l("Leave empty to take reviews until you close the request."),
        validators=[Optional()],
    )
    criteria_set = SelectField(_l("Scoring grid"), coerce=int, validate_choice=False)


class CriteriaSetForm(FlaskForm):
    name = StringField(_l("Name"), render_kw={"maxlength": 120, "required": True})
    criteria = TextAreaField(
        _l("Criteria"),
        description=_l("One per line as “Name: one-line description”, in the order they are scored."),
        render_kw={"rows": 8, "required": True},
    )
    make_default = BooleanField(_l("Use this grid for new requests"))


class ActedForm(FlaskForm):
    revision = SelectField(_l("Revision that acted on it"), validate_choice=False)


class VisibilityForm(FlaskForm):
    public = HiddenField()


class ReviewForm(FlaskForm):
    """The two required texts; the scores are radio buttons named score_<criterion id>."""

    works_well = TextAreaField(
        _l("What works well"), description=MARKDOWN_HINT, render_kw={"rows": 5, "required": True}
    )
    could_be_better = TextAreaField(
        _l("What could be better"), description=MARKDOWN_HINT, render_kw={"rows": 5, "required": True}
    )


class NotificationSettingsForm(FlaskForm):
    """Checkboxes named app_<kind> and mail_<kind>, drawn by the template."""
