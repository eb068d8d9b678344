"""Networks and meetings in Chromium: plan a meeting, build its agenda, print its kit, fill it and promote; axe."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import unique
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_journeys import register

# A day in May next year: always in the future and always summer time in Stockholm (UTC+2).
DAY = date(date.today().year + 1, 5, 12).isoformat()
# Three starter methods and the lengths their duration ranges propose (the upper bound).
METHODS = {"kritisk-van": 90, "fika-med-tema": 60, "moven-talk": 75}


def new_user(new_context, name: str, **kwargs) -> Page:
    """Register a fresh account through the form (English interface); return its page."""
    page = new_context(**kwargs).new_page()
    register(page, f"{unique('nw')}@example.org", name)
    return page


def make_facilitator(live_app, email: str) -> None:
    """Give an account the facilitator role with the app's CLI, as an operator would."""
    result = live_app.test_cli_runner().invoke(args=["users", "set-role", email, "facilitator"])
    assert result.exit_code == 0, result.output


def new_coordinator(new_context, live_app, **kwargs) -> Page:
    """Register a fresh account and make it a facilitator, who may start networks."""
    page = new_context(**kwargs).new_page()
    email = f"{unique('coord')}@example.org"
    register(page, email, "Kim Koordinator")
    make_facilitator(live_app, email)
    return page


def create_network(page: Page) -> str:
    """Start an open, public network from /networks; return its slug."""
    slug = unique("natverk")
    page.goto("/networks")
    page.locator("main a[href='/networks/new']").click()
    expect(page).to_have_url(re.compile(r"/networks/new$"))
    page.locator("#name").fill(f"Biblioteksnätverket {slug}")
    page.locator("#slug").fill(slug)
    page.locator("#description").fill("Vi träffas **fyra** gånger om året.")
    page.locator("#contact").fill("kim@example.org")
    page.locator("#visibility").select_option("public")
    page.locator("#join_policy").select_option("open")
    expect(page.locator("#timezone")).to_have_value("Europe/Stockholm")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/networks/{slug}$"))
    expect(page.locator(".flash-success")).to_be_visible()
    return slug


def plan_meeting(page: Page, slug: str, capacity: int = 2, start: str = "09:00", end: str = "13:00") -> int:
    """Plan a meeting from the network page with local start and end times; return its id."""
    page.goto(f"/networks/{slug}")
    page.locator(f"main a[href='/networks/{slug}/meetings/new']").click()
    expect(page).to_have_url(re.compile(rf"/networks/{slug}/meetings/new$"))
    page.locator("#title").fill(f"Temadag om läsfrämjande {unique()}")
    page.locator("#theme").fill("Läsfrämjande")
    page.locator("#format").select_option("network-meeting")
    page.locator("#description").fill("Ta med en *kollega*.")
    page.locator("#starts_at").fill(f"{DAY}T{start}")
    page.locator("#ends_at").fill(f"{DAY}T{end}")
    page.locator("#place").fill("Stadsbiblioteket, Malmö")
    page.locator("#capacity").fill(str(capacity))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+$"))
    expect(page.locator(".flash-success")).to_be_visible()
    return int(page.url.rsplit("/", 1)[1])


def add_block(page: Page, meeting_id: int, entry: str = "", title: str = "", minutes: str = "") -> None:
    """Fill the agenda builder's form and add the block."""
    form = page.locator(f"main form[action='/meetings/{meeting_id}/agenda']")
    form.locator("#entry").fill(entry)
    form.locator("#title").fill(title)
    form.locator("#minutes").fill(minutes)
    form.locator("button[type=submit]").click()


def expect_agenda(page: Page, scope: str, rows: list[tuple[str, str, str]]) -> None:
    """The agenda table lists (method slug or free item's title, start, end) in this order."""
    body = page.locator(f"{scope} #agenda-table tbody tr")
    expect(body).to_have_count(len(rows))
    expect(body.locator("td:first-child")).to_have_text([f"{start}–{end}" for _, start, end in rows])
    for row, (item, _, _) in zip(body.all(), rows, strict=True):
        if item in METHODS:
            expect(row.locator("th a")).to_have_attribute("href", f"/methods/{item}")
        else:
            expect(row.locator("th")).to_have_text(item)


