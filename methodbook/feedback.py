"""Feedback on entries: comment threads, requests for a critical friend and structured reviews.

Rules live here and raise ValidationError/Forbidden; nothing commits. Dates that decide whether a
request is still open are passed in (``today`` in the site's time zone), so the rules are
testable without a clock.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, tzinfo

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from . import permissions
from .db import utcnow
from .errors import Forbidden, Message, NotFound, ValidationError
from .i18n import N_
from .models import (
    Comment,
    CommentEdit,
    CriteriaSet,
    Criterion,
    Entry,
    EntryTag,
    FeedbackRequest,
    Review,
    ReviewScore,
    Revision,
    User,
)
from .notifications import notify
from .render import render_markdown

COMMENT_MAX = 10_000
QUESTION_MAX = 1_000
REVIEW_TEXT_MAX = 10_000
SCORE_COMMENT_MAX = 2_000
MAX_REVIEWERS = 20
MAX_CRITERIA = 12
SCORES = (1, 2, 3, 4, 5)

# The built-in grid. Names and descriptions are message ids, shown in the reader's language.
DEFAULT_SET_KEY = "critical-friend"
DEFAULT_SET_NAME = N_("Critical friend (default)")
DEFAULT_CRITERIA = (
    ("relevance", N_("Relevance"), N_("Does it answer a real need of the people it is meant for?")),
    ("clarity", N_("Clarity"), N_("Could someone new follow it without asking the author?")),
    ("feasibility", N_("Feasibility"), N_("Can it be done with the time, money and people at hand?")),
    ("inclusion", N_("Inclusion"), N_("Can everyone concerned take part, whatever their language or abilities?")),
    ("impact", N_("Impact"), N_("Is it likely to change something that matters, and can that be seen?")),
)


# --- Threads ---------------------------------------------------------------------------------


def _comment_text(body: str | None) -> str:
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError.single("body", N_("Write something before you post."))
    if len(text) > COMMENT_MAX:
        raise ValidationError.single(
            "body", N_("Keep this under %(limit)s characters (now %(n)s)."), limit=COMMENT_MAX, n=len(text)
        )
    return text


def comment_path(comment: Comment) -> str:
    return f"/comments/{comment.id}"


def post_comment(session: Session, entry: Entry, user: User, body: str, reply_to: Comment | None = None) -> Comment:
    """Add a comment to an entry's thread, or a reply; notify who should hear about it."""
    if not permissions.can_comment(user, entry):
        raise Forbidden("may not comment here")
    text = _comment_text(body)
    parent = quoted = None
    if reply_to is not None:
        if reply_to.entry_id != entry.id or not permissions.can_see_comment(user, reply_to) or reply_to.is_removed:
            raise ValidationError.single("body", N_("The comment you answer is no longer there."))
        # Replies are one level deep: answering a reply files it under the same top comment and quotes it.
        parent = reply_to.parent or reply_to
        quoted = reply_to if reply_to.parent_id is not None else None
    comment = Comment(
        entry=entry, author=user, body=text, body_html=render_markdown(text), parent=parent, quoted=quoted
    )
    session.add(comment)
    session.flush()
    notified = set()
    if reply_to is not None and reply_to.author is not None:
        notify(session, reply_to.author, "comment_reply", user, entry.title, comment_path(comment))
        notified.add(reply_to.author_id)
    for editor in _entry_people(entry):
        if editor.id not in notified:
            notify(session, editor, "entry_comment", user, entry.title, comment_path(comment))
    return comment


def _entry_people(entry: Entry) -> list[User]:
    people = [entry.created_by] if entry.created_by else []
    return people + [e for e in entry.editors if e.id != entry.created_by_id]


def edit_comment(comment: Comment, user: User, body: str) -> bool:
    """Change a comment's text, keeping the old text for moderators; return whether it changed."""
    if not permissions.can_edit_comment(user, comment):
        raise Forbidden("may not edit this comment")
    text = _comment_text(body)
    if text == comment.body:
        return False
    comment.edits.append(CommentEdit(body=comment.body, written_at=comment.edited_at or comment.created_at))
    comment.body, comment.body_html = text, render_markdown(text)
    comment.edited_at = comment.changed_at = utcnow()
    return True


