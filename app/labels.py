"""Translated labels for the fixed vocabularies of the method book."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

KIND_LABELS = {"method": _l("Method"), "template": _l("Template"), "plan": _l("Plan"), "write-up": _l("Write-up")}
LANGUAGE_LABELS = {"sv": _l("Swedish"), "da": _l("Danish"), "no": _l("Norwegian"), "en": _l("English")}
UI_LANGUAGE_NAMES = {"sv": "Svenska", "da": "Dansk", "en": "English"}
PHASE_LABELS = {
    "before": _l("Before the meeting"),
    "during": _l("During the meeting"),
    "after": _l("After the meeting"),
    "any": _l("Any time"),
}
STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published")}
USER_ROLE_LABELS = {"member": _l("Member"), "facilitator": _l("Facilitator"), "admin": _l("Admin")}
AUDIENCE_LABELS = {
    "municipal-staff": _l("Municipal staff"),
    "librarians": _l("Librarians"),
    "teachers": _l("Teachers"),
    "culture-workers": _l("Culture workers"),
    "communicators": _l("Communicators"),
    "project-coordinators": _l("Project coordinators"),
    "facilitators": _l("Facilitators"),
    "managers": _l("Managers"),
    "experts": _l("Experts"),
    "local-stakeholders": _l("Local stakeholders"),
    "elected-officials": _l("Elected officials"),
    "volunteers": _l("Volunteers"),
}
FIELD_LABELS = {
    "title": _l("Title"),
    "slug": _l("Address (slug)"),
    "kind": _l("Kind"),
    "language": _l("Language"),
    "summary": _l("Summary"),
    "purpose": _l("Purpose"),
    "roles": _l("Who it is for"),
    "when": _l("When to use it"),
    "digital": _l("Running it digitally"),
    "duration": _l("Duration (minutes)"),
    "group_size": _l("Group size"),
    "materials": _l("Materials and preparation"),
    "phase": _l("Phase"),
    "tags": _l("Tags"),
    "licence": _l("Licence"),
    "authors": _l("Authors"),
    "status": _l("Status"),
    "methods_used": _l("Methods used"),
    "meeting": _l("Meeting"),
    "derived_from": _l("Adapted from"),
    "attachments": _l("Attachments"),
    "body": _l("Steps and text"),
    "editors": _l("Co-authors"),
}


def choices(mapping: dict) -> list[SelectChoice]:
    """Turn a key → label mapping into form choices."""
    return [SelectChoice(key, label) for key, label in mapping.items()]