def press(page: Page, meeting_id: int, block_id: str, direction: str) -> None:
    """Move a block with the keyboard: focus its Up or Down button and press Enter."""
    button = page.locator(f"#block-{block_id} button[name=direction][value={direction}]")
    button.focus()
    expect(button).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting_id}/agenda#block-{block_id}$"))


def block_id(page: Page, slug: str) -> str:
    return page.locator(f"#agenda-table tbody tr:has(th a[href='/methods/{slug}'])").get_attribute("data-block-id")


def registration_text(page: Page) -> str:
    return page.locator("main .registration-box > p").first.inner_text()


def join_and_register(page: Page, slug: str, meeting_id: int, listed: bool = False) -> None:
    page.goto(f"/networks/{slug}")
    page.locator(f"main form[action='/networks/{slug}/join'] button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(f"main form[action='/networks/{slug}/leave']")).to_be_visible()
    page.locator(f"main a[href='/meetings/{meeting_id}']").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting_id}$"))
    if listed:
        page.locator("#listed").check()
    page.locator(f"main form[action='/meetings/{meeting_id}/register'] button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator(f"main form[action='/meetings/{meeting_id}/unregister']")).to_be_visible()


def test_plan_build_print_fill_and_promote(new_context, live_app):
    coordinator = new_coordinator(new_context, live_app)
    slug = create_network(coordinator)
    expect(coordinator.locator("main .network-description strong")).to_have_text("fyra")
    meeting_id = plan_meeting(coordinator, slug)
    when = coordinator.locator("main dl.facts time")
    # Entered in Stockholm summer time, stored and marked up in UTC.
    expect(when.first).to_have_attribute("datetime", f"{DAY}T07:00:00+00:00")
    expect(when.nth(1)).to_have_attribute("datetime", f"{DAY}T11:00:00+00:00")
    # Shown in local time, in the interface language's format (9:00 AM, 09:00, 09.00; 1:00 PM, 13:00).
    expect(when.first).to_contain_text(re.compile(r"\b0?9[:.]00\b"))
    expect(when.nth(1)).to_contain_text(re.compile(r"\b(13|1)[:.]00\b"))

    coordinator.locator(f"main a[href='/meetings/{meeting_id}/agenda']").click()
    expect(coordinator).to_have_url(re.compile(rf"/meetings/{meeting_id}/agenda$"))
    for method in METHODS:
        add_block(coordinator, meeting_id, entry=method)
        expect(coordinator.locator(".flash-success")).to_be_visible()
    expect_agenda(
        coordinator,
        "main",
        [("kritisk-van", "09:00", "10:30"), ("fika-med-tema", "10:30", "11:30"), ("moven-talk", "11:30", "12:45")],
    )
    expect(coordinator.locator("main #agenda-table tbody td:nth-child(3)")).to_have_text(["90", "60", "75"])
    expect(coordinator.locator("main #agenda-table tfoot td").first).to_have_text("225")
    expect(coordinator.locator("main p.warning")).to_have_count(0)
    expect(coordinator.locator("#agenda-drag-hint")).to_be_visible()
    rows = coordinator.locator("#agenda-table tbody tr")
    expect(rows.first.locator("button[value=up]")).to_have_count(0)
    expect(rows.last.locator("button[value=down]")).to_have_count(0)

    press(coordinator, meeting_id, block_id(coordinator, "moven-talk"), "up")
    expect_agenda(
        coordinator,
        "main",
        [("kritisk-van", "09:00", "10:30"), ("moven-talk", "10:30", "11:45"), ("fika-med-tema", "11:45", "12:45")],
    )
    press(coordinator, meeting_id, block_id(coordinator, "kritisk-van"), "down")
    order = [("moven-talk", "09:00", "10:15"), ("kritisk-van", "10:15", "11:45"), ("fika-med-tema", "11:45", "12:45")]
    expect_agenda(coordinator, "main", order)
    titles = coordinator.locator("main #agenda-table tbody th a").all_inner_texts()

    coordinator.locator(f"main a[href='/meetings/{meeting_id}/kit']").click()
    expect(coordinator).to_have_url(re.compile(rf"/meetings/{meeting_id}/kit$"))
    expect_agenda(coordinator, "main .kit", order)
    methods = coordinator.locator("main .kit section.kit-method")
    expect(methods.locator("h2[id^=kit-method-]")).to_have_text(titles)
    for section in methods.all():
        # Purpose, then the steps, then materials; the method's own headings sit one level below its title.
        expect(section.locator(":scope > h3")).to_have_count(2)
        expect(section.locator(".kit-steps h2")).to_have_count(0)
        expect(section.locator(".kit-steps h3").first).to_be_visible()
        expect(section.locator(".kit-steps li").first).to_be_visible()
        expect(section.locator(":scope > .kit-steps + h3 + p")).to_have_count(1)  # materials come after the steps
    expect(coordinator.locator("#kit-materials + ul.checklist li").first).to_be_visible()
    coordinator.emulate_media(media="print")
    expect(coordinator.locator("header.site-header")).to_be_hidden()
    expect(coordinator.locator("main .no-print")).to_be_hidden()
    expect(coordinator.locator("main .kit #agenda-table")).to_be_visible()
    coordinator.emulate_media(media="screen")
    expect(coordinator.locator("header.site-header")).to_be_visible()

    with coordinator.expect_download() as info:
        coordinator.locator(f"main a[href='/meetings/{meeting_id}/kit.html']").click()
    download = info.value
    assert download.suggested_filename == f"dela-meeting-kit-{meeting_id}.html"
    html = Path(download.path()).read_text(encoding="utf-8")
    assert html.lower().startswith("<!doctype html>"), html[:100]
    for title in titles:
        assert title in html
    assert "09:00" in html and "12:45" in html

    # Three members join and register for the two seats.
    members = [new_user(new_context, name) for name in ("Ada Först", "Bo Andra", "Cilla Tredje")]
    for page in members:
        join_and_register(page, slug, meeting_id)
    registered_text = registration_text(members[0])
    expect(members[1].locator("main .registration-box > p").first).to_have_text(registered_text)
    waiting = members[2].locator("main .registration-box > p").first
    expect(waiting).not_to_have_text(registered_text)
    expect(waiting).to_contain_text(re.compile(r"\b1\b"))

    coordinator.goto(f"/meetings/{meeting_id}")
    coordinator.locator(f"main a[href='/meetings/{meeting_id}/participants']").click()
    expect(coordinator).to_have_url(re.compile(rf"/meetings/{meeting_id}/participants$"))
    expect(coordinator.locator("main table tbody th")).to_contain_text(["Ada Först", "Bo Andra"])
    expect(coordinator.locator("main ol li")).to_have_count(1)
    expect(coordinator.locator("main ol li")).to_contain_text("Cilla Tredje")

    members[0].locator(f"main form[action='/meetings/{meeting_id}/unregister'] button[type=submit]").click()
    expect(members[0].locator(".flash-success")).to_be_visible()
    expect(members[0].locator(f"main form[action='/meetings/{meeting_id}/register']")).to_be_visible()

    promoted = members[2]
    promoted.reload()
    expect(promoted.locator("main .registration-box > p").first).to_have_text(registered_text)
    bell = promoted.locator("header nav a.bell")
    expect(bell.locator(".bell-count")).to_have_text("1")
    bell.click()
    unread = promoted.locator("main ul.notifications li.unread a")
    expect(unread).to_have_count(1)
    unread.click()
    expect(promoted).to_have_url(re.compile(rf"/meetings/{meeting_id}$"))

    coordinator.reload()
    expect(coordinator.locator("main table tbody th")).to_contain_text(["Bo Andra", "Cilla Tredje"])
    expect(coordinator.locator("main ol li")).to_have_count(0)


def test_agenda_builder_without_javascript(new_context, live_app):
    page = new_coordinator(new_context, live_app, java_script_enabled=False)
    slug = create_network(page)
    meeting_id = plan_meeting(page, slug)
    page.goto(f"/meetings/{meeting_id}/agenda")
    add_block(page, meeting_id, entry="kritisk-van")
    expect(page.locator(".flash-success")).to_be_visible()
    add_block(page, meeting_id, title="Fika", minutes="20")
    expect(page.locator(".flash-success")).to_be_visible()
    expect_agenda(page, "main", [("kritisk-van", "09:00", "10:30"), ("Fika", "10:30", "10:50")])
    expect(page.locator("#agenda-drag-hint")).to_be_hidden()

    fika = page.locator("#agenda-table tbody tr").last.get_attribute("data-block-id")
    page.locator(f"#block-{fika} button[name=direction][value=up]").click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting_id}/agenda#block-{fika}$"))
    expect_agenda(page, "main", [("Fika", "09:00", "09:20"), ("kritisk-van", "09:20", "10:50")])


