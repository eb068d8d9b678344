"""Fifty members register at once for ten seats at a running server: ten get seats, forty wait in order.

The server is gunicorn with several worker processes, each with a few threads, so the registrations
race in different processes and database connections as they would in production. The database
decides who gets a seat: PostgreSQL locks the meeting's row, SQLite's write transactions begin
IMMEDIATE. The test builds its own database (a fresh SQLite file, or a fresh PostgreSQL schema that
is dropped afterwards), because the server's workers commit for real.
"""

from __future__ import annotations

import http.client
import itertools
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from methodbook import accounts, meetings, networks
from methodbook.db import make_engine, make_sessionmaker
from methodbook.models import Registration
from tests.conftest import BACKENDS, FAST_HASH, PASSWORD, ROOT, csrf_from, migrated_database

pytestmark = pytest.mark.slow

PEOPLE = 50
SEATS = 10
WORKERS = 4
THREADS = 4  # per worker (gthread): 16 requests are handled at the same moment
STARTUP_SECONDS = 30
REQUEST_TIMEOUT = 30


@pytest.fixture(params=BACKENDS)
def scratch_database_url(request, tmp_path):
    """Yield the URL of a fresh, migrated database of this backend that the test may commit to."""
    yield from migrated_database(request.param, tmp_path, prefix="dela_register")


