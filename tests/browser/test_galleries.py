"""Idea books in Chromium: write up a meeting, fill and publish its idea book, the lightbox by keyboard,
"remove me from this" answered by the facilitator; axe-core on every idea-book page."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from tests.browser.conftest import unique
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_journeys import register
from tests.browser.test_networks import add_block, create_network, make_facilitator, new_coordinator, plan_meeting

METHODS_USED = ["walkshop", "kritisk-van"]
VIDEO_URL = "https://video.example.org/watch/123"
GRID_LINKS = "main ul[data-gallery] a[data-lightbox]"
LIGHTBOX = "dialog.lightbox"


def make_image(folder: Path, name: str, size: tuple[int, int] = (640, 480)) -> Path:
    """Draw a small image whose bytes are unique to this call (JPEG or PNG by the name's extension)."""
    rng = random.Random(unique())
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(size[0] - 80), rng.randrange(size[1] - 80)
        draw.rectangle((x, y, x + 80, y + 60), fill=tuple(rng.randrange(256) for _ in range(3)))
    path = folder / name
    image.save(path, "PNG" if name.endswith(".png") else "JPEG")
    return path


def build_agenda(page: Page, meeting_id: int, methods: list[str]) -> None:
    page.goto(f"/meetings/{meeting_id}/agenda")
    for method in methods:
        add_block(page, meeting_id, entry=method)
        expect(page.locator(".flash-success")).to_be_visible()


def write_up(page: Page, meeting_id: int, methods: list[str]) -> tuple[str, str]:
    """From the meeting page, write the meeting up and publish it; return (slug, title)."""
    page.goto(f"/meetings/{meeting_id}")
    page.locator("main").get_by_role("link", name="Write up this meeting").click()
    expect(page).to_have_url(re.compile(rf"/methods/new\?.*meeting={meeting_id}"))
    expect(page.locator("#kind")).to_have_value("write-up")
    expect(page.locator("#meeting")).to_have_value(str(meeting_id))
    expect(page.locator("#methods_used")).to_have_value(", ".join(methods))
    title = page.locator("#title").input_value()
    assert title.startswith("Write-up: "), title
    page.locator("#language").select_option("sv")
    page.locator("#summary").fill("Vi gick en walkshop och gav varandra kritisk vän-respons.")
    page.locator("#body").fill("## Vad vi gjorde\n\n1. Gick rutten\n2. Samlade post-it-lappar\n")
    page.locator("#status").select_option("published")
    page.locator("main form.entry-form button[name=action][value=save]").click()
    expect(page).to_have_url(re.compile(r"/methods/[a-z0-9-]+$"))
    expect(page.locator("main h1")).to_have_text(title)
    expect(page.locator(".flash-success")).to_be_visible()
    return page.url.rsplit("/", 1)[1], title


def start_idea_book(page: Page, meeting_id: int) -> int:
    """Press "Start an idea book" on the meeting page; return the idea book's id."""
    page.goto(f"/meetings/{meeting_id}")
    page.locator("main").get_by_role("button", name="Start an idea book").click()
    expect(page).to_have_url(re.compile(r"/idea-books/\d+/manage$"))
    expect(page.locator("main h1")).to_contain_text("Manage the idea book")
    return int(page.url.rsplit("/", 2)[1])


def upload_images(page: Page, gallery_id: int, files: list[Path]) -> None:
    """Choose several images at once, confirm consent and upload; land on the describe form."""
    form = page.locator(f"main form[action='/idea-books/{gallery_id}/images']")
    form.locator("input[type=file][name=images]").set_input_files([str(f) for f in files])
    form.locator("input[name=consent]").check()
    form.get_by_role("button", name="Upload").click()
    expect(page).to_have_url(re.compile(rf"/idea-books/{gallery_id}/manage#describe$"))
    expect(page.locator(".flash-success")).to_contain_text(f"{len(files)} image")


def describe_images(page: Page, gallery_id: int, alts: dict[str, str]) -> None:
    """Write the alt text (and a caption) of each new image, found by its file name, and save them all."""
    form = page.locator(f"main form[action='/idea-books/{gallery_id}/describe']")
    fieldsets = form.locator("fieldset.describe-item")
    expect(fieldsets).to_have_count(len(alts))
    for n, (filename, alt) in enumerate(alts.items(), start=1):
        fieldset = fieldsets.filter(has=page.locator("legend", has_text=filename))
        fieldset.locator("textarea[name^=alt-]").fill(alt)
        fieldset.locator("input[name^=caption-]").fill(f"Bild {n}")
    form.get_by_role("button", name="Save the descriptions").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#describe")).to_have_count(0)


def add_quote(page: Page, gallery_id: int, quote: str, attribution: str) -> None:
    form = page.locator(f"main form[action='/idea-books/{gallery_id}/quotes']")
    form.locator("textarea[name=quote]").fill(quote)
    form.locator("input[name=attribution]").fill(attribution)
    form.get_by_role("button", name="Add the quote").click()
    expect(page.locator(".flash-success")).to_be_visible()


def add_video(page: Page, gallery_id: int, url: str, title: str) -> None:
    form = page.locator(f"main form[action='/idea-books/{gallery_id}/videos']")
    form.locator("input[name=url]").fill(url)
    form.locator("input[name=link_title]").fill(title)
    form.get_by_role("button", name="Add the link").click()
    expect(page.locator(".flash-success")).to_be_visible()


def publish(page: Page, gallery_id: int) -> None:
    page.goto(f"/idea-books/{gallery_id}/manage")
    page.locator("main").get_by_role("button", name="Publish the idea book").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("main").get_by_role("button", name="Hide the idea book")).to_be_visible()


