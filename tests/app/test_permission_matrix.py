"""Walk every endpoint as anonymous, author, another member, facilitator and admin.

A new endpoint without a row here fails test_every_endpoint_is_in_the_matrix: deny by default
means each one is decided on purpose.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import select

from methodbook import feedback, galleries, meetings, moderation, networks
from methodbook.attachments import store_upload
from methodbook.models import Notification
from tests.conftest import PASSWORD, csrf_from

PERSONAS = ("anonymous", "author", "other", "facilitator", "admin")
LOGIN = "login"  # anonymous visitors of private pages are sent to the login page

# endpoint -> (method, url template, {persona: expected status}); {pub}, {draft}, {trashed},
# {att} and {user} are filled in per test. "*" is the default for personas not named.
MATRIX = {
    "main.home": ("GET", "/", {"*": 200}),
    "main.health": ("GET", "/health", {"*": 200}),
    "main.set_language": ("POST", "/language", {"*": 302}),
    "main.set_language#get": ("GET", "/language?lang=da", {"*": 302}),
    "auth.login": ("GET", "/login", {"*": 200}),
    "auth.logout": ("POST", "/logout", {"*": 302}),
    "auth.register": ("GET", "/register", {"*": 200}),
    "auth.forgot": ("GET", "/forgot", {"*": 200}),
    "auth.reset": ("GET", "/reset/not-a-token", {"*": 404}),
    "auth.account": ("GET", "/account", {"anonymous": LOGIN, "*": 200}),
    "auth.change_password": ("POST", "/account/password", {"anonymous": LOGIN, "*": 400}),
    "methods.index": ("GET", "/methods", {"*": 200}),
    "methods.view": ("GET", "/methods/{pub}", {"*": 200}),
    "methods.view#draft": ("GET", "/methods/{draft}", {"author": 200, "admin": 200, "*": 404}),
    "methods.view#trashed": ("GET", "/methods/{trashed}", {"admin": 200, "*": 404}),
    "methods.history": ("GET", "/methods/{pub}/history", {"*": 200}),
    "methods.history#draft": ("GET", "/methods/{draft}/history", {"author": 200, "admin": 200, "*": 404}),
    "methods.revision": ("GET", "/methods/{pub}/revisions/1", {"*": 200}),
    "methods.revision#draft": ("GET", "/methods/{draft}/revisions/1", {"author": 200, "admin": 200, "*": 404}),
    "methods.diff": ("GET", "/methods/{pub}/diff?a=1&b=1", {"*": 200}),
    "methods.diff#draft": ("GET", "/methods/{draft}/diff?a=1&b=1", {"author": 200, "admin": 200, "*": 404}),
    "methods.attachment": ("GET", "/methods/{pub}/attachments/{att}/lista.txt", {"*": 200}),
    "methods.attachment#draft": (
        "GET",
        "/methods/{draft}/attachments/{att_draft}/lista.txt",
        {"author": 200, "admin": 200, "*": 404},
    ),
    "methods.new": ("GET", "/methods/new", {"anonymous": LOGIN, "*": 200}),
    "methods.edit": ("GET", "/methods/{pub}/edit", {"anonymous": LOGIN, "author": 200, "admin": 200, "*": 403}),
    "methods.edit#draft": ("GET", "/methods/{draft}/edit", {"anonymous": LOGIN, "author": 200, "admin": 200, "*": 404}),
    "methods.remix": ("POST", "/methods/{pub}/remix", {"anonymous": LOGIN, "*": 302}),
    "methods.share": (
        "POST",
        "/methods/{pub}/share-links",
        {"anonymous": LOGIN, "author": 302, "admin": 302, "*": 403},
    ),
    "methods.revoke_share": (
        "POST",
        "/methods/{pub}/share-links/999999/revoke",
        {"anonymous": LOGIN, "author": 404, "admin": 404, "*": 403},
    ),
    "methods.shared": ("GET", "/shared/not-a-token", {"*": 404}),
    "methods.remix#draft": (
        "POST",
        "/methods/{draft}/remix",
        {"anonymous": LOGIN, "author": 403, "admin": 403, "*": 404},
    ),
    "methods.remix#trashed": ("POST", "/methods/{trashed}/remix", {"anonymous": LOGIN, "admin": 403, "*": 404}),
    "methods.restore": (
        "POST",
        "/methods/{pub}/revisions/1/restore",
        {"anonymous": LOGIN, "author": 302, "admin": 302, "*": 403},
    ),
    "methods.delete": ("GET", "/methods/{pub}/delete", {"anonymous": LOGIN, "author": 200, "admin": 200, "*": 403}),
    "methods.delete#post": (
        "POST",
        "/methods/{pub}/delete",
        {"anonymous": LOGIN, "author": 302, "admin": 302, "*": 403},
    ),
    "methods.trash": ("GET", "/trash", {"anonymous": LOGIN, "admin": 200, "*": 403}),
    "methods.untrash": ("POST", "/trash/{trashed}/restore", {"anonymous": LOGIN, "admin": 302, "*": 403}),
    "api.list_entries": ("GET", "/api/v1/entries", {"*": 200}),
    "api.get_entry": ("GET", "/api/v1/entries/{pub}", {"*": 200}),
    "api.get_entry#draft": ("GET", "/api/v1/entries/{draft}", {"*": 404}),
    "api.openapi": ("GET", "/api/v1/openapi.json", {"*": 200}),
    "api.search": ("GET", "/api/v1/search?q=metod", {"*": 200}),
    "api.search_suggest": ("GET", "/api/v1/search/suggest?q=pu", {"*": 200}),
    "search.search": ("GET", "/search?q=metod", {"*": 200}),
    "admin.users": ("GET", "/admin/users", {"anonymous": LOGIN, "admin": 200, "*": 403}),
    "admin.set_role": ("POST", "/admin/users/{user}/role", {"anonymous": LOGIN, "admin": 302, "*": 403}),
    "admin.reset_link": ("POST", "/admin/users/{user}/reset-link", {"anonymous": LOGIN, "admin": 200, "*": 403}),
    "admin.invites": ("GET", "/admin/invites", {"anonymous": LOGIN, "admin": 200, "*": 403}),
    "admin.criteria_sets": ("GET", "/admin/criteria", {"anonymous": LOGIN, "admin": 200, "*": 403}),
    "admin.criteria_set": ("GET", "/admin/criteria/new", {"anonymous": LOGIN, "admin": 200, "*": 403}),
    "admin.criteria_set#edit": ("GET", "/admin/criteria/{criteria}", {"anonymous": LOGIN, "admin": 200, "*": 403}),
    "api.entry_comments": ("GET", "/api/v1/entries/{pub}/comments", {"*": 200}),
    "api.entry_comments#draft": ("GET", "/api/v1/entries/{draft}/comments", {"*": 404}),
    "api.review_summary": ("GET", "/api/v1/entries/{pub}/reviews/summary", {"*": 200}),
    "api.review_summary#draft": ("GET", "/api/v1/entries/{draft}/reviews/summary", {"*": 404}),
    # Feedback. "other" wrote the comment and the review; "author" wrote the entry and the request.
    "feedback.comment": ("GET", "/methods/{pub}/comments", {"anonymous": LOGIN, "*": 200}),
    "feedback.comment#post": ("POST", "/methods/{pub}/comments", {"anonymous": LOGIN, "*": 400}),
    "feedback.comment#draft": ("GET", "/methods/{draft}/comments", {"anonymous": LOGIN, "*": 404}),
    "feedback.comment#trashed": ("GET", "/methods/{trashed}/comments", {"anonymous": LOGIN, "*": 404}),
    "feedback.permalink": ("GET", "/comments/{comment}", {"*": 302}),
    "feedback.permalink#hidden": (
        "GET",
        "/comments/{hidden}",
        {"other": 302, "facilitator": 302, "admin": 302, "*": 404},
    ),
    "feedback.edit_comment": ("GET", "/comments/{comment}/edit", {"anonymous": LOGIN, "other": 200, "*": 403}),
    "feedback.edit_comment#post": ("POST", "/comments/{comment}/edit", {"anonymous": LOGIN, "other": 400, "*": 403}),
    "feedback.delete_comment": (
        "GET",
        "/comments/{comment}/delete",
        {"anonymous": LOGIN, "author": 403, "*": 200},
    ),
    "feedback.delete_comment#post": (
        "POST",
        "/comments/{comment}/delete",
        {"anonymous": LOGIN, "author": 403, "*": 302},
    ),
    "feedback.comment_history": (
        "GET",
        "/comments/{comment}/history",
        {"anonymous": LOGIN, "facilitator": 200, "admin": 200, "*": 403},
    ),
    "feedback.report": ("GET", "/comments/{comment}/report", {"anonymous": LOGIN, "*": 200}),
    "feedback.report#post": ("POST", "/comments/{comment}/report", {"anonymous": LOGIN, "*": 400}),
    "feedback.report#review": ("GET", "/reviews/{review}/report", {"anonymous": LOGIN, "*": 200}),
    "feedback.report#entry": ("GET", "/entries/{pub_id}/report", {"anonymous": LOGIN, "*": 200}),
    "feedback.new_request": (
        "GET",
        "/methods/{pub}/feedback/new",
        {"anonymous": LOGIN, "author": 200, "admin": 200, "*": 403},
    ),
    "feedback.new_request#post": (
        "POST",
        "/methods/{pub}/feedback/new",
        {"anonymous": LOGIN, "author": 400, "admin": 400, "*": 403},
    ),
    "feedback.new_request#draft": (
        "GET",
        "/methods/{draft}/feedback/new",
        {"anonymous": LOGIN, "author": 403, "admin": 403, "*": 404},
    ),
    "feedback.needs_friend": ("GET", "/feedback", {"*": 200}),
    "feedback.request_page": ("GET", "/feedback/{request}", {"*": 200}),
    "feedback.review": ("GET", "/feedback/{request}/review", {"anonymous": LOGIN, "author": 302, "*": 200}),
    "feedback.review#post": ("POST", "/feedback/{request}/review", {"anonymous": LOGIN, "author": 302, "*": 400}),
    "feedback.close_request": (
        "POST",
        "/feedback/{request}/close",
        {"anonymous": LOGIN, "author": 302, "admin": 302, "*": 403},
    ),
    "feedback.set_visibility": (
        "POST",
        "/feedback/{request}/visibility",
        {"anonymous": LOGIN, "author": 302, "admin": 302, "*": 403},
    ),
    "feedback.set_criteria": ("POST", "/feedback/{request}/criteria", {"anonymous": LOGIN, "admin": 400, "*": 403}),
    "feedback.reviews_csv": (
        "GET",
        "/feedback/{request}/reviews.csv",
        {"anonymous": LOGIN, "author": 200, "admin": 200, "*": 403},
    ),
    "feedback.acted": ("POST", "/reviews/{review}/acted", {"anonymous": LOGIN, "author": 302, "admin": 302, "*": 403}),
    "feedback.notification_list": ("GET", "/notifications", {"anonymous": LOGIN, "*": 200}),
    "feedback.open_notification": (
        "GET",
        "/notifications/{notification}",
        {"anonymous": LOGIN, "author": 302, "*": 404},
    ),
    "feedback.read_all": ("POST", "/notifications/read", {"anonymous": LOGIN, "*": 302}),
    "feedback.notification_settings": ("GET", "/account/notifications", {"anonymous": LOGIN, "*": 200}),
    "feedback.notification_settings#post": ("POST", "/account/notifications", {"anonymous": LOGIN, "*": 302}),
    "feedback.moderation_queue": (
        "GET",
        "/moderation",
        {"anonymous": LOGIN, "facilitator": 200, "admin": 200, "*": 403},
    ),
    "feedback.hide": (
        "POST",
        "/moderation/comment/{comment}/hide",
        {"anonymous": LOGIN, "facilitator": 302, "admin": 302, "*": 403},
    ),
    "feedback.restore": (
        "POST",
        "/moderation/comment/{hidden}/restore",
        {"anonymous": LOGIN, "facilitator": 302, "admin": 302, "*": 403},
    ),
    "feedback.dismiss": (
        "POST",
        "/moderation/reports/{report}/dismiss",
        {"anonymous": LOGIN, "facilitator": 302, "admin": 302, "*": 403},
    ),
    # Networks: "facilitator" coordinates {net} (public) and {closednet} (members only, "other" is a member).
    "networks.index": ("GET", "/networks", {"*": 200}),
    "networks.new": ("GET", "/networks/new", {"anonymous": LOGIN, "facilitator": 200, "admin": 200, "*": 403}),
    "networks.edit": ("GET", "/networks/{net}/edit", {"anonymous": LOGIN, "facilitator": 200, "admin": 200, "*": 403}),
    "networks.view": ("GET", "/networks/{net}", {"*": 200}),
    "networks.view#closed": ("GET", "/networks/{closednet}", {"*": 200}),
    "networks.join": ("POST", "/networks/{net}/join", {"anonymous": LOGIN, "*": 302}),
    "networks.leave": ("POST", "/networks/{net}/leave", {"anonymous": LOGIN, "*": 302}),
    "networks.follow": ("POST", "/networks/{net}/follow", {"anonymous": LOGIN, "*": 302}),
    "networks.people": (
        "GET",
        "/networks/{net}/people",
        {"anonymous": LOGIN, "facilitator": 200, "admin": 200, "*": 403},
    ),
    "networks.manage_member": (
        "POST",
        "/networks/{net}/people/{membership}",
        {"anonymous": LOGIN, "facilitator": 400, "admin": 400, "*": 403},
    ),
    "networks.people_csv": (
        "GET",
        "/networks/{net}/people.csv",
        {"anonymous": LOGIN, "facilitator": 200, "admin": 200, "*": 403},
    ),
    "networks.new_meeting": (
        "GET",
        "/networks/{net}/meetings/new",
        {"anonymous": LOGIN, "facilitator": 200, "admin": 200, "*": 403},
    ),
    "networks.edit_meeting": (
        "GET",
        "/meetings/{meeting}/edit",
        {"anonymous": LOGIN, "facilitator": 200, "admin": 200, "*": 403},
    ),
    "networks.cancel_meeting": (
        "POST",
        "/meetings/{meeting}/cancel",
        {"anonymous": LOGIN, "facilitator": 302, "admin": 302, "*": 403},
    ),
    "networks.meeting": ("GET", "/meetings/{meeting}", {"*": 200}),
    "networks.meeting#closed": (
        "GET",
        "/meetings/{closed_meeting}",
        {"other": 200, "facilitator": 200, "admin": 200, "*": 404},
    ),
    "networks.register": ("POST", "/meetings/{meeting}/register", {"anonymous": LOGIN, "other": 303, "*": 302}),
    "networks.register#closed": (
        "POST",
        "/meetings/{closed_meeting}/register",
        {"anonymous": LOGIN, "other": 302, "facilitator": 302, "admin": 303, "*": 404},
    ),
    "networks.unregister": ("POST", "/meetings/{meeting}/unregister", {"anonymous": LOGIN, "*": 302}),
    "networks.participants": (
        "GET",
        "/meetings/{meeting}/participants",
        {"anonymous": LOGIN, "facilitator": 200, "admin": 200, "*": 403},
    ),
    "networks.participant": (
        "POST",
        "/meetings/{meeting}/participants/{registration}",
        {"anonymous": LOGIN, "facilitator": 400, "admin": 400, "*": 403},
    ),
    "networks.message": (
        "POST",
        "/meetings/{meeting}/message",
        {"anonymous": LOGIN, "facilitator": 302, "admin": 302, "*": 403},
    ),
    "networks.participants_csv": (
        "GET",
        "/meetings/{meeting}/participants.csv",
        {"anonymous": LOGIN, "facilitator": 200, "admin": 200, "*": 403},
    ),
    "networks.meeting_ics": ("GET", "/meetings/{meeting}.ics", {"*": 200}),
    "feeds.entries": ("GET", "/feeds/entries.atom", {"*": 200}),
    "feeds.tag": ("GET", "/feeds/tags/dialog.atom", {"*": 200}),
    "feeds.network": ("GET", "/networks/{net}/feed.atom", {"*": 200}),
    "feeds.network#closed": ("GET", "/networks/{closednet}/feed.atom", {"*": 404}),
    "feeds.person": ("GET", "/people/{user}/feed.atom", {"*": 200}),
    "auth.profile": ("GET", "/people/{user}", {"*": 200}),
    "auth.privacy": ("GET", "/privacy", {"*": 200}),
    "main.recognition": ("GET", "/help/recognition", {"*": 200}),
    "auth.download_data": ("GET", "/account/data.zip", {"anonymous": LOGIN, "*": 200}),
    "auth.delete_account": ("GET", "/account/delete", {"anonymous": LOGIN, "*": 200}),
    "following.feed": ("GET", "/feed", {"anonymous": LOGIN, "*": 200}),
    "following.toggle": ("POST", "/following", {"anonymous": LOGIN, "*": 404}),
    "following.digest": ("POST", "/feed/digest", {"anonymous": LOGIN, "*": 400}),
    "networks.meeting_ics#closed": (
        "GET",
        "/meetings/{closed_meeting}.ics",
        {"other": 200, "facilitator": 200, "admin": 200, "*": 404},
    ),
    "networks.network_ics": ("GET", "/networks/{net}/meetings.ics", {"*": 200}),
    "networks.private_ics": ("GET", "/calendar/not-a-token.ics", {"*": 404}),
    "networks.calendar_settings": ("GET", "/account/calendar", {"anonymous": LOGIN, "*": 200}),
    "networks.agenda": (
        "GET",
        "/meetings/{meeting}/agenda",
        {"anonymous": LOGIN, "facilitator": 200, "admin": 200, "*": 403},
    ),
    "networks.agenda#post": (
        "POST",
        "/meetings/{meeting}/agenda",
        {"anonymous": LOGIN, "facilitator": 400, "admin": 400, "*": 403},
    ),
    "networks.edit_block": (
        "GET",
        "/agenda/{block}/edit",
        {"anonymous": LOGIN, "facilitator": 200, "admin": 200, "*": 403},
    ),
    "networks.move_block": (
        "POST",
        "/agenda/{block}/move",
        {"anonymous": LOGIN, "facilitator": 400, "admin": 400, "*": 403},
    ),
    "networks.remove_block": (
        "POST",
        "/agenda/{block}/remove",
        {"anonymous": LOGIN, "facilitator": 302, "admin": 302, "*": 403},
    ),
    "networks.reorder": (
        "POST",
        "/meetings/{meeting}/agenda/order",
        {"anonymous": LOGIN, "facilitator": 303, "admin": 303, "*": 403},
    ),
    "networks.kit": ("GET", "/meetings/{meeting}/kit", {"anonymous": LOGIN, "*": 200}),
    "networks.kit#closed": (
        "GET",
        "/meetings/{closed_meeting}/kit",
        {"anonymous": LOGIN, "other": 200, "facilitator": 200, "admin": 200, "*": 404},
    ),
    "networks.kit_download": ("GET", "/meetings/{meeting}/kit.html", {"anonymous": LOGIN, "*": 200}),
    "networks.save_as_plan": (
        "POST",
        "/meetings/{meeting}/save-as-plan",
        {"anonymous": LOGIN, "facilitator": 302, "admin": 302, "*": 403},
    ),
    "api.list_networks": ("GET", "/api/v1/networks", {"*": 200}),
    "api.network_meetings": ("GET", "/api/v1/networks/{net}/meetings", {"*": 200}),
    "api.network_meetings#closed": ("GET", "/api/v1/networks/{closednet}/meetings", {"*": 404}),
    "api.get_meeting": ("GET", "/api/v1/meetings/{meeting}", {"*": 200}),
    "api.get_meeting#closed": ("GET", "/api/v1/meetings/{closed_meeting}", {"*": 404}),
    "feedback.audit_log": ("GET", "/moderation/log", {"anonymous": LOGIN, "facilitator": 200, "admin": 200, "*": 403}),
    # Idea books: {book} is {meeting}'s (published), {closed_book} {closed_meeting}'s (published, members only),
    # {draft_book} the write-up {writeup}'s own (unpublished, "author" edits it). "other" asked to remove {book_item}.
    "galleries.view": ("GET", "/idea-books/{book}", {"*": 200}),
    "galleries.view#closed": (
        "GET",
        "/idea-books/{closed_book}",
        {"other": 200, "facilitator": 200, "admin": 200, "*": 404},
    ),
    "galleries.view#draft": ("GET", "/idea-books/{draft_book}", {"author": 200, "admin": 200, "*": 404}),
    "galleries.item": ("GET", "/idea-books/{book}/items/{book_item}", {"*": 200}),
    "galleries.item#closed": (
        "GET",
        "/idea-books/{closed_book}/items/{closed_item}",
        {"other": 200, "facilitator": 200, "admin": 200, "*": 404},
    ),
    "galleries.item#draft": (
        "GET",
        "/idea-books/{draft_book}/items/{draft_item}",
        {"author": 200, "admin": 200, "*": 404},
    ),
    "galleries.image": ("GET", "/idea-books/{book}/items/{book_item}/thumb", {"*": 200}),
    "galleries.image#display": ("GET", "/idea-books/{book}/items/{book_item}/display", {"*": 200}),
    "galleries.image#original": ("GET", "/idea-books/{book}/items/{book_item}/original", {"*": 200}),
    "galleries.image#size": ("GET", "/idea-books/{book}/items/{book_item}/huge", {"*": 404}),
    "galleries.image#closed": (
        "GET",
        "/idea-books/{closed_book}/items/{closed_item}/original",
        {"other": 200, "facilitator": 200, "admin": 200, "*": 404},
    ),
    "galleries.image#draft": (
        "GET",
        "/idea-books/{draft_book}/items/{draft_item}/thumb",
        {"author": 200, "admin": 200, "*": 404},
    ),
    "galleries.print_view": ("GET", "/idea-books/{book}/print", {"*": 200}),
    "galleries.print_view#closed": (
        "GET",
        "/idea-books/{closed_book}/print",
        {"other": 200, "facilitator": 200, "admin": 200, "*": 404},
    ),
    "galleries.request_removal": ("POST", "/idea-books/{book}/items/{book_item}/removal", {"*": 302}),
    "galleries.request_removal#closed": (
        "POST",
        "/idea-books/{closed_book}/items/{closed_item}/removal",
        {"other": 302, "facilitator": 302, "admin": 302, "*": 404},
    ),
    "galleries.start_for_meeting": (
        "POST",
        "/meetings/{meeting}/idea-book",
        {"anonymous": LOGIN, "facilitator": 302, "admin": 302, "*": 403},
    ),
    "galleries.start_for_meeting#closed": (
        "POST",
        "/meetings/{closed_meeting}/idea-book",
        {"anonymous": LOGIN, "other": 403, "facilitator": 302, "admin": 302, "*": 404},
    ),
    "galleries.start_for_entry": (
        "POST",
        "/methods/{writeup}/idea-book",
        {"anonymous": LOGIN, "author": 302, "admin": 302, "*": 403},
    ),
    "galleries.start_for_entry#method": ("POST", "/methods/{pub}/idea-book", {"anonymous": LOGIN, "*": 403}),
    "galleries.manage": (
        "GET",
        "/idea-books/{book}/manage",
        {"anonymous": LOGIN, "facilitator": 200, "admin": 200, "*": 403},
    ),
    "galleries.manage#closed": (
        "GET",
        "/idea-books/{closed_book}/manage",
        {"anonymous": LOGIN, "other": 403, "facilitator": 200, "admin": 200, "*": 404},
    ),
    "galleries.manage#draft": (
        "GET",
        "/idea-books/{draft_book}/manage",
        {"anonymous": LOGIN, "author": 200, "admin": 200, "*": 404},
    ),
    "galleries.upload": (
        "POST",
        "/idea-books/{book}/images",
        {"anonymous": LOGIN, "facilitator": 400, "admin": 400, "*": 403},
    ),
    "galleries.describe": (
        "POST",
        "/idea-books/{book}/describe",
        {"anonymous": LOGIN, "facilitator": 302, "admin": 302, "*": 403},
    ),
    "galleries.add_quote": (
        "POST",
        "/idea-books/{book}/quotes",
        {"anonymous": LOGIN, "facilitator": 400, "admin": 400, "*": 403},
    ),
    "galleries.add_video": (
        "POST",
        "/idea-books/{book}/videos",
        {"anonymous": LOGIN, "facilitator": 400, "admin": 400, "*": 403},
    ),
    "galleries.edit_item": (
        "GET",
        "/idea-books/{book}/items/{book_item}/edit",
        {"anonymous": LOGIN, "facilitator": 200, "admin": 200, "*": 403},
    ),
    "galleries.edit_item#post": (
        "POST",
        "/idea-books/{book}/items/{book_item}/edit",
        {"anonymous": LOGIN, "facilitator": 400, "admin": 400, "*": 403},
    ),
    "galleries.move_item": (
        "POST",
        "/idea-books/{book}/items/{book_item}/move",
        {"anonymous": LOGIN, "facilitator": 400, "admin": 400, "*": 403},
    ),
    "galleries.set_cover": (
        "POST",
        "/idea-books/{book}/items/{book_item}/cover",
        {"anonymous": LOGIN, "facilitator": 302, "admin": 302, "*": 403},
    ),
    "galleries.remove_item": (
        "POST",
        "/idea-books/{book}/items/{book_item}/remove",
        {"anonymous": LOGIN, "facilitator": 302, "admin": 302, "*": 403},
    ),
    "galleries.dismiss_request": (
        "POST",
        "/idea-books/{book}/requests/{removal}/dismiss",
        {"anonymous": LOGIN, "facilitator": 302, "admin": 302, "*": 403},
    ),
    "galleries.publish": (
        "POST",
        "/idea-books/{book}/publish",
        {"anonymous": LOGIN, "facilitator": 400, "admin": 400, "*": 403},
    ),
}


def expected(row: str, persona: str):
    rules = MATRIX[row][2]
    return rules.get(persona, rules.get("*"))


def _idea_book(db_session, gallery, user, app, colour=(200, 40, 40), publish=True):
    """Put one described image in an idea book and publish it (unless told not to)."""
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(buffer, "JPEG")
    upload = galleries.Upload("tavla.jpg", io.BytesIO(buffer.getvalue()))
    [item] = galleries.add_images(db_session, gallery, [upload], True, user, app.config["UPLOAD_DIR"])
    galleries.describe(gallery, {item.id: ("Blädderblock med idéer", "")}, user)
    if publish:
        galleries.publish(gallery, user)
    db_session.flush()
    return gallery, item


@pytest.fixture
def world(app, make_user, make_entry, db_session, tmp_path):
    """Users of every persona and a published, a draft and a trashed entry by the author."""
    users = {
        "author": make_user(),
        "other": make_user(),
        "facilitator": make_user(role="facilitator"),
        "admin": make_user(role="admin"),
    }
    stored = store_upload(io.BytesIO(b"punkt 1\npunkt 2\n"), "lista.txt", app.config["UPLOAD_DIR"])
    pub = make_entry(title="Publicerad metod", user=users["author"], attachments=[stored])
    draft = make_entry(title="Mitt utkast", user=users["author"], status="draft", attachments=[stored])
    trashed = make_entry(title="Kastad metod", user=users["author"])
    trashed.deleted_at = trashed.created_at
    db_session.commit()
    comment = feedback.post_comment(db_session, pub, users["other"], "En fråga om steg 2.")
    hidden = feedback.post_comment(db_session, pub, users["other"], "Dold kommentar.")
    moderation.hide(db_session, hidden, users["facilitator"], "Personuppgifter")
    today = date.today()
    request = feedback.request_feedback(db_session, pub, users["author"], "Fungerar det?", [], None, today)
    scores = {c.id: feedback.ScoreInput(4) for c in request.criteria_set.criteria}
    review = feedback.submit_review(db_session, request, users["other"], scores, "Tydlig.", "Kortare.", today)
    report = moderation.report(db_session, comment, users["facilitator"], "Stämmer det?")
    criteria = feedback.save_criteria_set(db_session, None, "Bibliotek", [("Räckvidd", "")], False)
    db_session.commit()
    notification = db_session.scalar(select(Notification).where(Notification.user_id == users["author"].id))
    fac = users["facilitator"]
    net = networks.create_network(db_session, {"name": "Öppet nätverk"}, fac)
    closednet = networks.create_network(db_session, {"name": "Slutet nätverk", "visibility": "members"}, fac)
    member = networks.join(db_session, net, users["other"])
    networks.join(db_session, closednet, users["other"])
    start = (datetime.now(UTC) + timedelta(days=30)).astimezone(ZoneInfo("Europe/Stockholm"))
    times = {"starts_at": start.strftime("%Y-%m-%dT10:00"), "ends_at": start.strftime("%Y-%m-%dT15:00")}
    meeting = meetings.create_meeting(db_session, net, {"title": "Temadag", "capacity": "20", **times}, fac)
    closed_meeting = meetings.create_meeting(db_session, closednet, {"title": "Internt", **times}, fac)
    registration = meetings.register(db_session, meeting, users["other"], "", False, datetime.now(UTC))
    block = meetings.add_block(db_session, meeting, {"title": "Välkomna", "minutes": "15"}, None, fac)
    db_session.commit()
    book, book_item = _idea_book(db_session, galleries.ensure_for_meeting(db_session, meeting, fac), fac, app)
    closed_book, closed_item = _idea_book(
        db_session, galleries.ensure_for_meeting(db_session, closed_meeting, fac), fac, app, (20, 90, 200)
    )
    writeup = make_entry(title="Så gick dagen", kind="write-up", user=users["author"])
    draft_gallery = galleries.ensure_for_entry(db_session, writeup, users["author"])
    draft_book, draft_item = _idea_book(db_session, draft_gallery, users["author"], app, (200, 200, 20), publish=False)
    removal = galleries.request_removal(db_session, book, book_item, users["other"], {"reason": "Det är jag."})
    db_session.commit()
    values = {
        "pub": pub.slug,
        "pub_id": pub.id,
        "draft": draft.slug,
        "trashed": trashed.slug,
        "att": pub.attachments[0].id,
        "att_draft": draft.attachments[0].id,
        "user": users["other"].id,
        "comment": comment.id,
        "hidden": hidden.id,
        "request": request.id,
        "review": review.id,
        "report": report.id,
        "criteria": criteria.id,
        "notification": notification.id,
        "net": net.slug,
        "closednet": closednet.slug,
        "membership": member.id,
        "meeting": meeting.id,
        "closed_meeting": closed_meeting.id,
        "registration": registration.id,
        "block": block.id,
        "writeup": writeup.slug,
        "book": book.id,
        "book_item": book_item.id,
        "closed_book": closed_book.id,
        "closed_item": closed_item.id,
        "draft_book": draft_book.id,
        "draft_item": draft_item.id,
        "removal": removal.id,
    }
    return users, values


def test_every_endpoint_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    covered = {row.split("#")[0] for row in MATRIX}
    assert endpoints - covered == set(), "add the new endpoints to MATRIX"
    assert covered - endpoints == set(), "MATRIX names endpoints that do not exist"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("row", sorted(MATRIX))
def test_access(row, persona, client, world, login):
    users, values = world
    if persona != "anonymous":
        login(users[persona])
    method, template, _rules = MATRIX[row]
    url = template.format(**values)
    if method == "GET":
        response = client.get(url)
    else:
        token = csrf_from(client.get("/login").data)
        response = client.post(url, data={"csrf_token": token, "role": "member"})
    response.close()
    want = expected(row, persona)
    if want == LOGIN:
        assert response.status_code == 302 and "/login" in response.headers["Location"], (url, response.status_code)
    else:
        assert response.status_code == want, (url, persona, response.status_code)


def test_login_helper_uses_the_real_password(client, make_user):
    user = make_user()
    page = client.get("/login")
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD + "x", "csrf_token": csrf_from(page.data)}
    )
    assert response.status_code == 200 and "/account" not in response.headers.get("Location", "")
