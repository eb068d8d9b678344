"""Atom 1.0 feeds of public content: new and changed entries, a tag, a network, a member's contributions."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)

from . import routes  # noqa: E402,F401
