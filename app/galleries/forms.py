"""Forms of the idea-book pages; the rules are in methodbook.galleries."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, MultipleFileField, StringField, TextAreaField


class UploadForm(FlaskForm):
    images = MultipleFileField(_l("Images"))
    consent = BooleanField(
        _l("The people who can be recognised in these images agreed to be shown in the idea book."),
    )


class QuoteForm(FlaskForm):
    quote = TextAreaField(_l("Quote"), render_kw={"rows": 3, "maxlength": 1500})
    attribution = StringField(
        _l("Who said it (optional)"),
        description=_l("A first name, a role or a place. Ask before you name someone."),
        render_kw={"maxlength": 200},
    )
    caption = StringField(_l("Caption (optional)"), id="quote-caption", render_kw={"maxlength": 1000})


class VideoForm(FlaskForm):
    url = StringField(_l("Address of the video"), render_kw={"type": "url", "maxlength": 500, "inputmode": "url"})
    link_title = StringField(
        _l("Title"),
        description=_l("What the video shows. Dela does not fetch anything from the video's site."),
        render_kw={"maxlength": 200},
    )
    caption = StringField(_l("Caption (optional)"), id="video-caption", render_kw={"maxlength": 1000})


class ItemForm(FlaskForm):
    """Change one item; the fields that do not belong to its kind are left out of the page."""

    alt_text = TextAreaField(
        _l("Alt text"),
        description=_l(
            "Read aloud by screen readers instead of the image: say what is on it, "
            "for example the words on a flip chart."
        ),
        render_kw={"rows": 2, "maxlength": 400},
    )
    quote = TextAreaField(_l("Quote"), render_kw={"rows": 3, "maxlength": 1500})
    attribution = StringField(_l("Who said it (optional)"), render_kw={"maxlength": 200})
    url = StringField(_l("Address of the video"), render_kw={"type": "url", "maxlength": 500})
    link_title = StringField(_l("Title"), render_kw={"maxlength": 200})
    caption = TextAreaField(_l("Caption (optional)"), render_kw={"rows": 2, "maxlength": 1000})


class RemovalForm(FlaskForm):
    reason = TextAreaField(
        _l("Why (optional)"),
        description=_l("For example: “I am in the picture and did not agree to it.”"),
        render_kw={"rows": 3, "maxlength": 1000},
    )
    contact = StringField(
        _l("How can the facilitator reach you? (optional)"),
        description=_l("Only the idea book's facilitators see this."),
        render_kw={"maxlength": 254, "autocomplete": "email"},
    )
