"""Gallery images: checked, turned upright, stripped of all metadata, stored by SHA-256 with two smaller copies."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageCms, ImageOps

from .attachments import StoredFile, blob_path, clean_filename, extension
from .errors import UploadRefused
from .i18n import N_

IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "webp")
MAX_PIXELS = 40_000_000  # 40 megapixels
MAX_IMAGE_BYTES = 20 * 1024 * 1024
DISPLAY_SIZE = 1600  # longest side of the display copy
THUMB_SIZE = 480  # longest side of the thumbnail

_FORMATS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}
# Phones save multi-picture JPEGs (MPO: a photo plus depth or preview frames); Pillow names them MPO.
_ACCEPTED_FORMATS = {"JPEG": ("JPEG", "MPO"), "PNG": ("PNG",), "WEBP": ("WEBP",)}
_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_ORIGINAL_OPTIONS: dict[str, dict] = {
    "JPEG": {"quality": 90, "optimize": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 90},
}
_DERIVED_OPTIONS = {"quality": 82}
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredImage:
    """An image in the content-addressed store, with its display copy and thumbnail."""

    original: StoredFile
    display: StoredFile
    thumbnail: StoredFile
    width: int
    height: int


def _image_format(filename: str) -> str:
    ext = extension(filename)
    if ext in ("svg", "svgz"):
        raise UploadRefused(
            filename, N_("SVG images are not accepted: they can carry scripts. Upload a PNG, JPEG or WebP.")
        )
    if ext not in _FORMATS:
        raise UploadRefused(
            filename,
            N_("Files of type .%(ext)s are not accepted as images. Images must be .jpg, .png or .webp."),
            ext=ext or "?",
        )
    return _FORMATS[ext]


def _too_many_pixels(filename: str, limit: int) -> UploadRefused:
    return UploadRefused(filename, N_("The image is larger than %(limit)s megapixels."), limit=f"{limit / 1_000_000:g}")


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert the pixels to sRGB using the embedded profile, since the profile itself is not kept."""
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        srgb = ImageCms.createProfile("sRGB")
        return ImageCms.profileToProfile(image, source, srgb, outputMode="RGBA" if image.mode == "RGBA" else "RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        # A broken profile, or one that does not fit the mode: the plain conversion is still a fair picture.
        return image


def _pixels_only(image: Image.Image, icc: bytes | None, keep_alpha: bool) -> Image.Image:
    """Return an RGB or RGBA image that carries the pixels and nothing else."""
    if image.mode.startswith("I"):
        # 16-bit grey: scale into 8 bits, as a plain conversion would clip everything above 255 to white.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    image = _to_srgb(image, icc)
    mode = "RGBA" if keep_alpha and image.has_transparency_data else "RGB"
    converted = image if image.mode == mode else image.convert(mode)
    # A new image starts with an empty info dict: encoders copy EXIF, ICC, comments and transparency from info.
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean


def prepare_image(path: Path, filename: str, max_pixels: int = MAX_PIXELS) -> tuple[Image.Image, str]:
    """Decode a saved upload into an upright, metadata-free image; return it with the format to store it in."""
    fmt = _image_format(filename)
    not_real = UploadRefused(filename, N_("The file is not a real .%(ext)s image."), ext=extension(filename))
    with warnings.catch_warnings():
        # max_pixels is our limit, checked below before any pixel is decoded; Pillow's global warning would
        # only repeat it for large allowed images (and the test suite turns warnings into errors).
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            # Only the decoder the extension names: a PNG called .jpg must not get through.
            source = Image.open(path, formats=[fmt])
        except Image.DecompressionBombError as exc:
            raise _too_many_pixels(filename, min(max_pixels, 2 * (Image.MAX_IMAGE_PIXELS or max_pixels))) from exc
        except Exception as exc:
            raise not_real from exc
        with source:
            if source.format not in _ACCEPTED_FORMATS[fmt]:
                raise not_real
            width, height = source.size
            if width * height > max_pixels:
                raise _too_many_pixels(filename, max_pixels)
            try:
                # load() decodes the first frame in full, so a truncated file fails here.
                source.load()
                upright = ImageOps.exif_transpose(source)
                icc = source.info.get("icc_profile")
            except Exception as exc:
                # Pillow's decoders raise many kinds of errors on hostile input; each means the file is unusable.
                raise not_real from exc
    return _pixels_only(upright, icc, keep_alpha=fmt != "JPEG"), fmt


def _encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _write_blob(data: bytes, upload_dir: Path, filename: str, content_type: str, created: list[Path]) -> StoredFile:
    """Store bytes under their hash, noting the path in created when this call made the blob."""
    sha = hashlib.sha256(data).hexdigest()
    target = blob_path(upload_dir, sha)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=upload_dir / "tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp_name, target)
            created.append(target)
        finally:
            Path(tmp_name).unlink(missing_ok=True)
    return StoredFile(filename=filename, sha256=sha, size=len(data), content_type=content_type)


def _derived(image: Image.Image, size: int, upload_dir: Path, name: str, created: list[Path]) -> StoredFile:
    """Shrink the image in place to fit size × size and store it as WebP."""
    image.thumbnail((size, size), Image.Resampling.LANCZOS)
    return _write_blob(_encode(image, "WEBP", **_DERIVED_OPTIONS), upload_dir, name, "image/webp", created)


def _derived_name(filename: str, suffix: str) -> str:
    stem = filename.rpartition(".")[0] or filename
    return stem[: 200 - len(suffix)] + suffix


def _copy_bounded(stream: BinaryIO, out: BinaryIO, filename: str, max_bytes: int) -> int:
    size = 0
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise UploadRefused(
                filename, N_("The file is larger than %(limit)s MB."), limit=max_bytes // (1024 * 1024) or 1
            )
        out.write(chunk)
    return size


def store_image(
    stream: BinaryIO,
    filename: str,
    upload_dir: Path,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_pixels: int = MAX_PIXELS,
) -> StoredImage:
    """Check an uploaded image, strip its metadata, store it and its two derived sizes by hash."""
    filename = clean_filename(filename)
    if not filename:
        raise UploadRefused("?", N_("The file has no name."))
    _image_format(filename)  # refuse a wrong extension before reading a single byte
    upload_dir = Path(upload_dir)
    (upload_dir / "tmp").mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=upload_dir / "tmp")
    upload = Path(tmp_name)
    created: list[Path] = []
    try:
        with os.fdopen(fd, "wb") as out:
            size = _copy_bounded(stream, out, filename, max_bytes)
        if size == 0:
            raise UploadRefused(filename, N_("The file is empty."))
        image, fmt = prepare_image(upload, filename, max_pixels)
        upload.unlink()
        width, height = image.size
        original = _write_blob(
            _encode(image, fmt, **_ORIGINAL_OPTIONS[fmt]), upload_dir, filename, _CONTENT_TYPES[fmt], created
        )
        # Shrink in place, the thumbnail from the display copy: the full-size pixels are no longer needed.
        display, thumbnail = (
            _derived(image, size, upload_dir, _derived_name(filename, suffix), created)
            for size, suffix in ((DISPLAY_SIZE, "-display.webp"), (THUMB_SIZE, "-thumb.webp"))
        )
        return StoredImage(original=original, display=display, thumbnail=thumbnail, width=width, height=height)
    except BaseException:
        # Only the blobs this call made: an identical blob stored earlier belongs to another upload.
        for path in created:
            path.unlink(missing_ok=True)
        raise
    finally:
        upload.unlink(missing_ok=True)
