"""Gallery images: refused unless really images, stored upright and without metadata, refusals leave nothing."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from methodbook import images
from methodbook.attachments import blob_path
from methodbook.errors import UploadRefused
from methodbook.images import DISPLAY_SIZE, THUMB_SIZE, StoredImage, store_image

RED, GREEN, BLUE, YELLOW = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)
CAMERA_MODEL = "SpyCam 3000"


def _encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _photo(size=(64, 48), color=RED, fmt="JPEG", **options) -> bytes:
    return _encode(Image.new("RGB", size, color), fmt, **options)


def _quadrants(width: int, height: int) -> Image.Image:
    """Red top left, green top right, blue bottom left, yellow bottom right."""
    image = Image.new("RGB", (width, height))
    half_w, half_h = width // 2, height // 2
    image.paste(RED, (0, 0, half_w, half_h))
    image.paste(GREEN, (half_w, 0, width, half_h))
    image.paste(BLUE, (0, half_h, half_w, height))
    image.paste(YELLOW, (half_w, half_h, width, height))
    return image


def _camera_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Dela Optics"  # Make
    exif[0x0110] = CAMERA_MODEL  # Model
    exif[0x0132] = "2024:05:01 12:00:00"  # DateTime
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (59.0, 19.0, 48.0), 3: "E", 4: (18.0, 4.0, 7.0)})
    return exif


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header declares a size its (tiny) data does not hold."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


def _files_under(directory: Path) -> list[Path]:
    return sorted(Path(root) / name for root, _dirs, names in os.walk(directory) for name in names)


def _store(tmp_path: Path, data: bytes, name: str = "foto.jpg", **kwargs) -> StoredImage:
    return store_image(io.BytesIO(data), name, tmp_path / "uploads", **kwargs)


def _refusal(tmp_path: Path, data: bytes, name: str, **kwargs) -> str:
    """Return the refusal message, after checking that nothing was left on disk."""
    upload_dir = tmp_path / "uploads"
    with pytest.raises(UploadRefused) as caught:
        store_image(io.BytesIO(data), name, upload_dir, **kwargs)
    assert _files_under(upload_dir) == []
    return caught.value.message.render()


def _opened(tmp_path: Path, stored) -> Image.Image:
    image = Image.open(blob_path(tmp_path / "uploads", stored.sha256))
    image.load()
    return image


def _close(actual, expected, tolerance=40) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=False))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_camera_exif_and_gps_are_stripped_from_every_copy(tmp_path, fmt):
    extra = {"xmp": b"<x:xmpmeta>Anna at home</x:xmpmeta>"} if fmt != "PNG" else {}
    if fmt == "JPEG":
        extra["comment"] = b"Anna at home"
    data = _encode(_quadrants(300, 200), fmt, exif=_camera_exif(), **extra)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the fixture really carries GPS
    assert CAMERA_MODEL.encode() in data
    stored = _store(tmp_path, data, "karta." + fmt.lower())
    for copy in (stored.original, stored.display, stored.thumbnail):
        raw = blob_path(tmp_path / "uploads", copy.sha256).read_bytes()
        image = _opened(tmp_path, copy)
        assert dict(image.getexif()) == {}
        assert not {"exif", "xmp", "XML:com.adobe.xmp", "comment", "icc_profile"} & set(image.info)
        assert b"Exif\0\0" not in raw and b"eXIf" not in raw and b"EXIF" not in raw
        assert CAMERA_MODEL.encode() not in raw and b"Anna at home" not in raw


def test_exif_orientation_turns_the_photo_upright(tmp_path):
    data = _encode(_quadrants(300, 200), "JPEG", quality=95, exif=_camera_exif(orientation=6))
    stored = _store(tmp_path, data)
    assert (stored.width, stored.height) == (200, 300)
    for copy in (stored.original, stored.display):
        image = _opened(tmp_path, copy).convert("RGB")
        assert image.size == (200, 300)
        # Turned 90 degrees clockwise: the red top left is now top right, the blue bottom left top left.
        assert _close(image.getpixel((150, 50)), RED)
        assert _close(image.getpixel((50, 50)), BLUE)
        assert _close(image.getpixel((50, 250)), YELLOW)
        assert dict(image.getexif()) == {}


def test_decompression_bomb_is_refused_with_the_limit(tmp_path):
    bomb = _encode(Image.new("L", (9000, 9000)), "PNG", optimize=True)
    assert len(bomb) < 200_000  # 81 megapixels in a small file
    message = _refusal(tmp_path, bomb, "bomb.png")
    assert "larger than 40 megapixels" in message


@pytest.mark.parametrize("size", [(12_000, 12_000), (30_000, 30_000)], ids=["pillow-warns", "pillow-refuses"])
def test_huge_declared_size_is_refused_before_decoding(tmp_path, size):
    assert "larger than 40 megapixels" in _refusal(tmp_path, _png_claiming(*size), "huge.png")


def test_pillow_bomb_limits_do_not_crash_a_generous_max_pixels(tmp_path):
    # Above Pillow's warning threshold but within our limit: decoding goes on (and fails: the data is missing).
    message = _refusal(tmp_path, _png_claiming(10_000, 9_000), "huge.png", max_pixels=100_000_000)
    assert "not a real .png image" in message
    # Above Pillow's hard limit: the message names the limit that applied.
    message = _refusal(tmp_path, _png_claiming(30_000, 30_000), "huge.png", max_pixels=10**10)
    assert "megapixels" in message and "10000 megapixels" not in message


def test_max_pixels_parameter_is_the_limit(tmp_path):
    data = _photo((100, 100))
    assert "larger than 0.005 megapixels" in _refusal(tmp_path, data, "foto.jpg", max_pixels=5_000)
    assert _store(tmp_path, data, max_pixels=10_000).width == 100


@pytest.mark.parametrize("name", ["ritning.svg", "RITNING.SVG", "ritning.svgz"])
def test_svg_is_refused_by_extension(tmp_path, name):
    message = _refusal(tmp_path, b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', name)
    assert "SVG images are not accepted" in message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("ritning.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("sida.jpg", b"<html><script>alert(1)</script></html>"),
        ("noter.webp", "Bara lite text, ingen bild: åäö.\n".encode()),
    ],
)
def test_text_posing_as_an_image_is_refused(tmp_path, name, data):
    assert f"not a real .{name.rpartition('.')[2]} image" in _refusal(tmp_path, data, name)


def test_png_renamed_jpg_with_script_is_refused(tmp_path):
    data = _photo(fmt="PNG") + b"<script>alert(1)</script>"
    assert "not a real .jpg image" in _refusal(tmp_path, data, "bild.jpg")


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "trasig.jpg"), ("PNG", "trasig.png"), ("WEBP", "trasig.webp")])
def test_truncated_image_is_refused(tmp_path, fmt, name):
    noise = Image.effect_noise((256, 256), 64).convert("RGB")  # noise, so the data is not tiny
    data = _encode(noise, fmt)
    assert "not a real" in _refusal(tmp_path, data[: len(data) // 2], name)


@pytest.mark.parametrize(
    ("name", "words"),
    [("anim.gif", "Files of type .gif"), ("sida.html", "Files of type .html"), ("utan-punkt", "Files of type .?")],
)
def test_other_extensions_are_refused(tmp_path, name, words):
    message = _refusal(tmp_path, _photo(), name)
    assert words in message and "Images must be .jpg, .png or .webp" in message


def test_empty_file_and_empty_name_are_refused(tmp_path):
    assert "empty" in _refusal(tmp_path, b"", "tom.jpg")
    assert "no name" in _refusal(tmp_path, _photo(), "../\x00/")


class _EndlessStream:
    """A stream that never ends, and fails the test if read far past the limit."""

    def __init__(self, limit: int):
        self.limit = limit
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        assert size > 0, "the whole stream was asked for at once"
        assert self.read_bytes <= self.limit + 2 * 1024 * 1024, "read on past the limit"
        self.read_bytes += size
        return b"\xff" * size


def test_too_large_stream_is_refused_while_reading(tmp_path):
    assert "larger than 1 MB" in _refusal(tmp_path, _photo((400, 400)), "stor.jpg", max_bytes=1000)
    stream = _EndlessStream(limit=1024 * 1024)
    with pytest.raises(UploadRefused):
        store_image(stream, "oandlig.jpg", tmp_path / "endless", max_bytes=1024 * 1024)
    assert _files_under(tmp_path / "endless") == []


def test_png_alpha_is_kept_in_the_webp_copies(tmp_path):
    image = Image.new("RGBA", (200, 100), (0, 0, 255, 255))
    image.paste((0, 0, 0, 0), (100, 0, 200, 100))
    stored = _store(tmp_path, _encode(image, "PNG"), "logga.png")
    assert stored.original.content_type == "image/png"
    assert _opened(tmp_path, stored.original).mode == "RGBA"
    for copy in (stored.display, stored.thumbnail):
        assert copy.content_type == "image/webp" and copy.filename.endswith(".webp")
        webp = _opened(tmp_path, copy)
        assert webp.format == "WEBP" and webp.mode == "RGBA"
        assert webp.getpixel((webp.width - 5, 5))[3] == 0
        assert webp.getpixel((5, 5))[3] == 255


def test_cmyk_jpeg_is_stored_as_rgb(tmp_path):
    stored = _store(tmp_path, _encode(Image.new("CMYK", (64, 48), (0, 255, 255, 0)), "JPEG"), "tryck.jpg")
    for copy in (stored.original, stored.display, stored.thumbnail):
        image = _opened(tmp_path, copy)
        assert image.mode == "RGB"
        assert _close(image.getpixel((10, 10)), RED)


def test_palette_and_16_bit_grey_pngs_become_rgb(tmp_path):
    palette = _encode(Image.new("RGB", (40, 30), GREEN).convert("P"), "PNG")
    assert _opened(tmp_path, _store(tmp_path, palette, "palett.png").original).mode == "RGB"
    grey16 = _encode(Image.new("I;16", (40, 30), 40_000), "PNG")
    image = _opened(tmp_path, _store(tmp_path, grey16, "grå.png").original)
    assert image.mode == "RGB"
    assert _close(image.getpixel((5, 5)), (156, 156, 156), tolerance=1)  # scaled, not clipped to white


def test_display_and_thumbnail_sizes(tmp_path):
    stored = _store(tmp_path, _photo((4000, 3000)), "Stor Bild.JPG")
    assert (stored.width, stored.height) == (4000, 3000)
    assert _opened(tmp_path, stored.original).size == (4000, 3000)
    assert _opened(tmp_path, stored.display).size == (DISPLAY_SIZE, 1200)
    assert _opened(tmp_path, stored.thumbnail).size == (THUMB_SIZE, 360)
    names = (stored.original.filename, stored.display.filename, stored.thumbnail.filename)
    assert names == ("Stor Bild.JPG", "Stor Bild-display.webp", "Stor Bild-thumb.webp")


def test_small_image_is_not_upscaled(tmp_path):
    stored = _store(tmp_path, _photo((100, 80)))
    assert _opened(tmp_path, stored.display).size == (100, 80)
    assert _opened(tmp_path, stored.thumbnail).size == (100, 80)


def test_same_image_twice_is_the_same_blobs(tmp_path):
    data = _photo((800, 600))
    first = _store(tmp_path, data, "a.jpg")
    second = _store(tmp_path, data, "b.jpg")
    copies = [(c.sha256, c.size, c.content_type) for c in (first.original, first.display, first.thumbnail)]
    assert copies == [(c.sha256, c.size, c.content_type) for c in (second.original, second.display, second.thumbnail)]
    assert (first.original.filename, second.original.filename) == ("a.jpg", "b.jpg")
    expected = sorted(blob_path(tmp_path / "uploads", sha) for sha, _size, _type in copies)
    assert _files_under(tmp_path / "uploads") == expected
    for copy in (first.original, first.display, first.thumbnail):
        assert blob_path(tmp_path / "uploads", copy.sha256).stat().st_size == copy.size


def test_png_text_chunks_and_icc_profile_are_stripped(tmp_path):
    text = PngInfo()
    text.add_text("Comment", "taken at Anna's summer house")
    text.add_text("Author", "Anna Andersson")
    text.add_itxt("Description", "Anna Andersson, Gotland", zip=True)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = _encode(_quadrants(120, 80), "PNG", pnginfo=text, icc_profile=icc)
    assert b"iCCP" in data and b"tEXt" in data
    stored = _store(tmp_path, data, "sommar.png")
    raw = blob_path(tmp_path / "uploads", stored.original.sha256).read_bytes()
    for chunk in (b"iCCP", b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"Anna"):
        assert chunk not in raw
    image = _opened(tmp_path, stored.original)
    assert image.text == {} and "icc_profile" not in image.info
    assert _close(image.getpixel((10, 10)), RED, tolerance=2)  # an sRGB profile leaves the colours alone
    for copy in (stored.display, stored.thumbnail):
        raw = blob_path(tmp_path / "uploads", copy.sha256).read_bytes()
        assert b"ICCP" not in raw and b"Anna" not in raw


def test_webp_upload_is_accepted(tmp_path):
    stored = _store(tmp_path, _photo((300, 200), BLUE, "WEBP", quality=95), "bild.webp")
    assert stored.original.content_type == "image/webp"
    image = _opened(tmp_path, stored.original)
    assert (image.format, image.size) == ("WEBP", (300, 200))
    assert _close(image.getpixel((150, 100)), BLUE)


@pytest.mark.parametrize(("fmt", "name"), [("WEBP", "anim.webp"), ("PNG", "anim.png"), ("MPO", "telefon.jpg")])
def test_multi_frame_image_keeps_the_first_frame(tmp_path, fmt, name):
    frames = [Image.new("RGB", (60, 40), color) for color in (RED, BLUE, GREEN)]
    data = _encode(frames[0], fmt, save_all=True, append_images=frames[1:])
    assert getattr(Image.open(io.BytesIO(data)), "n_frames", 1) == 3
    stored = _store(tmp_path, data, name)
    for copy in (stored.original, stored.display, stored.thumbnail):
        image = _opened(tmp_path, copy)
        assert getattr(image, "n_frames", 1) == 1
        assert _close(image.convert("RGB").getpixel((30, 20)), RED)


def test_failure_midway_removes_only_the_blobs_it_made(tmp_path, monkeypatch):
    data = _photo((2000, 1500))
    reference = store_image(io.BytesIO(data), "ref.jpg", tmp_path / "reference")
    # The same original was uploaded before: its blob must outlive the failed upload.
    upload_dir = tmp_path / "uploads"
    earlier = blob_path(upload_dir, reference.original.sha256)
    earlier.parent.mkdir(parents=True)
    earlier.write_bytes(blob_path(tmp_path / "reference", reference.original.sha256).read_bytes())

    calls = []
    real_encode = images._encode

    def encode_then_fail_on_thumbnail(image, fmt, **options):
        calls.append(image.size)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        return real_encode(image, fmt, **options)

    monkeypatch.setattr(images, "_encode", encode_then_fail_on_thumbnail)
    with pytest.raises(RuntimeError):
        store_image(io.BytesIO(data), "foto.jpg", upload_dir)
    assert calls == [(2000, 1500), (1600, 1200), (480, 360)]
    assert _files_under(upload_dir) == [earlier]
    assert earlier.read_bytes() == blob_path(tmp_path / "reference", reference.original.sha256).read_bytes()


def test_broken_icc_profile_does_not_refuse_the_image(tmp_path):
    data = _photo((40, 30), GREEN, "PNG", icc_profile=b"not really a colour profile")
    stored = _store(tmp_path, data, "trasig-profil.png")
    image = _opened(tmp_path, stored.original)
    assert "icc_profile" not in image.info
    assert _close(image.getpixel((5, 5)), GREEN, tolerance=2)


def test_script_after_a_real_png_does_not_survive(tmp_path):
    stored = _store(tmp_path, _photo(fmt="PNG") + b"<script>alert(1)</script>", "bild.png")
    for copy in (stored.original, stored.display, stored.thumbnail):
        assert b"<script>" not in blob_path(tmp_path / "uploads", copy.sha256).read_bytes()