def open_lightbox_by_keyboard(page: Page, gallery_id: int) -> None:
    """Tab from the print link to the first thumbnail and press Enter."""
    page.goto(f"/idea-books/{gallery_id}")
    first = page.locator(GRID_LINKS).first
    page.locator(f"main a[href='/idea-books/{gallery_id}/print']").focus()
    for _ in range(5):
        page.keyboard.press("Tab")
        if first.evaluate("link => link === document.activeElement"):
            break
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"{LIGHTBOX}[open]")).to_be_visible()


def lightbox_src(page: Page) -> str:
    return page.locator(f"{LIGHTBOX} img").evaluate("img => img.getAttribute('src')")


def test_write_up_fill_publish_browse_and_remove(new_context, live_app, tmp_path):
    coordinator = new_coordinator(new_context, live_app)
    slug = create_network(coordinator)
    meeting_id = plan_meeting(coordinator, slug)
    build_agenda(coordinator, meeting_id, METHODS_USED)

    writeup_slug, writeup_title = write_up(coordinator, meeting_id, METHODS_USED)
    used = coordinator.locator("main section.writeup-links ul a")
    expect(used).to_have_count(len(METHODS_USED))
    for method in METHODS_USED:
        expect(coordinator.locator(f"main section.writeup-links a[href='/methods/{method}']")).to_be_visible()
    expect(coordinator.locator(f"main section.writeup-links a[href='/meetings/{meeting_id}']")).to_be_visible()

    gallery_id = start_idea_book(coordinator, meeting_id)
    alts = {
        "flipchart.jpg": "Ett blädderblock med orden 'Mötesplats för alla'.",
        "postits.png": "Gula post-it-lappar på ett fönster, grupperade i tre teman.",
        "rutten.jpg": "Gruppen står vid bibliotekets entré och tittar på skyltarna.",
    }
    upload_images(coordinator, gallery_id, [make_image(tmp_path, name) for name in alts])
    expect(coordinator.locator("main .manage-item .badge-draft")).to_have_count(3)
    describe_images(coordinator, gallery_id, alts)
    expect(coordinator.locator("main .manage-item .badge-draft")).to_have_count(0)
    add_quote(coordinator, gallery_id, "Vi borde gå rutten med barnen också!", "En bibliotekarie")
    video_title = f"Walkshopen på film {unique()}"
    add_video(coordinator, gallery_id, VIDEO_URL, video_title)
    publish(coordinator, gallery_id)

    # The meeting page shows the write-up and the idea book.
    coordinator.goto(f"/meetings/{meeting_id}")
    outcome = coordinator.locator("main section[aria-labelledby=outcome-heading]")
    expect(outcome.locator(f"a[href='/methods/{writeup_slug}']")).to_have_text(writeup_title)
    expect(outcome.locator(f".idea-cover a[href='/idea-books/{gallery_id}']")).to_be_visible()
    expect(outcome.locator(".idea-cover img")).to_have_attribute("alt", alts["flipchart.jpg"])
    expect(outcome.locator(".idea-cover .meta")).to_have_text("5 items")
    expect(coordinator.locator("iframe")).to_have_count(0)

    # The write-up lists the methods used and links to the idea book.
    coordinator.goto(f"/methods/{writeup_slug}")
    links = coordinator.locator("main section.writeup-links")
    expect(links.locator("h3", has_text="Methods used")).to_be_visible()
    used = links.locator("h3 + ul li a")
    expect(used).to_have_count(len(METHODS_USED))
    assert used.evaluate_all("links => links.map(a => a.getAttribute('href'))") == [
        f"/methods/{method}" for method in METHODS_USED
    ]
    expect(links.locator(f".idea-cover a[href='/idea-books/{gallery_id}']")).to_be_visible()

    # A member of the network sees the published idea book: three images, the quote and the video card.
    participant = new_context().new_page()
    register(participant, f"{unique('idea')}@example.org", "Pia Deltagare")
    participant.goto(f"/networks/{slug}")
    participant.locator(f"main form[action='/networks/{slug}/join'] button[type=submit]").click()
    expect(participant.locator(".flash-success")).to_be_visible()
    participant.goto(f"/idea-books/{gallery_id}")
    expect(participant.locator("main h1")).to_contain_text("Idea book")
    expect(participant.locator("main .idea-writeups a")).to_have_text(writeup_title)
    grid = participant.locator("main ul[data-gallery]")
    expect(grid.locator(":scope > li")).to_have_count(5)
    expect(grid.locator("a[data-lightbox] img")).to_have_count(3)
    thumbnails = grid.locator("a[data-lightbox] img")
    assert thumbnails.evaluate_all("imgs => imgs.map(img => img.alt)") == list(alts.values())
    expect(grid.locator("figure.idea-image figcaption")).to_have_text(["Bild 1", "Bild 2", "Bild 3"])
    quote = grid.locator("figure.idea-quote blockquote")
    expect(quote.locator("p")).to_have_text("Vi borde gå rutten med barnen också!")
    expect(quote.locator("footer")).to_have_text("— En bibliotekarie")
    card = grid.locator("figure.idea-video .link-card")
    expect(card.locator("a")).to_have_text(video_title)
    expect(card.locator("a")).to_have_attribute("href", VIDEO_URL)
    expect(card.locator(".meta")).to_contain_text("video.example.org")
    expect(participant.locator("iframe")).to_have_count(0)
    for image in thumbnails.all():
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), image.get_attribute("src")
    participant.goto(f"/idea-books/{gallery_id}/print")
    expect(participant.locator("main .idea-print-items > li")).to_have_count(5)
    expect(participant.locator("main .print-url")).to_have_text(VIDEO_URL)
    expect(participant.locator("iframe")).to_have_count(0)

    # The lightbox, by keyboard only.
    open_lightbox_by_keyboard(participant, gallery_id)
    thumbs = participant.locator(GRID_LINKS)
    first_link = thumbs.first
    dialog = participant.locator(f"{LIGHTBOX}[open]")
    expect(dialog.locator(".lightbox-count")).to_have_text("Image 1 of 3")
    expect(dialog.locator("img")).to_have_attribute("alt", list(alts.values())[0])
    first_src = lightbox_src(participant)
    assert first_src == first_link.get_attribute("data-lightbox")
    participant.keyboard.press("ArrowRight")
    expect(dialog.locator(".lightbox-count")).to_have_text("Image 2 of 3")
    second_src = lightbox_src(participant)
    assert second_src != first_src
    assert second_src == thumbs.nth(1).get_attribute("data-lightbox")
    expect(dialog.locator("img")).to_have_attribute("alt", list(alts.values())[1])
    expect(dialog.locator("figcaption")).to_have_text("Bild 2")
    assert dialog.locator("img").evaluate("img => img.decode().then(() => img.naturalWidth > 0)"), (
        "the display image did not load"
    )
    participant.keyboard.press("ArrowLeft")
    expect(dialog.locator(".lightbox-count")).to_have_text("Image 1 of 3")
    assert lightbox_src(participant) == first_src
    participant.keyboard.press("ArrowLeft")  # wraps round to the last image
    expect(dialog.locator(".lightbox-count")).to_have_text("Image 3 of 3")
    participant.keyboard.press("ArrowRight")
    expect(dialog.locator(".lightbox-count")).to_have_text("Image 1 of 3")
    participant.keyboard.press("Escape")
    expect(participant.locator(f"{LIGHTBOX}[open]")).to_have_count(0)
    expect(participant.locator(LIGHTBOX)).to_be_hidden()
    expect(first_link).to_be_focused()
    expect(participant).to_have_url(re.compile(rf"/idea-books/{gallery_id}$"))

    # "Remove me from this": the participant asks on the second image's own page.
    item_url = thumbs.nth(1).get_attribute("href")
    assert re.fullmatch(rf"/idea-books/{gallery_id}/items/\d+", item_url), item_url
    item_id = int(item_url.rsplit("/", 1)[1])
    participant.goto(item_url)
    expect(participant.locator("main h1")).to_have_text("Item 2 of 5")
    expect(participant.locator("main .idea-single img")).to_have_attribute("alt", list(alts.values())[1])
    expect(participant.locator("main a[rel=prev]")).to_be_visible()
    expect(participant.locator("main a[rel=next]")).to_be_visible()
    removal = participant.locator(f"main form[action='{item_url}/removal']")
    removal.locator("textarea[name=reason]").fill("Jag syns på bilden och vill inte vara med.")
    removal.get_by_role("button", name="Ask for removal").click()
    expect(participant).to_have_url(re.compile(rf"{re.escape(item_url)}$"))
    expect(participant.locator(".flash-success")).to_contain_text("facilitators are told")

    # The facilitator is notified, follows the notification and removes the item.
    coordinator.goto(f"/meetings/{meeting_id}")
    bell = coordinator.locator("header nav a.bell")
    expect(bell.locator(".bell-count")).to_have_text("1")
    bell.click()
    unread = coordinator.locator("main ul.notifications li.unread")
    expect(unread).to_have_count(1)
    expect(unread).to_contain_text("asks to be removed")
    expect(unread).to_contain_text("Jag syns på bilden")
    unread.locator("a").click()
    expect(coordinator).to_have_url(re.compile(rf"/idea-books/{gallery_id}/manage#item-{item_id}$"))
    requests = coordinator.locator("main section[aria-labelledby=requests-heading] li")
    expect(requests).to_have_count(1)
    expect(requests).to_contain_text("Pia Deltagare")
    expect(requests).to_contain_text("Jag syns på bilden och vill inte vara med.")
    expect(coordinator.locator(f"#item-{item_id} .badge-draft")).to_have_text("Removal asked")
    requests.get_by_role("button", name="Remove the item").click()
    expect(coordinator.locator(".flash-success")).to_contain_text("removed")
    expect(coordinator.locator("main section[aria-labelledby=requests-heading]")).to_have_count(0)
    expect(coordinator.locator(f"#item-{item_id}")).to_have_count(0)

    participant.goto(f"/idea-books/{gallery_id}")
    expect(participant.locator(GRID_LINKS)).to_have_count(2)
    expect(participant.locator(f"{GRID_LINKS}[href='{item_url}']")).to_have_count(0)
    expect(participant.locator("main ul[data-gallery] > li")).to_have_count(4)
    response = participant.goto(item_url)
    assert response is not None and response.status == 404, response and response.status
    response = participant.goto(f"{item_url}/display")
    assert response is not None and response.status == 404, response and response.status