def delete_comment(comment: Comment, user: User) -> None:
    """Remove a comment: its place stays (replies keep theirs); its author's text goes."""
    if not permissions.can_delete_comment(user, comment):
        raise Forbidden("may not delete this comment")
    if comment.is_removed:
        return
    comment.deleted_at = comment.changed_at = utcnow()
    if comment.author_id == user.id:
        # The author's own removal takes the words away, earlier versions included.
        comment.body, comment.body_html = "", ""
        comment.edits.clear()


def get_comment(session: Session, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(str(comment_id))
    return comment


def _listed(query: Select) -> Select:
    return query.where(Comment.deleted_at.is_(None), Comment.hidden_at.is_(None))


@dataclass
class Thread:
    """One page of a thread: top comments with their replies, and the counts."""

    comments: list[Comment]
    replies: dict[int, list[Comment]]
    page: int
    pages: int
    count: int


def thread(session: Session, entry: Entry, page: int = 1, per_page: int = 20) -> Thread:
    """Return a page of the entry's thread, oldest first, replies under their comment."""
    tops = select(Comment).where(Comment.entry_id == entry.id, Comment.parent_id.is_(None))
    total_tops = session.scalar(select(func.count()).select_from(tops.subquery())) or 0
    pages = max((total_tops + per_page - 1) // per_page, 1)
    page = min(max(page, 1), pages)
    query = tops.options(selectinload(Comment.author)).order_by(Comment.created_at, Comment.id)
    comments = list(session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    replies: dict[int, list[Comment]] = {c.id: [] for c in comments}
    if comments:
        reply_query = (
            select(Comment)
            .options(selectinload(Comment.author), selectinload(Comment.quoted))
            .where(Comment.parent_id.in_(list(replies)))
            .order_by(Comment.created_at, Comment.id)
        )
        for reply in session.scalars(reply_query):
            replies[reply.parent_id].append(reply)
    return Thread(comments, replies, page, pages, comment_count(session, entry))


def comment_count(session: Session, entry: Entry) -> int:
    """Count the comments a reader sees in the entry's thread."""
    return session.scalar(_listed(select(func.count()).where(Comment.entry_id == entry.id))) or 0


def comment_counts(session: Session, entry_ids: Iterable[int]) -> dict[int, int]:
    """Count shown comments for several entries at once (for lists)."""
    ids = list(entry_ids)
    if not ids:
        return {}
    query = _listed(select(Comment.entry_id, func.count()).where(Comment.entry_id.in_(ids))).group_by(Comment.entry_id)
    return {entry_id: count for entry_id, count in session.execute(query)}


def comment_page(session: Session, comment: Comment, per_page: int = 20) -> int:
    """Return the thread page a comment (or its top comment) is on."""
    top = comment.parent or comment
    before = select(func.count()).where(
        Comment.entry_id == top.entry_id,
        Comment.parent_id.is_(None),
        or_(Comment.created_at < top.created_at, and_(Comment.created_at == top.created_at, Comment.id < top.id)),
    )
    return (session.scalar(before) or 0) // per_page + 1


# --- Criteria sets ---------------------------------------------------------------------------


def default_criteria_set(session: Session) -> CriteriaSet:
    """Return the set new requests use, creating the built-in one the first time."""
    chosen = session.scalar(select(CriteriaSet).where(CriteriaSet.is_default.is_(True)).order_by(CriteriaSet.id))
    if chosen is not None:
        return chosen
    builtin = session.scalar(select(CriteriaSet).where(CriteriaSet.key == DEFAULT_SET_KEY))
    if builtin is None:
        builtin = CriteriaSet(key=DEFAULT_SET_KEY, name=DEFAULT_SET_NAME)
        builtin.criteria = [
            Criterion(position=i, key=key, name=name, description=text)
            for i, (key, name, text) in enumerate(DEFAULT_CRITERIA)
        ]
        session.add(builtin)
    builtin.is_default = True
    session.flush()
    return builtin


def criteria_sets(session: Session) -> list[CriteriaSet]:
    """Every criteria set, the built-in one created if missing, default first."""
    default_criteria_set(session)
    query = select(CriteriaSet).options(selectinload(CriteriaSet.criteria))
    return list(session.scalars(query.order_by(CriteriaSet.is_default.desc(), CriteriaSet.name)))


def parse_criteria(text: str) -> list[tuple[str, str]]:
    """Read criteria written one per line as ``Name: description`` (the description is optional)."""
    criteria = []
    for line in (text or "").splitlines():
        line = " ".join(line.split())
        if not line:
            continue
        name, _sep, description = line.partition(":")
        criteria.append((name.strip(), description.strip()))
    return criteria


def save_criteria_set(
    session: Session, criteria_set: CriteriaSet | None, name: str, criteria: list[tuple[str, str]], make_default: bool
) -> CriteriaSet:
    """Create or change a criteria set; criteria already scored keep their identity (matched by name)."""
    errors: dict[str, list[Message]] = {}
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        errors["name"] = [Message(N_("Give the set a name of at most 120 characters."))]
    names = [n.casefold() for n, _ in criteria]
    if not criteria or len(criteria) > MAX_CRITERIA:
        errors["criteria"] = [Message(N_("Write between 1 and %(n)s criteria, one per line."), {"n": MAX_CRITERIA})]
    elif any(not n or len(n) > 120 for n, _ in criteria) or any(len(d) > 300 for _, d in criteria):
        errors["criteria"] = [
            Message(N_("Each criterion needs a name of at most 120 characters and a description of at most 300."))
        ]
    elif len(set(names)) != len(names):
        errors["criteria"] = [Message(N_("Two criteria have the same name."))]
    if errors:
        raise ValidationError(errors)
    if criteria_set is None:
        criteria_set = CriteriaSet(name=name)
        session.add(criteria_set)
    elif criteria_set.key is not None:
        raise Forbidden("the built-in set is not edited; make a new one")
    existing = {c.name.casefold(): c for c in criteria_set.criteria}
    dropped = [c for key, c in existing.items() if key not in set(names) and c.id is not None]
    scored = set()
    if dropped:
        ids = [c.id for c in dropped]
        scored = set(session.scalars(select(ReviewScore.criterion_id).where(ReviewScore.criterion_id.in_(ids))))
    if scored:
        # Checked before anything changes, so a refused save leaves the set as it was.
        raise ValidationError.single(
            "criteria",
            N_("Reviews have scored %(names)s; keep those criteria or make a new set."),
            names=", ".join(c.name for c in dropped if c.id in scored),
        )
    criteria_set.name = name
    kept = []
    for position, (crit_name, description) in enumerate(criteria):
        row = existing.get(crit_name.casefold()) or Criterion(name=crit_name)
        row.name, row.description, row.position = crit_name, description, position
        kept.append(row)
    criteria_set.criteria = kept
    if make_default:
        for other in session.scalars(select(CriteriaSet).where(CriteriaSet.is_default.is_(True))):
            other.is_default = False
        criteria_set.is_default = True
    session.flush()
    return criteria_set


# --- Requests --------------------------------------------------------------------------------


def is_open(request: FeedbackRequest, today: date) -> bool:
    """Tell whether a request still takes reviews."""
    return request.closed_at is None and (request.closes_on is None or today <= request.closes_on)


def request_feedback(
    session: Session,
    entry: Entry,
    user: User,
    question: str,
    reviewer_emails: Iterable[str],
    closes_on: date | None,
    today: date,
    criteria_set: CriteriaSet | None = None,
) -> FeedbackRequest:
    """Open a request for critical friends on an entry and notify the named reviewers."""
    if not permissions.can_request_feedback(user, entry):
        raise Forbidden("only the entry's authors ask for feedback on it")
    errors: dict[str, list[Message]] = {}
    text = (question or "").replace("\r\n", "\n").strip()
    if not text:
        errors["question"] = [Message(N_("Write the question you want answered."))]
    elif len(text) > QUESTION_MAX:
        errors["question"] = [
            Message(N_("Keep this under %(limit)s characters (now %(n)s)."), {"limit": QUESTION_MAX, "n": len(text)})
        ]
    if closes_on is not None and closes_on < today:
        errors["closes_on"] = [Message(N_("Choose today or a later day."))]
    try:
        reviewers = _reviewers(session, entry, reviewer_emails)
    except ValidationError as exc:
        errors.update(exc.errors)
        reviewers = []
    if errors:
        raise ValidationError(errors)
    request = FeedbackRequest(
        entry=entry, requested_by=user, question=text, closes_on=closes_on, revision_number=entry.revision_number,
        criteria_set=criteria_set or default_criteria_set(session), reviewers=reviewers,
    )  # fmt: skip
    session.add(request)
    session.flush()
    for reviewer in reviewers:
        notify(session, reviewer, "named_reviewer", user, entry.title, request_path(request))
    return request


def request_path(request: FeedbackRequest) -> str:
    return f"/feedback/{request.id}"


def _reviewers(session: Session, entry: Entry, emails: Iterable[str]) -> list[User]:
    wanted = []
    for email in emails:
        email = email.strip().lower()
        if email and email not in wanted:
            wanted.append(email)
    if len(wanted) > MAX_REVIEWERS:
        raise ValidationError.single("reviewers", N_("Name at most %(n)s reviewers."), n=MAX_REVIEWERS)
    if not wanted:
        return []
    users = list(session.scalars(select(User).where(func.lower(User.email).in_(wanted), User.active.is_(True))))
    missing = sorted(set(wanted) - {u.email.lower() for u in users})
    if missing:
        raise ValidationError.single(
            "reviewers", N_("No member has this e-mail address: %(emails)s."), emails=", ".join(missing)
        )
    own = [u for u in users if permissions.is_editor_of(u, entry)]
    if own:
        raise ValidationError.single(
            "reviewers",
            N_("%(names)s wrote this entry and cannot review it."),
            names=", ".join(u.display_name for u in own),
        )
    return sorted(users, key=lambda u: wanted.index(u.email.lower()))


def close_request(request: FeedbackRequest, user: User) -> None:
    """Stop taking reviews."""
    if not permissions.can_manage_request(user, request):
        raise Forbidden("only the entry's authors close its requests")
    if request.closed_at is None:
        request.closed_at = request.changed_at = utcnow()


def set_aggregate_public(request: FeedbackRequest, user: User, public: bool) -> None:
    """Show or hide the request's aggregate grid on the entry page."""
    if not permissions.can_manage_request(user, request):
        raise Forbidden("only the entry's authors publish the aggregate")
    request.aggregate_public = public
    request.changed_at = utcnow()


def set_criteria_set(request: FeedbackRequest, user: User, criteria_set: CriteriaSet) -> None:
    """Let an admin choose another grid for a request that has no reviews yet."""
    if not permissions.is_admin(user):
        raise Forbidden("admins choose criteria sets")
    if request.reviews:
        raise ValidationError.single("criteria_set", N_("Reviews already use this grid; it can no longer change."))
    request.criteria_set = criteria_set
    request.changed_at = utcnow()


def open_requests(
    today: date, language: str = "", tag: str = "", sort: str = "newest", viewer: User | None = None
) -> Select:
    """Select the requests that take reviews, on entries the viewer may read."""
    from .entries import network_filter

    query = (
        select(FeedbackRequest)
        .join(Entry, Entry.id == FeedbackRequest.entry_id)
        .options(selectinload(FeedbackRequest.entry).selectinload(Entry.tag_rows))
        .where(
            FeedbackRequest.closed_at.is_(None),
            or_(FeedbackRequest.closes_on.is_(None), FeedbackRequest.closes_on >= today),
            Entry.status == "published",
            Entry.deleted_at.is_(None),
            network_filter(viewer),
        )
    )
    if language:
        query = query.where(Entry.language == language)
    if tag:
        query = query.where(Entry.id.in_(select(EntryTag.entry_id).where(EntryTag.name == tag.lower())))
    if sort == "closing":
        # Requests with a closing day first, soonest first; open-ended ones after, newest first.
        return query.order_by(
            FeedbackRequest.closes_on.is_(None), FeedbackRequest.closes_on, FeedbackRequest.created_at.desc()
        )
    return query.order_by(FeedbackRequest.created_at.desc(), FeedbackRequest.id.desc())


def requests_for_entry(session: Session, entry: Entry) -> list[FeedbackRequest]:
    """Every request on an entry, newest first."""
    query = select(FeedbackRequest).where(FeedbackRequest.entry_id == entry.id)
    return list(session.scalars(query.order_by(FeedbackRequest.created_at.desc(), FeedbackRequest.id.desc())))


def get_request(session: Session, request_id: int, with_reviews: bool = False) -> FeedbackRequest:
    """Return a request; with_reviews loads its reviews, scores and reviewers in three queries."""
    query = select(FeedbackRequest).where(FeedbackRequest.id == request_id)
    if with_reviews:
        query = query.options(
            selectinload(FeedbackRequest.criteria_set).selectinload(CriteriaSet.criteria),
            selectinload(FeedbackRequest.reviews).selectinload(Review.scores).selectinload(ReviewScore.criterion),
            selectinload(FeedbackRequest.reviews).selectinload(Review.reviewer),
        )
    request = session.scalar(query)
    if request is None:
        raise NotFound(str(request_id))
    return request


# --- Reviews ---------------------------------------------------------------------------------


@dataclass
class ScoreInput:
    """What the form sent for one criterion: the score as typed and an optional comment."""

    score: str | int | None
    comment: str = ""


def _parse_score(value) -> int | None:
    text = str(value).strip() if value is not None else ""
    if not text.isdecimal():
        return None
    number = int(text)
    return number if number in SCORES else None


def review_of(session: Session, request: FeedbackRequest, user: User) -> Review | None:
    """Return the member's review on a request, if they wrote one."""
    query = select(Review).where(Review.request_id == request.id, Review.reviewer_id == user.id)
    return session.scalar(query)


def submit_review(
    session: Session,
    request: FeedbackRequest,
    user: User,
    scores: Mapping[int, ScoreInput],
    works_well: str,
    could_be_better: str,
    today: date,
) -> Review:
    """Write or change the member's review; every criterion scored 1–5 and both texts required."""
    if permissions.is_editor_of(user, request.entry):
        raise Forbidden("no review of your own entry")
    if not is_open(request, today):
        raise Forbidden("the request is closed")
    if not permissions.can_review(user, request):
        raise Forbidden("may not review")
    errors: dict[str, list[Message]] = {}

    def fail(name: str, msgid: str, **params) -> None:
        errors.setdefault(name, []).append(Message(msgid, params))

    parsed = {}
    for criterion in request.criteria_set.criteria:
        given = scores.get(criterion.id) or ScoreInput(None)
        score = _parse_score(given.score)
        if score is None:
            fail(f"score_{criterion.id}", N_("Choose a score from 1 to 5."))
        comment = (given.comment or "").replace("\r\n", "\n").strip()
        if len(comment) > SCORE_COMMENT_MAX:
            fail(f"comment_{criterion.id}", N_("Keep this under %(limit)s characters (now %(n)s)."),
                 limit=SCORE_COMMENT_MAX, n=len(comment))  # fmt: skip
        parsed[criterion.id] = (score, comment)
    texts = {}
    for name, value in (("works_well", works_well), ("could_be_better", could_be_better)):
        text = (value or "").replace("\r\n", "\n").strip()
        if not text:
            fail(name, N_("This answer is required."))
        elif len(text) > REVIEW_TEXT_MAX:
            fail(name, N_("Keep this under %(limit)s characters (now %(n)s)."), limit=REVIEW_TEXT_MAX, n=len(text))
        texts[name] = text
    if errors:
        raise ValidationError(errors)
    review = review_of(session, request, user)
    created = review is None
    if created:
        review = Review(request=request, reviewer=user, works_well="", could_be_better="")
        session.add(review)
    review.works_well, review.could_be_better = texts["works_well"], texts["could_be_better"]
    review.updated_at = request.changed_at = utcnow()
    by_criterion = {s.criterion_id: s for s in review.scores}
    review.scores = [_score_row(by_criterion.get(cid), cid, score, comment) for cid, (score, comment) in parsed.items()]
    session.flush()
    if created:
        notify(session, request.requested_by, "review", user, request.entry.title, request_path(request))
    return review


def _score_row(row: ReviewScore | None, criterion_id: int, score: int, comment: str) -> ReviewScore:
    row = row or ReviewScore(criterion_id=criterion_id)
    row.score, row.comment = score, comment
    return row


def mark_acted_upon(session: Session, review: Review, user: User, revision_number: int | None) -> None:
    """Record the entry revision that took a review into account (None takes the mark away)."""
    if not permissions.can_manage_request(user, review.request):
        raise Forbidden("only the entry's authors mark reviews")
    if revision_number is None:
        review.acted_revision = review.acted_at = None
        return
    exists = session.scalar(
        select(Revision.id).where(Revision.entry_id == review.request.entry_id, Revision.number == revision_number)
    )
    if exists is None:
        raise ValidationError.single("revision", N_("The entry has no revision %(n)s."), n=revision_number)
    if revision_number <= review.request.revision_number:
        raise ValidationError.single(
            "revision",
            N_("Choose a revision saved after the request was opened (at revision %(n)s)."),
            n=review.request.revision_number,
        )
    review.acted_revision, review.acted_at = revision_number, utcnow()
    review.request.changed_at = utcnow()


def shown_reviews(request: FeedbackRequest) -> list[Review]:
    """The reviews that count: hidden ones are left out of the aggregate and the export."""
    return [r for r in request.reviews if r.hidden_at is None]


@dataclass
class CriterionSummary:
    """The aggregate of one criterion: how many scored it, the mean and the distribution."""

    criterion: Criterion
    count: int = 0
    total: int = 0
    distribution: dict[int, int] = field(default_factory=lambda: dict.fromkeys(SCORES, 0))

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None

    def share(self, score: int) -> float:
        """The fraction of scores equal to ``score`` (0 when nobody scored)."""
        return self.distribution[score] / self.count if self.count else 0.0


def aggregate(request: FeedbackRequest) -> list[CriterionSummary]:
    """Summarise the shown reviews per criterion, in the grid's order."""
    summaries = {c.id: CriterionSummary(c) for c in request.criteria_set.criteria}
    for review in shown_reviews(request):
        for row in review.scores:
            summary = summaries.get(row.criterion_id)
            if summary is not None and row.score in SCORES:
                summary.count += 1
                summary.total += row.score
                summary.distribution[row.score] += 1
    return list(summaries.values())


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """Make a cell that a spreadsheet would run as a formula read as text instead."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


CSV_COLUMNS = ("request", "reviewer", "criterion", "score", "comment", "works_well", "could_be_better", "date")


def reviews_csv(
    request: FeedbackRequest, headers: Mapping[str, str], criterion_name=lambda c: c.name, tz: tzinfo = UTC
) -> bytes:
    """One row per review and criterion, UTF-8 with a byte-order mark so spreadsheets read å, æ and ø."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([headers.get(c, c) for c in CSV_COLUMNS])
    criteria = {c.id: c for c in request.criteria_set.criteria}
    for review in shown_reviews(request):
        reviewer = review.reviewer.display_name if review.reviewer else ""
        for row in sorted(
            review.scores, key=lambda s: criteria[s.criterion_id].position if s.criterion_id in criteria else 0
        ):
            criterion = criteria.get(row.criterion_id) or row.criterion
            cells = (
                request.question, reviewer, criterion_name(criterion), row.score, row.comment,
                review.works_well, review.could_be_better, review.updated_at.astimezone(tz).date().isoformat(),
            )  # fmt: skip
            writer.writerow([c if isinstance(c, int) else spreadsheet_safe(c) for c in cells])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
