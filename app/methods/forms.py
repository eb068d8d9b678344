"""The entry form. Field rules live in methodbook.entries; the form carries and shows them."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, MultipleFileField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from ..labels import AUDIENCE_LABELS, FIELD_LABELS, KIND_LABELS, LANGUAGE_LABELS, PHASE_LABELS, STATUS_LABELS, choices


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes; no JavaScript needed."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        """Leave unknown values to the domain validator, which names them."""


class EntryForm(FlaskForm):
    title = StringField(FIELD_LABELS["title"], render_kw={"maxlength": 200, "required": True})
    slug = StringField(
        FIELD_LABELS["slug"],
        description=_l("Part of the page address. Leave empty to make it from the title."),
        render_kw={"maxlength": 120, "pattern": "[a-z0-9]+(-[a-z0-9]+)*"},
    )
    kind = SelectField(FIELD_LABELS["kind"], choices=choices(KIND_LABELS), validate_choice=False)
    language = SelectField(FIELD_LABELS["language"], choices=choices(LANGUAGE_LABELS), validate_choice=False)
    summary = TextAreaField(
        FIELD_LABELS["summary"], description=_l("One or two sentences on what it is."), render_kw={"rows": 2}
    )
    purpose = TextAreaField(FIELD_LABELS["purpose"], description=_l("Why you would use it."), render_kw={"rows": 2})
    roles = CheckboxesField(FIELD_LABELS["roles"], choices=choices(AUDIENCE_LABELS))
    when = TextAreaField(FIELD_LABELS["when"], description=_l("The situation, in words."), render_kw={"rows": 2})
    digital = TextAreaField(
        FIELD_LABELS["digital"],
        description=_l("How to run it in a video meeting, on a shared whiteboard or in a spreadsheet."),
        render_kw={"rows": 2},
    )
    duration = StringField(
        FIELD_LABELS["duration"],
        description=_l("A number or a range, for example 45 or 30-60."),
        render_kw={"inputmode": "numeric"},
    )
    group_size = StringField(
        FIELD_LABELS["group_size"],
        description=_l("A number or a range, for example 3-15."),
        render_kw={"inputmode": "numeric"},
    )
    materials = TextAreaField(FIELD_LABELS["materials"], render_kw={"rows": 2})
    phase = SelectField(FIELD_LABELS["phase"], choices=choices(PHASE_LABELS), validate_choice=False)
    tags = StringField(FIELD_LABELS["tags"], description=_l("Separate tags with commas."))
    licence = StringField(FIELD_LABELS["licence"], default="CC BY 4.0")
    authors = StringField(
        FIELD_LABELS["authors"], description=_l("Names as they should be credited, separated by commas.")
    )
    editors = StringField(
        FIELD_LABELS["editors"],
        description=_l("E-mail addresses of members who may edit this entry too, separated by commas."),
    )
    status = SelectField(FIELD_LABELS["status"], choices=choices(STATUS_LABELS), validate_choice=False)
    network = SelectField(
        _l("Network"),
        description=_l("In a members-only network, only its members see the entry."),
        choices=[],
        validate_choice=False,
    )
    meeting = SelectField(
        FIELD_LABELS["meeting"],
        description=_l("For a write-up: the meeting it tells about. The write-up then belongs to that network."),
        choices=[],
        validate_choice=False,
    )
    methods_used = StringField(
        FIELD_LABELS["methods_used"],
        description=_l(
            "For a write-up: the addresses of the methods the meeting used, separated by commas, "
            "for example walkshop, critical-friend. Filled in from the meeting's agenda."
        ),
    )
    body = TextAreaField(
        FIELD_LABELS["body"],
        description=_l("Markdown: ## for headings, 1. for numbered steps, - for lists, **bold**."),
        render_kw={"rows": 18},
    )
    attachments = MultipleFileField(_l("Add attachments"))
    remove_attachments = CheckboxesField(_l("Remove"), choices=[], coerce=str)
    message = StringField(_l("What did you change? (optional)"), render_kw={"maxlength": 300})
    pending = HiddenField()
    base_revision = HiddenField()
