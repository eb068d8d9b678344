"""Attachment files: checked by extension and content, stored by their SHA-256."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError

from .errors import UploadRefused
from .i18n import N_

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": _OOXML + "wordprocessingml.document",
    "xlsx": _OOXML + "spreadsheetml.sheet",
    "pptx": _OOXML + "presentationml.presentation",
    "odt": _ODF + "text",
    "ods": _ODF + "spreadsheet",
    "odp": _ODF + "presentation",
    "csv": "text/csv",
    "md": "text/markdown",
    "txt": "text/plain",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}
ALLOWED_EXTENSIONS = tuple(CONTENT_TYPES)
_OOXML_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa")
_TEXT_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class StoredFile:
    """A file in the content-addressed store."""

    filename: str
    sha256: str
    size: int
    content_type: str


def clean_filename(name: str) -> str:
    """Keep the last path part of a file name, without control characters, at most 200 long."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        keep = 199 - len(ext)
        name = stem[:keep] + dot + ext if dot and stem and keep > 0 else name[:200]
    return name


def extension(filename: str) -> str:
    """Return the lower-case extension without the dot."""
    return filename.rpartition(".")[2].lower() if "." in filename else ""


def blob_path(upload_dir: Path, sha256: str) -> Path:
    """Return where a blob with this hash lives."""
    return Path(upload_dir) / sha256[:2] / sha256[2:4] / sha256


def _check_zip(path: Path, ext: str, filename: str) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if ext in _OOXML_MAIN_PART:
                if "[Content_Types].xml" not in names or _OOXML_MAIN_PART[ext] not in names:
                    raise UploadRefused(filename, N_("The file is not a real .%(ext)s document."), ext=ext)
                if any(n.lower().endswith("vbaproject.bin") for n in names):
                    raise UploadRefused(filename, N_("Documents with macros are not accepted."))
            else:
                kind = {"odt": "text", "ods": "spreadsheet", "odp": "presentation"}[ext]
                if "mimetype" not in names or archive.read("mimetype").strip() != (_ODF + kind).encode():
                    raise UploadRefused(filename, N_("The file is not a real .%(ext)s document."), ext=ext)
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise UploadRefused(filename, N_("The file is not a real .%(ext)s document."), ext=ext) from exc


def _check_text(path: Path, filename: str) -> None:
    data = path.read_bytes()
    if _TEXT_CONTROL.search(data):
        raise UploadRefused(filename, N_("The file is not plain text."))
    for encoding in ("utf-8", "cp1252"):
        try:
            data.decode(encoding)
            return
        except UnicodeDecodeError:
            continue
    raise UploadRefused(filename, N_("The file is not plain text."))


def _check_image(path: Path, ext: str, filename: str) -> None:
    expected = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG"}[ext]
    try:
        with Image.open(path) as image:
            actual = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise UploadRefused(filename, N_("The file is not a real .%(ext)s image."), ext=ext) from exc
    if actual != expected:
        raise UploadRefused(filename, N_("The file is not a real .%(ext)s image."), ext=ext)


def check_content(path: Path, filename: str) -> str:
    """Check that the file's content matches its extension; return its content type."""
    ext = extension(filename)
    if ext not in CONTENT_TYPES:
        raise UploadRefused(
            filename,
            N_("Files of type .%(ext)s are not accepted. Allowed: %(allowed)s."),
            ext=ext or "?",
            allowed=", ".join(ALLOWED_EXTENSIONS),
        )
    with open(path, "rb") as handle:
        head = handle.read(8)
    if not head:
        raise UploadRefused(filename, N_("The file is empty."))
    if head.startswith(_EXECUTABLE_MAGIC):
        raise UploadRefused(filename, N_("The file is a program, not a .%(ext)s document."), ext=ext)
    if ext == "pdf" and not head.startswith(b"%PDF-"):
        raise UploadRefused(filename, N_("The file is not a real .%(ext)s document."), ext=ext)
    if ext in _OOXML_MAIN_PART or ext in ("odt", "ods", "odp"):
        _check_zip(path, ext, filename)
    elif ext in ("csv", "md", "txt"):
        _check_text(path, filename)
    elif ext in ("png", "jpg", "jpeg"):
        _check_image(path, ext, filename)
    return CONTENT_TYPES[ext]


def store_upload(stream: BinaryIO, filename: str, upload_dir: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> StoredFile:
    """Check an uploaded stream and store it by hash; a refused file leaves nothing behind."""
    filename = clean_filename(filename)
    if not filename:
        raise UploadRefused("?", N_("The file has no name."))
    upload_dir = Path(upload_dir)
    (upload_dir / "tmp").mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=upload_dir / "tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(1024 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadRefused(
                        filename,
                        N_("The file is larger than %(limit)s MB."),
                        limit=max_bytes // (1024 * 1024) or 1,
                    )
                digest.update(chunk)
                out.write(chunk)
        content_type = check_content(tmp, filename)
        sha = digest.hexdigest()
        target = blob_path(upload_dir, sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
        return StoredFile(filename=filename, sha256=sha, size=size, content_type=content_type)
    finally:
        tmp.unlink(missing_ok=True)


def store_path(
    path: Path, upload_dir: Path, filename: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> StoredFile:
    """Store a file from disk, as ``store_upload`` does for a stream."""
    with open(path, "rb") as handle:
        return store_upload(handle, filename or Path(path).name, upload_dir, max_bytes)
