"""Attachments: content checked against the extension, stored by SHA-256, refusals leave nothing."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from methodbook.attachments import CONTENT_TYPES, blob_path, clean_filename, store_path, store_upload
from methodbook.errors import UploadRefused


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _zip(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _ooxml(main_part: str, *extra: str) -> bytes:
    members = {"[Content_Types].xml": '<?xml version="1.0"?><Types/>', main_part: '<?xml version="1.0"?><x/>'}
    members.update({name: b"\x00macro" for name in extra})
    return _zip(members)


def _odf(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # The ODF rule: "mimetype" first and stored uncompressed.
        archive.writestr(zipfile.ZipInfo("mimetype"), f"application/vnd.oasis.opendocument.{kind}")
        archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
    return buffer.getvalue()


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 40, 10)).save(buffer, fmt)
    return buffer.getvalue()


ACCEPTED = {
    "rapport.pdf": _pdf(),
    "plan.docx": _ooxml("word/document.xml"),
    "matris.xlsx": _ooxml("xl/workbook.xml"),
    "bilder.pptx": _ooxml("ppt/presentation.xml"),
    "dagordning.odt": _odf("text"),
    "budget.ods": _odf("spreadsheet"),
    "karta.png": _image("PNG"),
    "foto.jpg": _image("JPEG"),
    "foto.JPEG": _image("JPEG"),
    "svar-utf8.csv": "fråga;svar\nÄr det bra?;ja\n".encode(),
    "svar-cp1252.csv": "fråga;svar\nÆbler;ø\n".encode("cp1252"),
    "noter.md": "# Rubrik\n\nSå här gör vi.\n".encode(),
    "tjekliste-cp1252.txt": "Tjekliste: kaffe, æbler, søde sager\r\n".encode("cp1252"),
}
EXPECTED_TYPES = {
    "rapport.pdf": "application/pdf",
    "plan.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "matris.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "bilder.pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "dagordning.odt": "application/vnd.oasis.opendocument.text",
    "budget.ods": "application/vnd.oasis.opendocument.spreadsheet",
    "karta.png": "image/png",
    "foto.jpg": "image/jpeg",
    "foto.JPEG": "image/jpeg",
    "svar-utf8.csv": "text/csv",
    "svar-cp1252.csv": "text/csv",
    "noter.md": "text/markdown",
    "tjekliste-cp1252.txt": "text/plain",
}

# (file name, content, words the refusal message must contain)
REFUSED = [
    ("program.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "a program"),
    ("elf.docx", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64, "a program"),
    ("script.txt", b"#!/bin/sh\nrm -rf ~\n", "a program"),
    ("fake.pdf", b"just some text, not a pdf\n", "not a real .pdf"),
    ("bild.jpg", _image("PNG"), "not a real .jpg image"),
    ("trasig.png", _image("PNG")[:40], "not a real .png image"),
    ("tom-zip.docx", _zip({"[Content_Types].xml": "<Types/>", "word/other.xml": "<x/>"}), "not a real .docx"),
    ("inte-zip.docx", b"PK\x03\x04 this is not really a zip archive", "not a real .docx"),
    ("makro.xlsx", _ooxml("xl/workbook.xml", "xl/vbaProject.bin"), "macros"),
    ("fel-typ.odt", _odf("spreadsheet"), "not a real .odt"),
    ("nul.txt", b"hej\x00hopp\n", "not plain text"),
    ("binar.csv", bytes(range(256)), "not plain text"),
    ("setup.exe", b"harmless looking text", "Files of type .exe"),
    ("ritning.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "Files of type .svg"),
    ("sida.html", b"<html><script>alert(1)</script></html>", "Files of type .html"),
    ("utan-punkt", b"text", "Files of type .?"),
    ("tom.pdf", b"", "empty"),
]


def _files_under(directory: Path) -> list[Path]:
    return [Path(root) / name for root, _dirs, names in os.walk(directory) for name in names]


@pytest.mark.parametrize("name", list(ACCEPTED))
def test_accepted_file_is_stored_by_hash(tmp_path, name):
    data = ACCEPTED[name]
    stored = store_upload(io.BytesIO(data), name, tmp_path / "uploads")
    sha = hashlib.sha256(data).hexdigest()
    assert (stored.filename, stored.sha256, stored.size) == (name, sha, len(data))
    assert stored.content_type == EXPECTED_TYPES[name] == CONTENT_TYPES[name.rpartition(".")[2].lower()]
    assert blob_path(tmp_path / "uploads", sha).read_bytes() == data
    assert _files_under(tmp_path / "uploads") == [blob_path(tmp_path / "uploads", sha)]


@pytest.mark.parametrize(("name", "data", "words"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_file_leaves_nothing(tmp_path, name, data, words):
    upload_dir = tmp_path / "uploads"
    with pytest.raises(UploadRefused) as caught:
        store_upload(io.BytesIO(data), name, upload_dir)
    assert words in caught.value.message.render()
    assert caught.value.filename == name
    assert _files_under(upload_dir) == []


def test_file_over_max_bytes_is_refused_and_removed(tmp_path):
    data = b"x" * 1025
    with pytest.raises(UploadRefused) as caught:
        store_upload(io.BytesIO(data), "stor.txt", tmp_path, max_bytes=1024)
    assert "larger than" in caught.value.message.render()
    assert _files_under(tmp_path) == []
    assert list((tmp_path / "tmp").iterdir()) == []


def test_file_of_exactly_max_bytes_is_accepted(tmp_path):
    stored = store_upload(io.BytesIO(b"x" * 1024), "lagom.txt", tmp_path, max_bytes=1024)
    assert stored.size == 1024


def test_same_content_twice_is_one_blob(tmp_path):
    first = store_upload(io.BytesIO(_pdf()), "a.pdf", tmp_path)
    second = store_upload(io.BytesIO(_pdf()), "b.pdf", tmp_path)
    assert first.sha256 == second.sha256
    assert (first.filename, second.filename) == ("a.pdf", "b.pdf")
    assert _files_under(tmp_path) == [blob_path(tmp_path, first.sha256)]


def test_store_path_names_the_file_after_the_path(tmp_path):
    source = tmp_path / "matris.xlsx"
    source.write_bytes(ACCEPTED["matris.xlsx"])
    stored = store_path(source, tmp_path / "uploads")
    assert stored.filename == "matris.xlsx"
    assert blob_path(tmp_path / "uploads", stored.sha256).is_file()


@pytest.mark.parametrize(
    ("name", "clean"),
    [
        ("rapport.pdf", "rapport.pdf"),
        ("C:\\Users\\anna\\rapport.pdf", "rapport.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\evil.pdf", "evil.pdf"),
        ("a\x00b\x1f\u202ec.pdf", "abc.pdf"),
        ("  .dold.txt. ", "dold.txt"),
        ("Bedömning.xlsx", "Bedömning.xlsx"),
        ("", ""),
        (None, ""),
    ],
)
def test_clean_filename(name, clean):
    assert clean_filename(name) == clean


def test_clean_filename_caps_length_and_keeps_extension():
    clean = clean_filename("x" * 250 + ".pdf")
    assert len(clean) == 200
    assert clean.endswith("x.pdf")


def test_clean_filename_never_exceeds_200_chars():
    assert len(clean_filename("a." + "b" * 250)) <= 200


def test_name_that_cleans_to_nothing_is_refused(tmp_path):
    with pytest.raises(UploadRefused) as caught:
        store_upload(io.BytesIO(b"text"), "../\x00/", tmp_path)
    assert "no name" in caught.value.message.render()
