"""Idea-book benchmark: what an upload costs (time and memory per image size) and how fast the pages are.

Part one stores generated photos through methodbook.images.store_image, each size in a fresh child
process so its peak memory (ru_maxrss) is its own. Part two builds a throwaway SQLite database with
a published idea book of many images, quotes and video links, and times its pages through the Flask
test client (one process, no network). Writes docs/benchmarks-galleries.md.
Run with `make bench` or `python bench/gallery_bench.py`.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402

from bench.feedback_bench import HASH, PASSWORD, bench_app, run_header, table, timed  # noqa: E402
from bench.run import write_report  # noqa: E402

SIZES = [
    ("screenshot, PNG", (1920, 1080), "png"),
    ("phone photo, JPEG", (4000, 3000), "jpg"),
    ("large photo, JPEG", (6000, 4000), "jpg"),
    ("the limit, JPEG", (7300, 5470), "jpg"),
]


def screenshot(size: tuple[int, int]) -> Image.Image:
    """Flat panels and lines of "text", as a screenshot of a video meeting or a shared whiteboard."""
    image = Image.new("RGB", size, (245, 245, 240))
    draw = ImageDraw.Draw(image)
    width, height = size
    for n in range(12):
        x, y = (n % 4) * width // 4, (n // 4) * height // 3
        draw.rectangle((x + 8, y + 8, x + width // 4 - 8, y + height // 3 - 8), fill=(40 + n * 15, 90, 160 - n * 8))
        for line in range(6):
            draw.line(
                (x + 24, y + 40 + line * 22, x + width // 4 - 40, y + 40 + line * 22), fill=(255, 255, 255), width=6
            )
    return image


def photo(size: tuple[int, int], fmt: str, seed: int = 0) -> bytes:
    """A photo-like picture (noise over a gradient, so it compresses like a photo), with EXIF and GPS."""
    width, height = size
    if fmt == "png":
        image = screenshot(size)
    else:
        noise = Image.effect_noise((width, height), 48 + seed % 7)
        gradient = Image.linear_gradient("L").resize((width, height))
        image = Image.merge("RGB", (noise, gradient, Image.blend(noise, gradient, 0.5)))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate to stand upright
    exif[0x010F] = "Bench camera"
    exif.get_ifd(0x8825).update({1: "N", 2: (59.0, 19.0, 48.0), 3: "E", 4: (18.0, 4.0, 12.0)})
    buffer = io.BytesIO()
    if fmt == "jpg":
        image.save(buffer, "JPEG", quality=88, exif=exif)
    else:
        image.save(buffer, "PNG", exif=exif)
    return buffer.getvalue()


def _store_in_child(args) -> tuple[float, int, int]:
    size, fmt, folder = args
    from methodbook.images import store_image

    data = photo(size, fmt)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    stored = store_image(io.BytesIO(data), f"bench.{fmt}", Path(folder))
    elapsed = (time.perf_counter() - started) * 1000
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return elapsed, peak - before, len(data) + 0 * stored.width


def _size(nbytes: int) -> str:
    return f"{nbytes / 1e6:.1f} MB" if nbytes >= 1e6 else f"{nbytes / 1e3:.0f} kB"


def upload_costs(folder: Path, repeat: int) -> list[tuple]:
    rows = []
    context = multiprocessing.get_context("spawn")
    for label, size, fmt in SIZES:
        runs = []
        for n in range(repeat):
            with context.Pool(1) as pool:
                runs.append(pool.apply(_store_in_child, ((size, fmt, str(folder / f"{fmt}{n}")),)))
        runs.sort()
        elapsed, grown, nbytes = runs[len(runs) // 2]
        megapixels = size[0] * size[1] / 1e6
        rows.append((f"{label} {size[0]}×{size[1]} ({megapixels:.1f} MP, {_size(nbytes)})", elapsed, grown / 1024))
    return rows


def build(folder: Path, images: int, quotes: int, videos: int):
    from methodbook import accounts, galleries, meetings, networks

    app = bench_app(folder)
    config = app.config
    with app.app_context():
        session = app.extensions["dela_db"].sessionmaker()
        coordinator = accounts.create_user(
            session, "k@bench.se", "Karin", PASSWORD, role="facilitator", hash_method=HASH
        )
        network = networks.create_network(
            session, {"name": "Bench", "slug": "bench", "description": "", "contact": "", "visibility": "public",
                      "join_policy": "open", "timezone": "Europe/Stockholm"}, coordinator,
        )  # fmt: skip
        start = datetime.now(UTC) - timedelta(days=3)
        local = f"{start:%Y-%m-%dT10:00}"
        meeting = meetings.create_meeting(
            session, network, {"title": "Nätverksträff", "theme": "", "format": "network-meeting", "description": "",
                               "starts_at": local, "ends_at": f"{start:%Y-%m-%dT15:00}", "place": "Bibliotek",
                               "video_url": "", "capacity": "", "registration_opens_at": "",
                               "registration_closes_at": ""}, coordinator,
        )  # fmt: skip
        gallery = galleries.ensure_for_meeting(session, meeting, coordinator)
        upload_dir = Path(config["UPLOAD_DIR"])
        batch = [galleries.Upload(f"bild-{i}.jpg", io.BytesIO(photo((1600, 1200), "jpg", i))) for i in range(images)]
        for first in range(0, images, galleries.MAX_UPLOAD_FILES):
            galleries.add_images(
                session, gallery, batch[first : first + galleries.MAX_UPLOAD_FILES], True, coordinator, upload_dir
            )
        galleries.describe(
            gallery, {item.id: (f"Blädderblock {item.id} med idéer", f"Grupp {item.id}") for item in gallery.items},
            coordinator,
        )  # fmt: skip
        for i in range(quotes):
            galleries.add_quote(gallery, {"quote": f"Citat nummer {i} om att lyssna först.", "attribution": "Deltagare"},
                                coordinator)  # fmt: skip
        for i in range(videos):
            galleries.add_video(gallery, {"url": f"https://video.example.org/{i}", "link_title": f"Film {i}"},
                                coordinator)  # fmt: skip
        galleries.publish(gallery, coordinator)
        session.commit()
        ids = (gallery.id, meeting.id, gallery.items[0].id)
        session.close()
    return app, ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=120)
    parser.add_argument("--quotes", type=int, default=20)
    parser.add_argument("--videos", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--upload-repeat", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks-galleries.md"))
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        uploads = upload_costs(folder, args.upload_repeat)
        started = time.perf_counter()
        app, (gallery_id, meeting_id, item_id) = build(folder, args.images, args.quotes, args.videos)
        build_s = time.perf_counter() - started
        visitor = app.test_client()
        coordinator = app.test_client()
        coordinator.post("/login", data={"email": "k@bench.se", "password": PASSWORD})
        rows = []

        def page(client, path, label):
            client.get(path).close()  # warm the template and caches
            rows.append((label, timed(lambda: client.get(path).close(), args.repeat)))

        total = args.images + args.quotes + args.videos
        page(visitor, f"/idea-books/{gallery_id}", f"idea book, visitor, {total} items")
        page(visitor, f"/idea-books/{gallery_id}/items/{item_id}", "one item's page, visitor")
        page(visitor, f"/idea-books/{gallery_id}/items/{item_id}/thumb", "a thumbnail file")
        page(visitor, f"/idea-books/{gallery_id}/print", f"print page, {total} items")
        page(coordinator, f"/idea-books/{gallery_id}/manage", f"manage page, coordinator, {total} items")
        page(visitor, f"/meetings/{meeting_id}", "meeting page with write-ups and the idea book's cover")
    load_after = os.getloadavg()[0]
    lines = [
        "# Idea-book benchmarks",
        "",
        *run_header("gallery_bench.py", load_before, load_after),
        "",
        "## Storing one uploaded image",
        "",
        "`store_image`: decode with Pillow, apply the EXIF orientation, strip the metadata, re-encode the original, "
        "make the 1600 px display copy and the 480 px thumbnail (WebP), write all three by SHA-256. Each run in a "
        f"fresh process; the median of {args.upload_repeat} runs. Peak memory is how much the process's maximum "
        "resident size grew during the call.",
        "",
        "| image | ms | peak memory growth MiB |",
        "| --- | --- | --- |",
        *[f"| {label} | {ms:.0f} | {mib:.0f} |" for label, ms, mib in uploads],
        "",
        "## Pages",
        "",
        f"A published idea book of {args.images} images (1600×1200 JPEG), {args.quotes} quotes and {args.videos} "
        f"video links, built in {build_s:.1f} s. Flask test client in one process, {args.repeat} requests each "
        "after one warm-up.",
        "",
        *table(rows),
        "",
    ]
    return write_report(lines, args.out)


if __name__ == "__main__":
    raise SystemExit(main())
