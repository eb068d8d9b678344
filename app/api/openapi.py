"""The OpenAPI 3.1 document of the read API."""

from __future__ import annotations

from methodbook.models import AUDIENCE_ROLES, KINDS, LANGUAGES, PHASES

_STR = {"type": "string"}
_STR_LIST = {"type": "array", "items": _STR}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


ENTRY_SUMMARY = {
    "type": "object",
    "required": ["slug", "title", "kind", "language", "summary", "url", "updated_at"],
    "properties": {
        "slug": _STR,
        "title": _STR,
        "kind": {"enum": list(KINDS)},
        "language": {"enum": list(LANGUAGES)},
        "summary": _STR,
        "url": {"type": "string", "format": "uri"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
}
ATTACHMENT = {
    "type": "object",
    "required": ["filename", "size", "content_type", "url"],
    "additionalProperties": False,
    "properties": {
        "filename": _STR,
        "size": {"type": "integer"},
        "content_type": _STR,
        "url": {"type": "string", "format": "uri"},
    },
}
ENTRY = {
    "allOf": [{"$ref": "#/components/schemas/EntrySummary"}],
    "type": "object",
    "required": [
        "purpose", "roles", "when", "digital", "duration", "group_size", "materials", "phase",
        "tags", "licence", "authors", "status", "body", "body_html", "attachments", "revision",
    ],
    "properties": {
        "purpose": _STR,
        "roles": {"type": "array", "items": {"enum": list(AUDIENCE_ROLES)}},
        "when": _STR,
        "digital": _STR,
        "duration": {"type": "string", "description": "Minutes: '45', '30-60' or ''."},
        "group_size": {"type": "string", "description": "People: '8', '3-15' or ''."},
        "materials": _STR,
        "phase": {"enum": list(PHASES)},
        "tags": _STR_LIST,
        "licence": _STR,
        "authors": _STR_LIST,
        "status": {"const": "published"},
        "body": {"type": "string", "description": "Markdown."},
        "body_html": {"type": "string", "description": "Sanitized HTML rendered from body."},
        "attachments": {"type": "array", "items": {"$ref": "#/components/schemas/Attachment"}},
        "revision": {"type": "integer", "minimum": 1},
        "methods_used": {
            "type": "array", "items": {"type": "string"},
            "description": "Write-ups: the addresses (slugs) of the entries the meeting used; empty for other kinds.",
        },
    },
}  # fmt: skip
ENTRY_LIST = {
    "type": "object",
    "required": ["items", "total", "page", "per_page"],
    "additionalProperties": False,
    "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/EntrySummary"}},
        "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
    },
}
SEARCH_RESULT = {
    "type": "object",
    "required": ["total", "page", "per_page", "results", "facets", "suggestion", "notes"],
    "properties": {
        "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["slug", "title", "kind", "language", "url", "snippet"],
                "properties": {
                    "slug": _STR, "title": _STR, "kind": {"enum": list(KINDS)}, "language": {"enum": list(LANGUAGES)},
                    "url": {"type": "string", "format": "uri"},
                    "snippet": {"type": "string", "description": "HTML: escaped text with <mark> around matched words."},
                },
            },
        },
        "facets": {
            "type": "object",
            "description": "Facet name (kind, tag, role, phase, language, duration, network) to {value: count}.",
            "additionalProperties": {"type": "object", "additionalProperties": {"type": "integer"}},
        },
        "suggestion": {"type": ["string", "null"], "description": "A corrected query when nothing matched."},
        "notes": {"type": "array", "items": _STR, "description": "What was left out of a malformed query."},
    },
}  # fmt: skip
SUGGESTIONS = {
    "type": "array",
    "maxItems": 8,
    "items": {"type": "object", "required": ["title", "url"], "properties": {"title": _STR, "url": _STR}},
}
_COMMENT_PROPS = {
    "id": {"type": "integer"},
    "parent_id": {"type": ["integer", "null"], "description": "The top comment a reply belongs to."},
    "quoted_id": {"type": ["integer", "null"], "description": "The reply this reply quotes."},
    "author": {"type": ["string", "null"]},
    "body_html": {"type": ["string", "null"], "description": "Sanitized HTML; null when removed or hidden."},
    "removed": {"type": "boolean"},
    "created_at": _STR,
    "edited_at": {"type": ["string", "null"]},
    "url": _STR,
}
COMMENT = {"type": "object", "required": list(_COMMENT_PROPS), "properties": _COMMENT_PROPS}
COMMENT_THREAD = {
    "type": "object",
    "required": ["total", "page", "pages", "comments"],
    "properties": {
        "total": {"type": "integer", "description": "Comments shown (removed and hidden ones not counted)."},
        "page": {"type": "integer"},
        "pages": {"type": "integer"},
        "comments": {
            "type": "array",
            "items": {
                "allOf": [{"$ref": "#/components/schemas/Comment"}],
                "type": "object",
                "required": ["replies"],
                "properties": {"replies": {"type": "array", "items": {"$ref": "#/components/schemas/Comment"}}},
            },
        },
    },
}
REVIEW_SUMMARY = {
    "type": "object",
    "required": ["requests"],
    "properties": {
        "requests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["question", "created_at", "closed", "reviews", "criteria"],
                "properties": {
                    "question": _STR,
                    "created_at": _STR,
                    "closed": {"type": "boolean"},
                    "reviews": {"type": "integer"},
                    "criteria": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["criterion", "mean", "count", "distribution"],
                            "properties": {
                                "criterion": _STR,
                                "mean": {"type": ["number", "null"]},
                                "count": {"type": "integer"},
                                "distribution": {
                                    "type": "object",
                                    "description": "How many reviews gave each score, 1 to 5.",
                                    "additionalProperties": {"type": "integer"},
                                },
                            },
                        },
                    },
                },
            },
        }
    },
}
NETWORK = {
    "type": "object",
    "required": ["slug", "name", "description", "visibility", "url", "calendar"],
    "properties": {
        "slug": _STR, "name": _STR, "description": {"type": "string", "description": "Markdown."},
        "visibility": {"enum": ["public", "members"]}, "url": _STR,
        "calendar": {"type": "string", "description": "iCalendar feed of its public meetings."},
    },
}  # fmt: skip
NETWORK_LIST = {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": NETWORK}}}
_MEETING_PROPS = {
    "id": {"type": "integer"}, "network": _STR, "title": _STR, "theme": _STR,
    "format": {"enum": ["network-meeting", "moven-talk", "fika", "walkshop", "user-meeting", "workshop", "other"]},
    "starts_at": {"type": "string", "description": "UTC, ISO 8601."}, "ends_at": _STR,
    "timezone": {"type": "string", "description": "The network's time zone, in which times are shown."},
    "place": _STR, "capacity": {"type": ["integer", "null"]}, "registered": {"type": "integer"},
    "status": {"enum": ["save-the-date", "open", "full", "closed", "cancelled"]}, "url": _STR, "calendar": _STR,
}  # fmt: skip
MEETING_SUMMARY = {"type": "object", "required": list(_MEETING_PROPS), "properties": _MEETING_PROPS}
MEETING_LIST = {
    "type": "object",
    "required": ["network", "items"],
    "properties": {"network": _STR, "items": {"type": "array", "items": MEETING_SUMMARY}},
}
AGENDA_ITEM = {
    "type": "object",
    "required": ["starts_at", "ends_at", "minutes", "title", "entry", "facilitator"],
    "properties": {
        "starts_at": {"type": "string", "description": "Local time with offset, ISO 8601."}, "ends_at": _STR,
        "minutes": {"type": "integer"}, "title": _STR,
        "entry": {"type": ["string", "null"], "description": "Slug of the method-book entry, if any."},
        "facilitator": _STR,
    },
}  # fmt: skip
MEETING = {
    "type": "object",
    "required": [*_MEETING_PROPS, "description", "agenda"],
    "properties": {**_MEETING_PROPS, "description": _STR, "agenda": {"type": "array", "items": AGENDA_ITEM}},
}
ERROR = {
    "type": "object",
    "required": ["error", "status"],
    "properties": {"error": _STR, "detail": _STR, "status": {"type": "integer"}},
}


def _json(ref: str, description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def openapi_document(server: str) -> dict:
    """Return the OpenAPI document with this server's address."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Dela read API",
            "version": "1.0.0",
            "description": "Published entries of the Dela method book. Drafts and trashed entries are never listed.",
            "license": {"name": "CC BY 4.0 (content, unless an entry says otherwise)", "identifier": "CC-BY-4.0"},
        },
        "servers": [{"url": server}],
        "paths": {
            "/api/v1/entries": {
                "get": {
                    "summary": "List published entries, newest first",
                    "operationId": "listEntries",
                    "parameters": [
                        _query("page", {"type": "integer", "minimum": 1, "default": 1}, "Page number."),
                        _query(
                            "per_page",
                            {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                            "Entries per page.",
                        ),
                        _query("kind", {"enum": list(KINDS)}, "Only entries of this kind."),
                        _query("language", {"enum": list(LANGUAGES)}, "Only entries in this language."),
                        _query("tag", _STR, "Only entries with this tag."),
                    ],
                    "responses": {
                        "200": _json("EntryList", "A page of entries."),
                        "400": _json("Error", "A parameter is invalid."),
                    },
                }
            },
            "/api/v1/search": {
                "get": {
                    "summary": "Search published entries (full text, stemmed per language, facets)",
                    "operationId": "search",
                    "parameters": [
                        _query(
                            "q",
                            _STR,
                            'Words; "phrases", OR, -exclude and field:value (kind, tag, lang, role, phase) work. Never an error.',
                        ),
                        _query("kind", {"enum": list(KINDS)}, "Only this kind (repeatable)."),
                        _query("tag", _STR, "Only this tag (repeatable)."),
                        _query("lang", {"enum": list(LANGUAGES)}, "Only this language (repeatable)."),
                        _query("role", _STR, "Only entries for this role (repeatable)."),
                        _query("sort", {"enum": ["relevance", "newest", "title"]}, "Order of results."),
                        _query("page", {"type": "integer", "minimum": 1, "default": 1}, "Page number."),
                        _query(
                            "per_page",
                            {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                            "Results per page.",
                        ),
                    ],
                    "responses": {"200": _json("SearchResult", "Results, facets and a suggestion.")},
                }
            },
            "/api/v1/search/suggest": {
                "get": {
                    "summary": "Titles for suggest-as-you-type",
                    "operationId": "suggest",
                    "parameters": [_query("q", _STR, "What has been typed; at least 2 letters.")],
                    "responses": {"200": _json("Suggestions", "Up to 8 titles with their URLs.")},
                }
            },
            "/api/v1/networks": {
                "get": {
                    "summary": "Every network",
                    "operationId": "listNetworks",
                    "responses": {"200": _json("NetworkList", "Networks by name.")},
                }
            },
            "/api/v1/networks/{slug}/meetings": {
                "get": {
                    "summary": "Meetings of a public network, soonest first",
                    "operationId": "listMeetings",
                    "parameters": [{"name": "slug", "in": "path", "required": True, "schema": _STR}],
                    "responses": {
                        "200": _json("MeetingList", "The network's meetings."),
                        "404": _json("Error", "No public network has this slug."),
                    },
                }
            },
            "/api/v1/meetings/{id}": {
                "get": {
                    "summary": "One meeting of a public network, agenda included",
                    "operationId": "getMeeting",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {
                        "200": _json("Meeting", "The meeting."),
                        "404": _json("Error", "No meeting of a public network has this id."),
                    },
                }
            },
            "/api/v1/entries/{slug}/comments": {
                "get": {
                    "summary": "The feedback thread of a published entry",
                    "operationId": "getComments",
                    "parameters": [
                        {"name": "slug", "in": "path", "required": True, "schema": _STR},
                        _query("page", {"type": "integer", "minimum": 1, "default": 1}, "Page of top comments."),
                        _query(
                            "per_page",
                            {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
                            "Top comments per page.",
                        ),
                    ],
                    "responses": {
                        "200": _json("CommentThread", "Top comments, oldest first, with their replies."),
                        "404": _json("Error", "No published entry has this slug."),
                    },
                }
            },
            "/api/v1/entries/{slug}/reviews/summary": {
                "get": {
                    "summary": "Critical-friend scores the entry's authors made public (aggregate only)",
                    "operationId": "getReviewSummary",
                    "parameters": [{"name": "slug", "in": "path", "required": True, "schema": _STR}],
                    "responses": {
                        "200": _json("ReviewSummary", "One item per request with public scores."),
                        "404": _json("Error", "No published entry has this slug."),
                    },
                }
            },
            "/api/v1/entries/{slug}": {
                "get": {
                    "summary": "One published entry with every field",
                    "operationId": "getEntry",
                    "parameters": [{"name": "slug", "in": "path", "required": True, "schema": _STR}],
                    "responses": {
                        "200": _json("Entry", "The entry."),
                        "404": _json("Error", "No published entry has this slug."),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Network": NETWORK,
                "NetworkList": NETWORK_LIST,
                "MeetingList": MEETING_LIST,
                "Meeting": MEETING,
                "Comment": COMMENT,
                "CommentThread": COMMENT_THREAD,
                "ReviewSummary": REVIEW_SUMMARY,
                "EntrySummary": ENTRY_SUMMARY,
                "Entry": ENTRY,
                "EntryList": ENTRY_LIST,
                "Attachment": ATTACHMENT,
                "SearchResult": SEARCH_RESULT,
                "Suggestions": SUGGESTIONS,
                "Error": ERROR,
            }
        },
    }
