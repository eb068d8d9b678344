"""Profiles: what members choose to show, contributions counted over what the viewer may see, the account form."""

from __future__ import annotations

from datetime import date

import pytest

from methodbook import feedback, networks
from methodbook.models import User
from tests.app.test_networks_web import NETWORK, signed_in, text_of, visit
from tests.conftest import csrf_from

PROFILE = {"display_name": "Anna Andersson", "organisation": "Stadsbiblioteket Malmö", "bio": "Jag arbetar med **läsfrämjande**.",
           "language": "sv", "work_languages": ["sv", "da"]}  # fmt: skip


@pytest.fixture
def anna(make_user):
    return make_user(name="Anna Andersson", email="anna@example.org")


def save_profile(c, **changes):
    page = c.get("/account")
    data = {**PROFILE, **changes, "csrf_token": csrf_from(page.data)}
    return c.post("/account", data={k: v for k, v in data.items() if v is not None})


def test_profile_shows_organisation_and_e_mail_only_when_chosen(app, db_session, anna, make_user):
    c = signed_in(app, anna)
    assert save_profile(c).status_code == 302
    db_session.expire_all()
    assert (anna.organisation, anna.work_languages, anna.show_organisation, anna.show_email) == (
        "Stadsbiblioteket Malmö", "sv,da", False, False)  # fmt: skip
    public = text_of(visit(app, f"/people/{anna.id}"))
    assert "Anna Andersson" in public and "<strong>läsfrämjande</strong>" in public
    assert "Stadsbiblioteket Malmö" not in public and "anna@example.org" not in public
    assert "Stadsbiblioteket Malmö" in text_of(c.get(f"/people/{anna.id}")), "the member sees their own"

    assert save_profile(c, show_organisation="y", show_email="y").status_code == 302
    public = text_of(visit(app, f"/people/{anna.id}"))
    assert "Stadsbiblioteket Malmö" in public and "anna@example.org" not in public, "no e-mail to visitors"
    other = signed_in(app, make_user())
    assert "anna@example.org" in text_of(other.get(f"/people/{anna.id}"))


def test_bad_profile_input_is_refused_and_nothing_changes(app, db_session, anna):
    c = signed_in(app, anna)
    response = save_profile(c, organisation="x" * 201, work_languages=["sv", "klingon"])
    assert response.status_code == 400
    page = text_of(response)
    assert 'id="organisation-error"' in page
    db_session.expire_all()
    assert anna.organisation == "" and anna.work_languages == ""


def test_contributions_count_only_what_the_viewer_may_see(app, db_session, anna, make_user, make_entry):
    coordinator = make_user(role="facilitator")
    closed = networks.create_network(db_session, {**NETWORK, "slug": "slutet", "visibility": "members"}, coordinator)
    make_entry("Öppen metod", user=anna)
    make_entry("Min mall", user=anna, kind="template")
    secret = make_entry("Intern metod", user=anna)
    secret.network = closed
    make_entry("Utkastet", user=anna, status="draft")
    networks.join(db_session, closed, anna)
    db_session.commit()
    page = text_of(visit(app, f"/people/{anna.id}"))
    assert "Öppen metod" in page and "Min mall" in page and "1 template" in page and "1 method" in page
    assert "Intern metod" not in page and "Utkastet" not in page and NETWORK["name"] not in page
    member = make_user()
    networks.join(db_session, closed, member)
    db_session.commit()
    page = text_of(signed_in(app, member).get(f"/people/{anna.id}"))
    assert "Intern metod" in page and "2 methods" in page and NETWORK["name"] in page


def test_reviews_given_are_counted(app, db_session, anna, make_user, make_entry):
    author = make_user()
    entry = make_entry("Kritisk vän", user=author)
    request = feedback.request_feedback(db_session, entry, author, "Fungerar stegen?", [], None, date.today())
    db_session.commit()
    assert "0 critical-friend reviews" in text_of(visit(app, f"/people/{anna.id}"))
    scores = {c.id: feedback.ScoreInput(3) for c in request.criteria_set.criteria}
    feedback.submit_review(db_session, request, anna, scores, "Tydligt.", "Kortare.", date.today())
    db_session.commit()
    assert "1 critical-friend review" in text_of(visit(app, f"/people/{anna.id}"))


def test_former_members_have_no_profile(app, db_session, anna):
    anna.active = False
    db_session.commit()
    assert visit(app, f"/people/{anna.id}").status_code == 404
    assert visit(app, "/people/99999").status_code == 404
    assert db_session.get(User, anna.id) is not None
