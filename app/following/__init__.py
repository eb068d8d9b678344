"""Following entries, tags, networks and members, and the personal feed of what they bring."""

from flask import Blueprint

bp = Blueprint("following", __name__)

from . import routes  # noqa: E402,F401
