"""Who may do what: plain functions of (user, object), unit-tested on their own.

``user`` is a User or None for an anonymous visitor.
"""

from __future__ import annotations

from .models import Comment, Entry, FeedbackRequest, Review, User


def is_admin(user: User | None) -> bool:
    """Tell whether the user is an active admin."""
    return bool(user and user.active and user.role == "admin")


def is_editor_of(user: User | None, entry: Entry) -> bool:
    """Tell whether the user authored or co-authors the entry."""
    if not user or not user.active:
        return False
    return entry.created_by_id == user.id or any(e.id == user.id for e in entry.editors)


def in_network(user: User | None, network) -> bool:
    """Whether the user is an active member (or coordinator) of the network."""
    return bool(user) and any(m.user_id == user.id and m.status == "active" for m in network.memberships)


def network_allows(user: User | None, entry: Entry) -> bool:
    """Entries of a members-only network are for its members and admins."""
    network = entry.network
    return network is None or network.visibility != "members" or is_admin(user) or in_network(user, network)


def can_view(user: User | None, entry: Entry) -> bool:
    """Published entries are public (members-only networks: members); drafts for editors and admins; trash for admins."""
    if entry.deleted_at is not None:
        return is_admin(user)
    if entry.status == "published":
        return network_allows(user, entry)
    return is_admin(user) or is_editor_of(user, entry)


def can_create(user: User | None) -> bool:
    """Any active member may add entries."""
    return bool(user and user.active)


def can_edit(user: User | None, entry: Entry) -> bool:
    """Editors and admins edit entries that are not in the trash."""
    return entry.deleted_at is None and (is_admin(user) or is_editor_of(user, entry))


def can_delete(user: User | None, entry: Entry) -> bool:
    """The entry's authors and admins move it to the trash."""
    return can_edit(user, entry)


def can_restore_from_trash(user: User | None, entry: Entry) -> bool:
    """Only admins bring entries back from the trash."""
    return entry.deleted_at is not None and is_admin(user)


def can_manage_users(user: User | None) -> bool:
    """Admins manage accounts, invites and reset links."""
    return is_admin(user)


# --- Feedback --------------------------------------------------------------------------------


def is_moderator(user: User | None) -> bool:
    """Facilitators and admins handle reports and hide or restore comments and reviews."""
    return bool(user and user.active and user.role in ("facilitator", "admin"))


def has_thread(entry: Entry) -> bool:
    """Published entries have a feedback thread; drafts and trashed entries show none."""
    return entry.status == "published" and entry.deleted_at is None


def sees_thread(user: User | None, entry: Entry) -> bool:
    """The thread is seen by whoever may read the entry."""
    return has_thread(entry) and network_allows(user, entry)


def can_comment(user: User | None, entry: Entry) -> bool:
    """Signed-in members post in the thread of a published entry they may read."""
    return bool(user and user.active) and sees_thread(user, entry)


def can_see_comment(user: User | None, comment: Comment) -> bool:
    """A comment is seen where its thread is; a hidden one only by its author and moderators."""
    if not sees_thread(user, comment.entry):
        return False
    if comment.hidden_at is not None:
        return is_moderator(user) or bool(user and user.id == comment.author_id)
    return True


def can_edit_comment(user: User | None, comment: Comment) -> bool:
    """Authors edit their own comments while they are shown."""
    return (
        bool(user and user.active and user.id == comment.author_id)
        and comment.deleted_at is None
        and comment.hidden_at is None
        and has_thread(comment.entry)
    )


def can_delete_comment(user: User | None, comment: Comment) -> bool:
    """Authors and moderators remove comments."""
    if comment.deleted_at is not None or not has_thread(comment.entry):
        return False
    return is_moderator(user) or bool(user and user.active and user.id == comment.author_id)


def can_request_feedback(user: User | None, entry: Entry) -> bool:
    """The entry's authors (and admins) ask for critical friends on a published entry."""
    return has_thread(entry) and (is_editor_of(user, entry) or is_admin(user))


def can_manage_request(user: User | None, request: FeedbackRequest) -> bool:
    """The entry's authors and admins close a request, read its reviews and export them."""
    return is_editor_of(user, request.entry) or is_admin(user)


def can_view_request(user: User | None, request: FeedbackRequest) -> bool:
    """A request is seen wherever its entry is published."""
    return sees_thread(user, request.entry) or can_manage_request(user, request)


def can_review(user: User | None, request: FeedbackRequest) -> bool:
    """Members review others' entries (the request must also be open: see feedback.is_open)."""
    return bool(user and user.active) and sees_thread(user, request.entry) and not is_editor_of(user, request.entry)


def can_read_review(user: User | None, review: Review) -> bool:
    """A review's text is for the entry's authors, its reviewer, and moderators (who handle reports) and admins."""
    if can_manage_request(user, review.request):
        return True
    return bool(user and user.id == review.reviewer_id) or is_moderator(user)


# --- Networks --------------------------------------------------------------------------------


def can_create_network(user: User | None) -> bool:
    """Facilitators and admins start networks."""
    return bool(user and user.active and user.role in ("facilitator", "admin"))


def can_manage_network(user: User | None, network, coordinator_ids: set[int]) -> bool:
    """A network's coordinators and admins change it, its members and its meetings."""
    return is_admin(user) or bool(user and user.active and user.id in coordinator_ids)
