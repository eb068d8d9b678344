"""Networks and their meetings: membership, following, registration, participants, calendars."""

from flask import Blueprint

bp = Blueprint("networks", __name__)

from . import agenda, meetings, routes  # noqa: E402,F401