def populate(url: str) -> tuple[int, list[str]]:
    """Create a coordinator, a public network with PEOPLE members and a meeting of SEATS seats; return its id and the e-mails."""
    engine = make_engine(url)
    session = make_sessionmaker(engine)()
    try:
        coordinator = accounts.create_user(session, "samordnare@example.org", "Samordnare", PASSWORD,
                                           role="facilitator", language="en", hash_method=FAST_HASH)  # fmt: skip
        network = networks.create_network(
            session, {"name": "Biblioteksnätverket Väst", "visibility": "public", "join_policy": "open"}, coordinator
        )
        emails = []
        for n in range(1, PEOPLE + 1):
            person = accounts.create_user(session, f"deltagare{n}@example.org", f"Deltagare {n}", PASSWORD,
                                          language="en", hash_method=FAST_HASH)  # fmt: skip
            networks.join(session, network, person)
            emails.append(person.email)
        day = (datetime.now(ZoneInfo("Europe/Stockholm")) + timedelta(days=60)).strftime("%Y-%m-%d")
        meeting = meetings.create_meeting(
            session, network,
            {"title": "Temadag om återkoppling", "starts_at": f"{day}T10:00", "ends_at": f"{day}T16:00",
             "capacity": str(SEATS)},
            coordinator,
        )  # fmt: skip
        session.commit()
        return meeting.id, emails
    finally:
        session.close()
        engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, tmp_path: Path):
    """Run wsgi:app under gunicorn against the database; yield the port; always stop the server."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "concurrency-" + "k" * 32,
        "SEARCH_INDEX_DIR": str(tmp_path / "index"),
        "SEARCH_BACKEND": "whoosh",
        "SEARCH_BACKGROUND_REBUILD": "false",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        # Fifty people log in from one address within seconds.
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "PASSWORD_HASH_METHOD": FAST_HASH,
        "DELA_DEFAULT_LANGUAGE": "en",
        "MAIL_SERVER": "",
        "MAIL_OUTBOX_DIR": "",
        "TRUSTED_PROXIES": "0",
        "SESSION_COOKIE_SECURE": "false",
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    log = tmp_path / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--worker-class", "gthread",
               "--threads", str(THREADS), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]  # fmt: skip
    with open(log, "wb") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}"
            try:
                if Browser(port).get("/login")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (
                f"gunicorn did not answer within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}"
            )
            time.sleep(0.2)
        yield port, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Browser:
    """One person's browser: keeps the cookies the server sets and does not follow redirects."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def connect(self) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        conn.connect()
        return conn

    def send(self, conn: http.client.HTTPConnection, method: str, path: str, form: dict | None = None):
        """Send one request on an open connection; return status, headers and body text."""
        headers = {"Accept-Language": "en", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, response.msg, data

    def get(self, path: str):
        return self.send(self.connect(), "GET", path)

    def post(self, path: str, form: dict):
        return self.send(self.connect(), "POST", path, form)


def log_in(port: int, email: str, meeting_path: str) -> tuple[Browser, str]:
    """Log in through the form; return the browser and the CSRF token of the meeting's registration form."""
    browser = Browser(port)
    status, _headers, page = browser.get("/login")
    assert status == 200
    form = {"email": email, "password": PASSWORD, "csrf_token": csrf_from(page)}
    status, _headers, page = browser.post("/login", form)
    assert status == 302, page[:500]
    status, _headers, page = browser.get(meeting_path)
    assert status == 200 and f'action="{meeting_path}/register"' in page, page[:500]
    return browser, csrf_from(page)


def register_at_once(people: list[tuple[Browser, str]], meeting_path: str) -> tuple[list, float]:
    """Release everyone's registration at the same moment; return each (status, Location) and the seconds taken."""
    barrier = threading.Barrier(len(people))
    answers: list = [None] * len(people)

    def register(i: int) -> None:
        browser, token = people[i]
        form = {"csrf_token": token, "note": f"Vegetarisk kost, tack ({i})"}
        if i % 2:
            form["listed"] = "y"
        try:
            conn = browser.connect()  # connected before the release, so the requests arrive together
            barrier.wait(timeout=REQUEST_TIMEOUT)
            status, headers, _page = browser.send(conn, "POST", f"{meeting_path}/register", form)
            answers[i] = (status, headers.get("Location"))
        except Exception as exc:  # noqa: BLE001 -- the test reports it with the other answers
            answers[i] = (None, repr(exc))

    threads = [threading.Thread(target=register, args=(i,)) for i in range(len(people))]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(REQUEST_TIMEOUT + 5)
    assert not any(thread.is_alive() for thread in threads), "registrations still waiting for an answer"
    return answers, time.monotonic() - started


class Row(NamedTuple):
    email: str
    status: str
    registered_at: datetime
    id: int


def registrations(url: str, meeting_id: int) -> tuple[list[Row], list[int]]:
    """The meeting's registrations in (registered_at, id) order, and the ids of its waitlist as the app orders it."""
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as session:
            query = (
                select(Registration)
                .where(Registration.meeting_id == meeting_id)
                .order_by(Registration.registered_at, Registration.id)
            )
            rows = [Row(r.user.email, r.status, r.registered_at, r.id) for r in session.scalars(query)]
            waitlist = [r.id for r in meetings.waitlist(session, meetings.get_meeting(session, meeting_id))]
            return rows, waitlist
    finally:
        engine.dispose()


def test_fifty_concurrent_registrations_fill_ten_seats_and_wait_in_order(scratch_database_url, tmp_path):
    started = time.monotonic()
    meeting_id, emails = populate(scratch_database_url)
    path = f"/meetings/{meeting_id}"
    with gunicorn(scratch_database_url, tmp_path) as (port, log):
        with ThreadPoolExecutor(max_workers=8) as pool:
            people = list(pool.map(lambda email: log_in(port, email, path), emails))
        answers, race = register_at_once(people, path)

        server_log = log.read_text()
        failed = {emails[i]: answer for i, answer in enumerate(answers) if answer[0] not in (302, 303)}
        assert failed == {}, f"not every registration was answered with a redirect: {failed}\n{server_log[-3000:]}"
        assert {urlsplit(location).path for _status, location in answers} == {path}
        assert "Traceback" not in server_log, server_log[-3000:]

        # Everyone is told what they got, and the meeting page counts the seats.
        with ThreadPoolExecutor(max_workers=8) as pool:
            pages = list(pool.map(lambda person: person[0].get(path), people))
        status, _headers, visitor_page = Browser(port).get(path)
        assert status == 200

    rows, waitlist = registrations(scratch_database_url, meeting_id)
    assert sorted(row.email for row in rows) == sorted(emails), "one registration per person, none duplicated"
    assert Counter(row.status for row in rows) == {"registered": SEATS, "waitlisted": PEOPLE - SEATS}
    # The meeting's lock serialises registrations, so their times strictly increase: the first
    # SEATS took the seats and everyone after waits in the order they came.
    assert [row.status for row in rows] == ["registered"] * SEATS + ["waitlisted"] * (PEOPLE - SEATS)
    assert all(a.registered_at < b.registered_at for a, b in itertools.pairwise(rows)), rows
    assert waitlist == [row.id for row in rows if row.status == "waitlisted"]
    seats = re.search(r"\d+ of \d+ taken[^<]*", visitor_page)
    assert seats and seats.group(0) == f"{SEATS} of {SEATS} taken, {PEOPLE - SEATS} on the waitlist", seats

    waiting = [row.email for row in rows if row.status == "waitlisted"]
    for (status, _headers, page), email in zip(pages, emails, strict=True):
        assert status == 200
        if email in waiting:
            assert "The meeting is full, so you are on the waitlist." in page
            place = re.search(r"You are number (\d+) on the waitlist", page)
            assert place and int(place.group(1)) == waiting.index(email) + 1, (email, place)
        else:
            assert "You are registered. Welcome!" in page, email
    print(f"\n{PEOPLE} registrations at once: {race:.2f} s; the whole test {time.monotonic() - started:.1f} s")
