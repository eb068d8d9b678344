"""Feedback and meetings benchmark: long threads, many reviews, the aggregate and its CSV, registration.

Builds a throwaway SQLite database with one entry carrying a long thread and a request with many
reviews, and a meeting with many registrations, then times the pages through the Flask test client
(no network, one process) and the domain calls directly. Writes docs/benchmarks-feedback.md.
Run with `make bench` or `python bench/feedback_bench.py`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from bench.run import machine, write_report  # noqa: E402
from methodbook import accounts, entries, feedback, meetings, networks  # noqa: E402
from methodbook.db import make_engine  # noqa: E402
from methodbook.migrate import upgrade  # noqa: E402

PASSWORD = "grön-kaffe-på-tisdag-bench"  # noqa: S105 - a throwaway benchmark account
HASH = "pbkdf2:sha256:1"


def run_header(script: str, load_before: float, load_after: float) -> list[str]:
    """The lines that say when, where and under what load a benchmark ran."""
    return [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `bench/{script}` on: {machine()}.",
        f"Load average {load_before:.1f} at the start and {load_after:.1f} at the end (other work on the machine "
        "inflates the numbers; compare rows of the same run).",
    ]


def table(rows: list[tuple[str, dict]]) -> list[str]:
    """A Markdown table of (what, {p50, p95}) rows."""
    return [
        "| what | p50 ms | p95 ms |",
        "| --- | --- | --- |",
        *[f"| {label} | {r['p50']:.1f} | {r['p95']:.1f} |" for label, r in rows],
    ]


def timed(call, repeat: int) -> dict:
    """Run call `repeat` times; return p50 and p95 in milliseconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"p50": statistics.median(samples), "p95": samples[int(0.95 * (len(samples) - 1))]}


def bench_app(folder: Path, **overrides):
    """A Dela app on a fresh, migrated SQLite file in folder, without CSRF and rate limits."""
    url = f"sqlite:///{folder / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    config = {
        "SECRET_KEY": "bench", "DATABASE_URL": url, "SEARCH_INDEX_DIR": str(folder / "index"),
        "UPLOAD_DIR": str(folder / "uploads"), "WTF_CSRF_ENABLED": False, "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Stockholm", "DELA_LANGUAGES": ("sv", "da", "en"),
        "PASSWORD_HASH_METHOD": HASH, "RATELIMIT_ENABLED": False, "SEARCH_BACKGROUND_REBUILD": False,
        "ATTACHMENT_MAX_BYTES": 10**7, "MAIL_FROM": "bench@localhost", "DELA_REGISTRATION": "open",
        "LOGIN_RATE_LIMIT": "10000 per minute", "MAIL_SERVER": "", "MAIL_OUTBOX_DIR": "",
        "IMAGE_MAX_BYTES": 2 * 10**7, "REMOVAL_RATE_LIMIT": "10000 per minute",
    }  # fmt: skip
    return create_app({**config, **overrides})


