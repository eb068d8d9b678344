"""Feedback: comment threads, critical-friend requests and reviews, notifications, moderation."""

from flask import Blueprint

bp = Blueprint("feedback", __name__)

from . import moderation, notifications, reviews, threads  # noqa: E402,F401
