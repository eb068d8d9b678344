"""The read API, checked against its own OpenAPI document, and the health check."""

from __future__ import annotations

import io

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from methodbook.attachments import store_upload


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def validator_for(spec: dict, name: str) -> Draft202012Validator:
    """Validate against one component schema, with its $refs resolved inside the document."""
    registry = Registry().with_resource(
        "urn:dela-openapi", Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    schema = {"$ref": f"urn:dela-openapi#/components/schemas/{name}"}
    return Draft202012Validator(schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_openapi_document_is_3_1_and_describes_both_paths(spec):
    assert spec["openapi"].startswith("3.1")
    assert {"/api/v1/entries", "/api/v1/entries/{slug}"} <= set(spec["paths"])
    for name in ("EntrySummary", "Entry", "EntryList", "Attachment", "Error"):
        Draft202012Validator.check_schema(spec["components"]["schemas"][name])


def test_list_matches_schema(client, spec, make_entry):
    make_entry(title="Walkshop", tags=["promenad"])
    make_entry(title="Idébok", language="da", kind="template")
    data = client.get("/api/v1/entries").get_json()
    validator_for(spec, "EntryList").validate(data)
    assert data["total"] == 2 and data["page"] == 1 and data["per_page"] == 20
    assert {item["slug"] for item in data["items"]} == {"walkshop", "idebok"}


def test_entry_matches_schema_with_attachments(client, spec, make_entry, app):
    stored = store_upload(io.BytesIO(b"a;b\n1;2\n"), "mall.csv", app.config["UPLOAD_DIR"])
    make_entry(title="Kritisk vän", attachments=[stored], body="**Steg** <script>x()</script>")
    data = client.get("/api/v1/entries/kritisk-van").get_json()
    validator_for(spec, "Entry").validate(data)
    assert data["attachments"][0]["filename"] == "mall.csv"
    assert data["attachments"][0]["size"] == 8
    assert "<strong>Steg</strong>" in data["body_html"] and "<script" not in data["body_html"]
    assert data["body"].startswith("**Steg**")
    download = client.get(data["attachments"][0]["url"].replace("http://localhost", ""))
    assert download.status_code == 200
    download.close()


def test_errors_match_schema(client, spec):
    response = client.get("/api/v1/entries/finns-inte")
    assert response.status_code == 404
    validator_for(spec, "Error").validate(response.get_json())


@pytest.mark.parametrize("query", ["per_page=101", "per_page=0", "page=0", "page=x", "kind=recipe", "language=fi"])
def test_bad_parameters_get_400_json(client, query):
    response = client.get(f"/api/v1/entries?{query}")
    assert response.status_code == 400
    assert response.get_json()["status"] == 400


def test_filters_and_paging(client, make_entry):
    for n in range(5):
        make_entry(title=f"Mall {n}", kind="template", language="en", tags=["agenda"])
    make_entry(title="Metod", kind="method")
    data = client.get("/api/v1/entries?kind=template&language=en&tag=agenda&per_page=2&page=3").get_json()
    assert data["total"] == 5 and len(data["items"]) == 1


def test_drafts_and_trash_never_in_api(client, make_entry, make_user, db_session):
    draft = make_entry(title="Utkast", status="draft", user=make_user())
    trashed = make_entry(title="Kastad")
    trashed.deleted_at = trashed.created_at
    db_session.commit()
    assert client.get("/api/v1/entries").get_json()["total"] == 0
    assert client.get(f"/api/v1/entries/{draft.slug}").status_code == 404
    assert client.get(f"/api/v1/entries/{trashed.slug}").status_code == 404


def test_health_ok(client, make_entry):
    make_entry()  # the first commit builds the search index
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "search": "ok"}


def test_health_reports_a_missing_search_index(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json()["status"] == "degraded" and response.get_json()["search"] == "missing"


def test_health_503_when_database_does_not_answer(app, client):
    from methodbook.db import make_engine

    app.extensions["dela_db"].engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1")
    response = client.get("/health")
    assert response.status_code == 503 and response.get_json()["status"] == "unavailable"


def test_networks_and_meetings_match_schema(client, spec, make_user, make_entry, db_session):
    from datetime import UTC, datetime, timedelta

    from methodbook import meetings, networks

    coordinator = make_user(role="facilitator")
    method = make_entry(title="Fika med tema", user=coordinator, duration="45")
    network = networks.create_network(db_session, {"name": "Biblioteken i Norr"}, coordinator)
    closed = networks.create_network(db_session, {"name": "Ledningsgruppen", "visibility": "members"}, coordinator)
    day = (datetime.now(UTC) + timedelta(days=20)).strftime("%Y-%m-%d")
    times = {"starts_at": f"{day}T09:00", "ends_at": f"{day}T12:00"}
    meeting = meetings.create_meeting(db_session, network, {"title": "Temadag", "capacity": "12", **times}, coordinator)
    meetings.add_block(db_session, meeting, {}, method, coordinator)
    meetings.add_block(db_session, meeting, {"title": "Fika", "minutes": "20"}, None, coordinator)
    hidden = meetings.create_meeting(db_session, closed, {"title": "Internt", **times}, coordinator)
    db_session.commit()

    listing = client.get("/api/v1/networks").get_json()
    validator_for(spec, "NetworkList").validate(listing)
    assert {n["slug"] for n in listing["items"]} == {"biblioteken-i-norr", "ledningsgruppen"}
    schedule = client.get("/api/v1/networks/biblioteken-i-norr/meetings").get_json()
    validator_for(spec, "MeetingList").validate(schedule)
    assert [m["title"] for m in schedule["items"]] == ["Temadag"] and schedule["items"][0]["status"] == "open"
    one = client.get(f"/api/v1/meetings/{meeting.id}").get_json()
    validator_for(spec, "Meeting").validate(one)
    assert [(b["title"], b["minutes"], b["entry"]) for b in one["agenda"]] == [
        ("Fika med tema", 45, "fika-med-tema"),
        ("Fika", 20, None),
    ]
    assert one["agenda"][1]["starts_at"].startswith(f"{day}T09:45")
    for path in ("/api/v1/networks/ledningsgruppen/meetings", f"/api/v1/meetings/{hidden.id}"):
        response = client.get(path)
        assert response.status_code == 404
        validator_for(spec, "Error").validate(response.get_json())
