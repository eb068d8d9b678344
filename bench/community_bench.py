"""Community benchmark: the personal feed, a profile, the Atom feed and a digest run at network size.

Builds a throwaway SQLite database with many entries, tags and members who follow tags, networks
and each other, then times the pages through the Flask test client (one process) and one
`send_digests` run over every member. Writes docs/benchmarks-community.md.
Run with `make bench` or `python bench/community_bench.py`.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.feedback_bench import HASH, PASSWORD, bench_app, run_header, table, timed  # noqa: E402
from bench.run import write_report  # noqa: E402

TAGS = [f"tagg{n}" for n in range(60)]


def build(folder: Path, entries_n: int, members: int):
    from methodbook import accounts, entries, following, networks

    app = bench_app(folder)
    rng = random.Random(7)
    with app.app_context():
        session = app.extensions["dela_db"].sessionmaker()
        people = [
            accounts.create_user(session, f"m{i}@bench.se", f"Medlem {i}", PASSWORD, hash_method=HASH)
            for i in range(members)
        ]
        people[0].role = "facilitator"
        network = networks.create_network(session, {"name": "Bench", "slug": "bench"}, people[0])
        session.commit()
        now = datetime.now(UTC)
        for i in range(entries_n):
            raw = {"title": f"Metod {i}", "status": "published", "summary": "Kort sammanfattning.",
                   "tags": ", ".join(rng.sample(TAGS, 3)), "body": "## Steg\n\n1. Gör så här"}  # fmt: skip
            entry = entries.create_entry(
                session, entries.validate_entry_data(raw), rng.choice(people), [], render=False
            )
            entry.updated_at = now - timedelta(hours=rng.randint(0, 24 * 14))
            if i % 10 == 0:
                entry.network = network
            if i % 200 == 199:
                session.commit()
        for person in people:
            for tag in rng.sample(TAGS, 5):
                following.set_following(session, person, "tag", tag, True)
            following.set_following(session, person, "network", str(network.id), True)
            other = rng.choice([p for p in people[1:6] if p is not person])
            following.set_following(session, person, "member", str(other.id), True)
            person.digest = "weekly"
        session.commit()
        session.close()
    return app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks-community.md"))
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        app = build(Path(tmp), args.entries, args.members)
        build_s = time.perf_counter() - started
        member = app.test_client()
        member.post("/login", data={"email": "m5@bench.se", "password": PASSWORD})
        visitor = app.test_client()
        rows = []

        def page(client, path, label):
            client.get(path)
            rows.append((label, timed(lambda: client.get(path), args.repeat)))

        page(member, "/feed", "personal feed: 5 tags, a network and a member followed")
        page(visitor, "/people/2", "a member's profile, visitor")
        page(visitor, "/feeds/entries.atom", "Atom feed of new and changed entries")
        page(visitor, f"/feeds/tags/{TAGS[0]}.atom", "Atom feed of one tag")
        page(visitor, "/networks/bench/feed.atom", "Atom feed of a network")
        from methodbook.following import send_digests

        sent = []
        with app.app_context():
            session = app.extensions["dela_db"].sessionmaker()
            t0 = time.perf_counter()
            result = send_digests(session, "weekly", datetime.now(UTC), sent.append)
            digest_s = time.perf_counter() - t0
            session.close()
    load_after = os.getloadavg()[0]
    lines = [
        "# Community benchmarks",
        "",
        *run_header("community_bench.py", load_before, load_after),
        "",
        f"One SQLite database: {args.entries} published entries with 3 of 60 tags each, changed over two weeks; "
        f"{args.members} members, each following 5 tags, a network and another member, all with a weekly digest; "
        f"built in {build_s:.0f} s. Pages through the Flask test client, {args.repeat} requests each after a warm-up.",
        "",
        *table(rows),
        "",
        f"Weekly digest run: {result[0]} digests built and handed to the sender (in memory, no mail) in "
        f"{digest_s:.1f} s, {digest_s / max(result[0], 1) * 1000:.0f} ms each; {result[1]} skipped.",
        "",
    ]
    return write_report(lines, args.out)


if __name__ == "__main__":
    raise SystemExit(main())