def build(folder: Path, comments: int, reviews: int, registrations: int):
    app = bench_app(folder)
    with app.app_context():
        session = app.extensions["dela_db"].sessionmaker()
        author = accounts.create_user(session, "author@bench.se", "Anna Author", PASSWORD, hash_method=HASH)
        people = [
            accounts.create_user(session, f"p{i}@bench.se", f"Person {i}", PASSWORD, hash_method=HASH)
            for i in range(max(reviews, registrations, 20))
        ]
        author.role = "facilitator"
        data = entries.validate_entry_data(
            {"title": "Kritisk vän i praktiken", "status": "published", "body": "## Steg\n\n1. Fråga\n2. Lyssna"},
            session,
        )
        entry = entries.create_entry(session, data, author, [], "bench")
        session.commit()
        top = None
        for i in range(comments):
            who = people[i % len(people)]
            reply_to = top if i % 3 else None
            comment = feedback.post_comment(
                session, entry, who, f"Kommentar {i} med **Markdown** och en [länk](https://example.org/{i}).", reply_to
            )
            if reply_to is None:
                top = comment
            if i % 200 == 199:
                session.commit()
        session.commit()
        today = datetime.now(UTC).date()
        request = feedback.request_feedback(
            session, entry, author, "Fungerar det för ett litet bibliotek?", [], None, today
        )
        session.commit()
        for i in range(reviews):
            scores = {c.id: feedback.ScoreInput(1 + (i + c.position) % 5, "=kommentar" if i % 7 == 0 else "")
                      for c in request.criteria_set.criteria}  # fmt: skip
            feedback.submit_review(session, request, people[i], scores, "Tydligt och konkret.", "Kortare steg.", today)
        session.commit()
        network = networks.create_network(session, {"name": "Bench-nätverket"}, author)
        start = (datetime.now(UTC) + timedelta(days=30)).astimezone(networks.zone(network))
        meeting = meetings.create_meeting(
            session, network,
            {"title": "Temadag", "starts_at": start.strftime("%Y-%m-%dT09:00"),
             "ends_at": start.strftime("%Y-%m-%dT16:00"), "capacity": str(registrations // 2)},
            author,
        )  # fmt: skip
        session.commit()
        ids = (entry.slug, request.id, meeting.id)
    return app, people, ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--comments", type=int, default=600)
    parser.add_argument("--reviews", type=int, default=200)
    parser.add_argument("--registrations", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks-feedback.md"))
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        app, people, (slug, request_id, meeting_id) = build(Path(tmp), args.comments, args.reviews, args.registrations)
        build_s = time.perf_counter() - started
        author = app.test_client()
        author.post("/login", data={"email": "author@bench.se", "password": PASSWORD})
        member = app.test_client()
        member.post("/login", data={"email": people[-1].email, "password": PASSWORD})
        visitor = app.test_client()
        rows = []

        def page(client, path, label):
            client.get(path)  # warm the template and caches
            result = timed(lambda: client.get(path), args.repeat)
            rows.append((label, result))

        page(visitor, f"/methods/{slug}", f"entry page, visitor (page cache), thread of {args.comments} comments")
        page(member, f"/methods/{slug}", f"entry page, member, first of {args.comments // 20 or 1} thread pages")
        page(member, f"/methods/{slug}?comments=10", "entry page, member, thread page 10")
        page(author, f"/feedback/{request_id}", f"request page with the aggregate of {args.reviews} reviews (author)")
        page(author, f"/feedback/{request_id}/reviews.csv", f"CSV of {args.reviews} reviews × 5 criteria")
        page(visitor, f"/api/v1/entries/{slug}/comments", "API: a page of the thread")

        # Registration, one member after another, through the web layer (the concurrency test covers races).
        clients = []
        for person in people[: args.registrations]:
            client = app.test_client()
            client.post("/login", data={"email": person.email, "password": PASSWORD})
            clients.append(client)
        samples = []
        for client in clients:
            t0 = time.perf_counter()
            client.post(f"/meetings/{meeting_id}/register", data={"note": ""})
            samples.append((time.perf_counter() - t0) * 1000)
        samples.sort()
        rows.append(
            (f"register (seats {args.registrations // 2}, then waitlist), {args.registrations} members",
             {"p50": statistics.median(samples), "p95": samples[int(0.95 * (len(samples) - 1))]})
        )  # fmt: skip
        t0 = time.perf_counter()
        clients[0].post(f"/meetings/{meeting_id}/unregister")
        promote_ms = (time.perf_counter() - t0) * 1000
        page(author, f"/meetings/{meeting_id}/participants", f"participants page, {args.registrations} people")
    load_after = os.getloadavg()[0]
    lines = [
        "# Feedback and meetings benchmarks",
        "",
        *run_header("feedback_bench.py", load_before, load_after),
        "",
        f"One SQLite database: an entry with a thread of {args.comments} comments (a third top comments, the rest "
        f"replies), a request with {args.reviews} reviews, a meeting; built in {build_s:.1f} s. Pages through the "
        f"Flask test client in one process, {args.repeat} requests each after one warm-up.",
        "",
        *table(rows),
        f"| cancelling a registration and promoting the first on the waitlist | {promote_ms:.1f} | – |",
        "",
    ]
    return write_report(lines, args.out)


if __name__ == "__main__":
    raise SystemExit(main())
