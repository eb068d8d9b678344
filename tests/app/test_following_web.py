"""Following through the web: the buttons, the feed with what is new, the digest choice and the cron command."""

from __future__ import annotations

import email
import re
from email import policy

from methodbook import following
from tests.app.test_networks_web import signed_in, text_of
from tests.conftest import csrf_from


def press(c, page_url: str, label: str):
    """Submit the follow form whose button reads label on the page."""
    page = text_of(c.get(page_url))
    form = next(f for f in page.split("<form")[1:] if f">{label}</button>" in f)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    return c.post("/following", data=fields)


def test_follow_a_tag_and_see_a_new_entry_in_the_feed(app, db_session, make_user, make_entry):
    reader = make_user(name="Rut Läsare")
    c = signed_in(app, reader)
    response = press(c, "/methods?tag=promenad", "Follow the tag promenad")
    assert response.status_code == 303 and response.headers["Location"].endswith("/methods?tag=promenad")
    assert "Stop following the tag promenad" in text_of(c.get("/methods?tag=promenad"))
    assert "Nothing new yet" in text_of(c.get("/feed"))
    make_entry("Walkshop", tags="promenad")
    make_entry("Fika", tags="fika")
    page = text_of(c.get("/feed"))
    assert "1 new since your last visit" in page and "Walkshop" in page and "Fika" not in page
    assert "the tag promenad" in page
    assert "0 new since your last visit" in text_of(c.get("/feed")), "the visit moved the mark"
    assert press(c, "/feed", "Stop following promenad").status_code == 303
    assert "You follow nothing yet" in text_of(c.get("/feed"))


def test_follow_an_entry_and_a_member(app, db_session, make_user, make_entry):
    reader, author = make_user(), make_user(name="Anna Författare")
    entry = make_entry("Walkshop", user=author)
    c = signed_in(app, reader)
    assert press(c, "/methods/walkshop", "Follow this entry").status_code == 303
    assert press(c, f"/people/{author.id}", "Follow Anna Författare").status_code == 303
    what = following.followed(db_session, reader)
    assert what.entries == [entry] and what.members == [author]
    own = text_of(signed_in(app, author).get(f"/people/{author.id}"))
    assert "Follow Anna Författare" not in own, "no button to follow yourself"


def test_following_something_that_does_not_exist_is_404(app, make_user):
    c = signed_in(app, make_user())
    token = csrf_from(c.get("/feed").data)
    assert (
        c.post("/following", data={"csrf_token": token, "target_type": "entry", "target": "99999"}).status_code == 404
    )
    assert c.post("/following", data={"csrf_token": token, "target_type": "party", "target": "1"}).status_code == 404
    assert c.post("/following", data={"target_type": "tag", "target": "x"}).status_code == 400, "CSRF"


def test_weekly_digest_is_chosen_on_the_feed_page_and_sent_once(app, db_session, make_user, make_entry, tmp_path):
    reader = make_user(name="Rut Läsare", email="rut@example.org", language="sv")
    c = signed_in(app, reader)
    assert press(c, "/methods?tag=promenad", "Följ taggen promenad").status_code == 303
    token = csrf_from(c.get("/feed").data)
    assert c.post("/feed/digest", data={"csrf_token": token, "digest": "weekly"}).status_code == 303
    assert c.post("/feed/digest", data={"csrf_token": token, "digest": "hourly"}).status_code == 400
    db_session.expire_all()
    assert reader.digest == "weekly"
    make_entry("Walkshop", tags="promenad")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["digest", "send", "--period", "weekly"])
    assert result.exit_code == 0, result.output
    assert "1 weekly digests sent" in result.output and "no mail server" in result.output
    files = list((tmp_path / "digests").glob("*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["To"] == "rut@example.org" and "veckan" in message["Subject"], "in the member's language"
    body = message.get_content()
    assert "Walkshop" in body and "https://dela.example.org/methods/walkshop" in body
    again = runner.invoke(args=["digest", "send", "--period", "weekly"])
    assert "0 weekly digests sent" in again.output and len(list((tmp_path / "digests").glob("*.eml"))) == 1