@pytest.fixture(scope="module")
def scene(browser, live_server, live_app, tmp_path_factory):
    """A meeting with a write-up and a published idea book (two images, a quote, a video link) and one
    image waiting for its alt text; the coordinator's storage state."""
    folder = tmp_path_factory.mktemp("idea-images")
    context = browser.new_context(base_url=live_server, locale="en-GB")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        email = f"{unique('axidea')}@example.org"
        register(page, email, "Kim Idébok")
        make_facilitator(live_app, email)
        slug = create_network(page)
        meeting_id = plan_meeting(page, slug)
        build_agenda(page, meeting_id, METHODS_USED)
        writeup_slug, _ = write_up(page, meeting_id, METHODS_USED)
        gallery_id = start_idea_book(page, meeting_id)
        alts = {"tavlan.jpg": "En whiteboard med tre rubriker.", "lappar.png": "Post-it-lappar i fyra färger."}
        upload_images(page, gallery_id, [make_image(folder, name) for name in alts])
        describe_images(page, gallery_id, alts)
        add_quote(page, gallery_id, "Det här tar vi med oss hem.", "En deltagare")
        add_video(page, gallery_id, VIDEO_URL, "Intervjuer efter mötet")
        publish(page, gallery_id)
        upload_images(page, gallery_id, [make_image(folder, "inte-beskriven.jpg")])
        page.goto(f"/idea-books/{gallery_id}")
        item_url = page.locator(GRID_LINKS).first.get_attribute("href")
        yield {
            "meeting": meeting_id, "gallery": gallery_id, "item": item_url, "writeup": writeup_slug,
            "coordinator": context.storage_state(),
        }  # fmt: skip
    finally:
        context.close()