@pytest.fixture(scope="module")
def scene(browser, live_server, live_app):
    """A network with a meeting of three method blocks, a member registered on the list; the users' states."""
    contexts = []

    def user(name: str, email: str) -> Page:
        context = browser.new_context(base_url=live_server, locale="en-GB")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        register(page, email, name)
        return page

    try:
        email = f"{unique('ax')}@example.org"
        coordinator = user("Kim Axe", email)
        make_facilitator(live_app, email)
        slug = create_network(coordinator)
        meeting_id = plan_meeting(coordinator, slug)
        coordinator.goto(f"/meetings/{meeting_id}/agenda")
        for method in METHODS:
            add_block(coordinator, meeting_id, entry=method)
            expect(coordinator.locator(".flash-success")).to_be_visible()
        add_block(coordinator, meeting_id, title="Fika", minutes="20")
        expect(coordinator.locator(".flash-success")).to_be_visible()
        member = user("Mats Axe", f"{unique('ax')}@example.org")
        join_and_register(member, slug, meeting_id, listed=True)
        states = {"coordinator": contexts[0].storage_state(), "member": contexts[1].storage_state()}
        yield {"slug": slug, "meeting": meeting_id, "states": states}
    finally:
        for context in contexts:
            context.close()


def failed_block(page: Page, scene: dict) -> None:
    """Send the agenda builder a block of 2,000 minutes."""
    page.goto(f"/meetings/{scene['meeting']}/agenda")
    add_block(page, scene["meeting"], title="Lång paus", minutes="2000")
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#minutes")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#minutes")).to_have_value("2000")


