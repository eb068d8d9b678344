"""Forms of the network and meeting pages; the rules are in methodbook.networks and methodbook.meetings."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from ..labels import choices

VISIBILITY_LABELS = {
    "public": _l("Public: everyone sees its entries and meetings"),
    "members": _l("Members only: its entries and meetings are for its members"),
}
JOIN_LABELS = {"open": _l("Anyone signed in can join"), "request": _l("A coordinator approves each request")}
FORMAT_LABELS = {
    "network-meeting": _l("Network meeting"),
    "moven-talk": _l("Moven talk"),
    "fika": _l("Fika with a topic"),
    "walkshop": _l("Walkshop"),
    "user-meeting": _l("User meeting"),
    "workshop": _l("Workshop"),
    "other": _l("Other"),
}
STATUS_LABELS = {
    "save-the-date": _l("Save the date"),
    "open": _l("Registration open"),
    "full": _l("Full: waitlist open"),
    "closed": _l("Registration closed"),
    "cancelled": _l("Cancelled"),
}


class NetworkForm(FlaskForm):
    name = StringField(_l("Name"), render_kw={"maxlength": 200, "required": True})
    slug = StringField(
        _l("Address (slug)"), description=_l("Part of the page address. Leave empty to make it from the name.")
    )
    description = TextAreaField(_l("Description"), description=_l("Markdown."), render_kw={"rows": 6})
    contact = StringField(_l("Contact"), description=_l("How to reach the coordinators, e.g. an e-mail address."))
    visibility = SelectField(_l("Content"), choices=choices(VISIBILITY_LABELS), validate_choice=False)
    join_policy = SelectField(_l("Joining"), choices=choices(JOIN_LABELS), validate_choice=False)
    leaderboard = BooleanField(
        _l("Show who shared most this term on the network page"),
        description=_l("Off by default: Dela ranks no one unless the network wants it."),
    )
    timezone = StringField(
        _l("Time zone"), default="Europe/Stockholm", description=_l("Meeting times are entered and shown in it.")
    )


class MeetingForm(FlaskForm):
    title = StringField(_l("Title"), render_kw={"maxlength": 200, "required": True})
    theme = StringField(_l("Theme"), render_kw={"maxlength": 200})
    format = SelectField(_l("Format"), choices=choices(FORMAT_LABELS), validate_choice=False)
    description = TextAreaField(_l("Description"), description=_l("Markdown."), render_kw={"rows": 6})
    starts_at = StringField(_l("Starts"), render_kw={"type": "datetime-local", "required": True})
    ends_at = StringField(_l("Ends"), render_kw={"type": "datetime-local", "required": True})
    place = StringField(_l("Place"), description=_l("Address or room; leave empty for a video meeting."))
    video_url = StringField(_l("Video link"), render_kw={"type": "url"})
    capacity = StringField(
        _l("Seats"), description=_l("Leave empty for no limit. When full, people join the waitlist."),
        render_kw={"inputmode": "numeric"},
    )  # fmt: skip
    registration_opens_at = StringField(
        _l("Registration opens"),
        description=_l("Before this, the meeting shows as “save the date”. Empty: open now."),
        render_kw={"type": "datetime-local"},
    )
    registration_closes_at = StringField(
        _l("Registration closes"), description=_l("Empty: at the start."), render_kw={"type": "datetime-local"}
    )


class RegistrationForm(FlaskForm):
    note = TextAreaField(
        _l("Note to the organisers (optional)"),
        description=_l("Dietary needs, access needs or a question."),
        render_kw={"rows": 2, "maxlength": 2000},
    )
    listed = BooleanField(_l("Show my name on the participant list"))


class MessageForm(FlaskForm):
    message = TextAreaField(_l("Message to everyone registered"), render_kw={"rows": 4, "maxlength": 2000})


class BlockForm(FlaskForm):
    entry = StringField(
        _l("Method from the method book"),
        description=_l("Its address or title; its duration proposes the length. Leave empty for a free item."),
        render_kw={"list": "entry-list", "autocomplete": "off"},
    )
    title = StringField(
        _l("Title"), description=_l("For a free item such as Welcome, Break or Lunch; for a method, optional.")
    )
    minutes = StringField(_l("Length in minutes"), render_kw={"inputmode": "numeric", "maxlength": 4})
    facilitator = StringField(_l("Facilitator (optional)"), render_kw={"maxlength": 200})
    note = TextAreaField(_l("Note (optional)"), render_kw={"rows": 2, "maxlength": 2000})