def open_lightbox(page: Page, scene: dict) -> None:
    open_lightbox_by_keyboard(page, scene["gallery"])
    page.keyboard.press("ArrowRight")
    expect(page.locator(f"{LIGHTBOX}[open] .lightbox-count")).to_have_text("Image 2 of 2")


# name: (who: "coordinator" or nobody; what to open: a path of the scene, or a function of page and scene;
#        what must be on the page before it is audited)
AUDITS = {
    "gallery": (None, lambda s: f"/idea-books/{s['gallery']}", GRID_LINKS),
    "gallery-as-coordinator": ("coordinator", lambda s: f"/idea-books/{s['gallery']}", GRID_LINKS),
    "gallery-lightbox-open": (None, open_lightbox, f"{LIGHTBOX}[open] img"),
    "print": (None, lambda s: f"/idea-books/{s['gallery']}/print", "main .idea-print-items img"),
    "manage-with-undescribed-image": (
        "coordinator",
        lambda s: f"/idea-books/{s['gallery']}/manage",
        "#describe textarea",
    ),  # fmt: skip
    "item": (None, lambda s: s["item"], "#removal-heading"),
    "meeting-with-idea-book": (None, lambda s: f"/meetings/{s['meeting']}", "main .idea-cover img"),
    "write-up-with-idea-book": (None, lambda s: f"/methods/{s['writeup']}", "main .writeup-links .idea-cover"),
}


@pytest.mark.parametrize("name", list(AUDITS))
def test_idea_book_page_has_no_axe_violations(new_context, scene, name):
    who, target, ready = AUDITS[name]
    context = new_context() if who is None else new_context(storage_state=scene[who])
    page = context.new_page()
    if target is open_lightbox:
        target(page, scene)
    else:
        page.goto(target(scene))
    expect(page.locator(ready).first).to_be_visible()
    assert_no_violations(page)
