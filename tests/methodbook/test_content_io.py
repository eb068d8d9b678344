"""Content files: errors with line numbers, import upserts by slug, export reproduces content/."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from methodbook.content_io import (
    ContentError,
    export_directory,
    find_content_files,
    import_directory,
    parse_file,
    split_front_matter,
)
from methodbook.entries import FIELDS, OPTIONAL_FIELDS, create_entry, get_entry, trash_entry, validate_entry_data
from methodbook.models import Entry, Revision
from tests.conftest import ROOT

SHIPPED = ROOT / "content"

# Line numbers in the file are the list index + 1.
FRONT = [
    "---",
    "title: Kritisk vän",
    "slug: kritisk-van",
    "kind: method",
    "tags: [återkoppling, samtal]",
    "language: sv",
    "status: published",
    "attachments: []",
    "---",
    "## Steg",
    "",
    "1. Bjud in",
]


def _lines(replace: dict[int, str] | None = None, insert: dict[int, str] | None = None) -> list[str]:
    """FRONT with 1-based lines replaced, or new lines inserted so they land on that line number."""
    lines = list(FRONT)
    for number, text in (replace or {}).items():
        lines[number - 1] = text
    for number, text in sorted((insert or {}).items()):
        lines.insert(number - 1, text)
    return lines


def _write(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _revision_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Revision))


def _all_files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    ("lines", "line", "words"),
    [
        pytest.param(
            _lines(replace={5: "tags: [unclosed"}),
            5,
            "invalid YAML",
            id="unclosed-flow-list",
        ),
        pytest.param(_lines(replace={5: "tags: a: b"}), 5, "invalid YAML", id="nested-mapping"),
        pytest.param(_lines(insert={7: "colour: red"}), 7, "unknown key 'colour'", id="unknown-key"),
        pytest.param(_lines(replace={4: "kind: recipe"}), 4, "kind: Choose one of", id="invalid-kind"),
        pytest.param(_lines(replace={6: "language: de"}), 6, "language: Choose one of", id="invalid-language"),
        pytest.param(_lines(insert={6: "duration: 90-30"}), 6, "duration: The range ends", id="reversed-range"),
        pytest.param(_lines(replace={3: "slug: Kritisk Vän"}), 3, "slug:", id="invalid-slug"),
        pytest.param(_lines(replace={8: "attachments: [saknas.pdf]"}), 8, "'saknas.pdf' not found", id="missing-file"),
        pytest.param(_lines(replace={8: "attachments: matris.xlsx"}), 8, "must be a list", id="attachments-not-list"),
        pytest.param(["---", "- en lista", "---", "text"], 2, "not a set of 'key: value'", id="front-matter-list"),
        pytest.param(["# Bara text", "", "utan front matter"], 1, "does not start with '---'", id="no-front-matter"),
        pytest.param(["---", "title: Kritisk vän", "", "text"], 1, "no closing '---'", id="unclosed-front-matter"),
    ],
)
def test_parse_file_error_has_line_and_reason(tmp_path, lines, line, words):
    path = _write(tmp_path / "kritisk-van.md", lines)
    with pytest.raises(ContentError) as caught:
        parse_file(path)
    assert (caught.value.path, caught.value.line) == (path, line)
    assert words in caught.value.reason
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_attachment_outside_its_folder_is_refused(tmp_path):
    (tmp_path / "hemlig.pdf").write_bytes(b"%PDF-1.4\n")
    (tmp_path / "kritisk-van").mkdir()
    path = _write(tmp_path / "kritisk-van.md", _lines(replace={8: "attachments: [../hemlig.pdf]"}))
    with pytest.raises(ContentError) as caught:
        parse_file(path)
    assert caught.value.line == 8


def test_parse_file_reads_fields_body_and_attachments(tmp_path):
    (tmp_path / "kritisk-van").mkdir()
    (tmp_path / "kritisk-van" / "matris.csv").write_text("a;b\n", encoding="utf-8")
    path = _write(tmp_path / "kritisk-van.md", _lines(replace={8: "attachments: [matris.csv]"}))
    parsed = parse_file(path)
    assert (parsed.data.slug, parsed.data.tags, parsed.data.body) == (
        "kritisk-van",
        ["återkoppling", "samtal"],
        "## Steg\n\n1. Bjud in",
    )
    assert parsed.attachment_paths == [tmp_path / "kritisk-van" / "matris.csv"]


def test_slug_falls_back_to_file_name(tmp_path):
    lines = [line for line in FRONT if not line.startswith("slug:")]
    assert parse_file(_write(tmp_path / "min-metod.md", lines)).data.slug == "min-metod"


def test_front_matter_tolerates_bom_and_crlf(tmp_path):
    path = tmp_path / "kritisk-van.md"
    path.write_bytes(("\ufeff" + "\r\n".join(FRONT)).encode())
    assert parse_file(path).data.body == "## Steg\n\n1. Bjud in"


def test_find_content_files_walks_nested_folders_but_not_hidden(tmp_path):
    for name in ("b.md", "sv/a.md", "da/brug/c.md", ".git/x.md", "sv/.utkast/y.md", "sv/notes.txt"):
        _write(tmp_path / name, ["x"])
    assert [str(p.relative_to(tmp_path)) for p in find_content_files(tmp_path)] == ["b.md", "da/brug/c.md", "sv/a.md"]


def test_import_finds_nested_files(db_session, tmp_path):
    _write(tmp_path / "content" / "sv" / "metoder" / "kritisk-van.md", FRONT)
    report = import_directory(db_session, tmp_path / "content", tmp_path / "uploads")
    assert (len(report.created), report.failed) == (1, [])
    assert get_entry(db_session, "kritisk-van").title == "Kritisk vän"


def test_markdown_attachment_is_not_imported_as_entry(db_session, tmp_path):
    content = tmp_path / "content"
    _write(content / "kritisk-van.md", _lines(replace={8: "attachments: [anteckningar.md]"}))
    _write(content / "kritisk-van" / "anteckningar.md", ["# Anteckningar", "", "- en punkt"])
    report = import_directory(db_session, content, tmp_path / "uploads")
    assert (len(report.created), report.failed) == (1, [])
    assert db_session.scalar(select(func.count()).select_from(Entry)) == 1
    assert [a.filename for a in get_entry(db_session, "kritisk-van").attachments] == ["anteckningar.md"]


def test_markdown_attachment_with_front_matter_is_not_imported_as_entry(db_session, tmp_path):
    content = tmp_path / "content"
    _write(content / "kritisk-van.md", _lines(replace={8: "attachments: [mall.md]"}))
    _write(content / "kritisk-van" / "mall.md", ["---", "title: Mall för anteckningar", "---", "# Anteckningar"])
    report = import_directory(db_session, content, tmp_path / "uploads")
    assert report.created == [str(content / "kritisk-van.md")]
    assert db_session.scalar(select(func.count()).select_from(Entry)) == 1


@pytest.fixture
def two_files(tmp_path):
    content = tmp_path / "content"
    _write(content / "kritisk-van.md", FRONT)
    _write(content / "fika.md", _lines(replace={2: "title: Fika med tema", 3: "slug: fika-med-tema"}))
    return content


def test_second_import_changes_nothing(db_session, tmp_path, two_files):
    first = import_directory(db_session, two_files, tmp_path / "uploads")
    assert (len(first.created), len(first.updated), len(first.unchanged), first.failed) == (2, 0, 0, [])
    revisions = _revision_count(db_session)
    second = import_directory(db_session, two_files, tmp_path / "uploads")
    assert (len(second.created), len(second.updated), len(second.unchanged), second.failed) == (0, 0, 2, [])
    assert second.summary() == "0 created, 0 updated, 2 unchanged, 0 failed"
    assert _revision_count(db_session) == revisions == 2


def test_broken_file_is_reported_and_the_rest_imported(db_session, tmp_path, two_files):
    broken = _write(two_files / "trasig.md", _lines(replace={2: "title: Trasig", 3: "slug: trasig", 4: "kind: recipe"}))
    report = import_directory(db_session, two_files, tmp_path / "uploads")
    assert len(report.created) == 2
    assert [(e.path, e.line) for e in report.failed] == [(broken, 4)]
    assert db_session.scalar(select(Entry).where(Entry.slug == "trasig")) is None


def test_edited_file_updates_with_one_revision(db_session, tmp_path, two_files):
    import_directory(db_session, two_files, tmp_path / "uploads")
    revisions = _revision_count(db_session)
    _write(two_files / "kritisk-van.md", _lines(replace={12: "1. Bjud in en kritisk vän"}))
    report = import_directory(db_session, two_files, tmp_path / "uploads")
    assert (report.updated, len(report.unchanged)) == ([str(two_files / "kritisk-van.md")], 1)
    assert _revision_count(db_session) == revisions + 1
    entry = get_entry(db_session, "kritisk-van")
    assert (entry.revision_number, entry.body) == (2, "## Steg\n\n1. Bjud in en kritisk vän")


def test_export_skips_trash_and_optionally_drafts(db_session, tmp_path, make_entry):
    make_entry(title="Publicerad")
    make_entry(title="Utkast", status="draft")
    trash_entry(make_entry(title="Slängd"), None)
    db_session.flush()
    assert export_directory(db_session, tmp_path / "all", tmp_path / "uploads") == 2
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == ["publicerad.md", "utkast.md"]
    assert export_directory(db_session, tmp_path / "pub", tmp_path / "uploads", published_only=True) == 1
    assert [p.name for p in (tmp_path / "pub").iterdir()] == ["publicerad.md"]


def test_shipped_content_round_trips_byte_for_byte(db_session, tmp_path):
    uploads = tmp_path / "uploads"
    report = import_directory(db_session, SHIPPED, uploads)
    assert report.failed == [] and len(report.created) == len(find_content_files(SHIPPED))
    export_directory(db_session, tmp_path / "a", uploads)
    shipped, exported = _all_files(SHIPPED), _all_files(tmp_path / "a")
    assert sorted(exported) == sorted(shipped)
    assert [name for name in shipped if exported[name] != shipped[name]] == []

    revisions = _revision_count(db_session)
    again = import_directory(db_session, tmp_path / "a", uploads)
    assert (again.created, again.updated, again.failed) == ([], [], [])
    assert len(again.unchanged) == len(report.created)
    assert _revision_count(db_session) == revisions
    export_directory(db_session, tmp_path / "b", uploads)
    assert _all_files(tmp_path / "b") == exported


def test_shipped_content_is_complete():
    metas = {}
    for path in find_content_files(SHIPPED):
        metas[path.name] = yaml.safe_load(split_front_matter(path.read_text(encoding="utf-8"), path)[0])
        parse_file(path)  # raises ContentError if the file does not import
    assert len(metas) >= 12
    required = [k for k in FIELDS if k != "attachments" and k not in OPTIONAL_FIELDS]
    empty = {name: [k for k in required if not meta.get(k)] for name, meta in metas.items()}
    assert {name: keys for name, keys in empty.items() if keys} == {}
    assert all("attachments" in meta for meta in metas.values())
    languages = Counter(meta["language"] for meta in metas.values())
    assert min(languages["sv"], languages["da"], languages["en"]) >= 3, languages
    assert sum(1 for meta in metas.values() if meta["attachments"]) >= 3


def test_an_entry_written_on_the_site_with_trailing_blank_lines_reimports_unchanged(db_session, tmp_path):
    data = validate_entry_data(
        {"title": "Fika med tema", "status": "published", "body": "\n## Så gör ni\n\n1. Bjud in\n\n"}
    )
    entry = create_entry(db_session, data, None, [])
    db_session.flush()
    assert entry.body == "## Så gör ni\n\n1. Bjud in"
    export_directory(db_session, tmp_path / "out", tmp_path / "uploads")
    report = import_directory(db_session, tmp_path / "out", tmp_path / "uploads")
    assert (report.updated, len(report.unchanged)) == ([], 1)