def calendar_address(page: Page, scene: dict) -> None:
    """Open the calendar settings and make (or renew) the private address."""
    page.goto("/account/calendar")
    page.locator("main form[action='/account/calendar'] button[type=submit]").click()
    expect(page.locator("#calendar-url")).to_have_value(re.compile(r"/calendar/[^/]+\.ics$"))


# name: (who: a scene user or nobody; what to open: a path, or a function of page and scene;
#        what must be on the page before it is audited)
AUDITS = {
    "networks": (None, lambda s: "/networks", "main .cards .card"),
    "network-anonymous": (None, lambda s: f"/networks/{s['slug']}", "#upcoming-heading"),
    "network-as-member": ("member", lambda s: f"/networks/{s['slug']}", "#members-heading"),
    "meeting-anonymous": (None, lambda s: f"/meetings/{s['meeting']}", "main #agenda-table"),
    "meeting-as-registered-member": ("member", lambda s: f"/meetings/{s['meeting']}", "#participants-heading"),
    "meeting-as-coordinator": ("coordinator", lambda s: f"/meetings/{s['meeting']}", "#manage-heading"),
    "participants": ("coordinator", lambda s: f"/meetings/{s['meeting']}/participants", "main table tbody tr"),
    "agenda": ("coordinator", lambda s: f"/meetings/{s['meeting']}/agenda", "main #agenda-table button"),
    "agenda-failed": ("coordinator", failed_block, "#error-summary"),
    "kit": ("coordinator", lambda s: f"/meetings/{s['meeting']}/kit", "main section.kit-method"),
    "calendar": ("coordinator", lambda s: "/account/calendar", "main form[action='/account/calendar']"),
    "calendar-with-address": ("member", calendar_address, "#calendar-url"),
}


@pytest.mark.parametrize("name", list(AUDITS))
def test_network_page_has_no_axe_violations(new_context, scene, name):
    who, target, ready = AUDITS[name]
    context = new_context() if who is None else new_context(storage_state=scene["states"][who])
    page = context.new_page()
    if target in (failed_block, calendar_address):
        target(page, scene)
    else:
        page.goto(target(scene))
    expect(page.locator(ready).first).to_be_visible()
    assert_no_violations(page)
