"""First app tests: pages answer, login works, an entry is created through the form."""

from tests.conftest import post_form


def test_home_lists_entries(client, make_entry):
    make_entry(title="Walkshop i stadsdelen")
    response = client.get("/")
    assert response.status_code == 200
    assert "Walkshop i stadsdelen" in response.get_data(as_text=True)


def test_member_creates_entry_through_form(client, make_user, login, db_session):
    user = make_user()
    login(user)
    response = post_form(client, "/methods/new", {
        "title": "Fika med tema", "kind": "method", "language": "sv", "phase": "during",
        "status": "published", "duration": "30-45", "tags": "fika, samtal", "body": "## Gör så här\n\n1. Koka kaffe",
        "action": "save",
    })  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    page = client.get("/methods/fika-med-tema").get_data(as_text=True)
    assert "Koka kaffe" in page and "30-45" in page
