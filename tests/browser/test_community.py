"""Following, the feed, remixes and "download my data" in Chromium: one member follows a tag, another
shares an entry with it, the first sees it in their feed, makes their own version of it and downloads
their data; axe-core on the feed, a profile with a Follow button and the privacy page."""

from __future__ import annotations

import json
import re
import zipfile
from urllib.parse import unquote_plus

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import MEMBER, slug_from_url, unique
from tests.browser.test_accessibility import assert_no_violations
from tests.browser.test_journeys import register

FEED_ITEMS = "main ol.feed-items > li"
FEED_STATUS = "main p[role=status]"
STARTER_TAG = "återkoppling"  # a tag of the starter method kritisk-van


def new_member(new_context, first_name: str) -> tuple[Page, str, str]:
    """Register a fresh, uniquely named account through the form; return (page, e-mail, display name)."""
    page = new_context().new_page()
    email, name = f"{unique('com')}@example.org", f"{first_name} {unique('')}"
    register(page, email, name)
    return page, email, name


def profile_id(page: Page) -> int:
    """The logged-in member's id, from the link to their public profile on /account."""
    page.goto("/account")
    page.get_by_role("link", name="See your public profile").click()
    expect(page).to_have_url(re.compile(r"/people/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def follow_tag(page: Page, tag: str) -> None:
    page.goto(f"/methods?tag={tag}")
    page.locator("main").get_by_role("button", name=f"Follow the tag {tag}").click()
    expect(page).to_have_url(re.compile(r"/methods\?tag="))
    assert unquote_plus(page.url).endswith(f"/methods?tag={tag}"), page.url
    expect(page.locator(".flash-success")).to_contain_text("You follow it")
    stop = page.locator("main").get_by_role("button", name=f"Stop following the tag {tag}")
    expect(stop).to_have_attribute("aria-pressed", "true")


def share_entry(page: Page, title: str, tag: str) -> str:
    """Write a new published entry with the tag through /methods/new; return its slug."""
    page.goto("/methods/new")
    page.locator("#title").fill(title)
    page.locator("#language").select_option("sv")
    page.locator("#summary").fill("Ett samtal i små grupper om vad som fungerar.")
    page.locator("#body").fill("## Så gör ni\n\n1. Dela in i grupper\n2. Samtala i tio minuter\n")
    page.locator("#tags").fill(f"{tag}, samtal")
    page.locator("#status").select_option("published")
    page.locator("main form.entry-form button[name=action][value=save]").click()
    expect(page).to_have_url(re.compile(r"/methods/[a-z0-9-]+$"))
    expect(page.locator("main h1")).to_have_text(title)
    expect(page.locator(".flash-success")).to_be_visible()
    return slug_from_url(page.url)


def test_follow_a_tag_see_it_in_the_feed_make_my_own_version_and_download_my_data(new_context, tmp_path):
    tag = unique("tagg")
    title = f"Samtalsvandring {unique()}"
    reader, _, _ = new_member(new_context, "Alva")
    author, _, author_name = new_member(new_context, "Bo")

    # A follows the tag; the feed has nothing yet, and this first visit becomes the "last visit".
    follow_tag(reader, tag)
    reader.locator("header").get_by_role("link", name="Your feed").click()
    expect(reader).to_have_url(re.compile(r"/feed$"))
    expect(reader.locator(FEED_ITEMS)).to_have_count(0)
    expect(reader.locator(FEED_STATUS)).to_have_text("0 new since your last visit")
    expect(reader.locator("main section[aria-labelledby=following-heading] a")).to_have_text([tag])

    # B shares an entry with that tag.
    original_slug = share_entry(author, title, tag)

    # A's feed shows it, marked new.
    reader.goto("/methods")
    reader.locator("header").get_by_role("link", name="Your feed").click()
    expect(reader).to_have_url(re.compile(r"/feed$"))
    expect(reader.locator(FEED_STATUS)).to_have_text("1 new since your last visit")
    items = reader.locator(FEED_ITEMS)
    expect(items).to_have_count(1)
    item = items.first
    expect(item.locator(".feed-title a")).to_have_text(title)
    expect(item.locator(".feed-title a")).to_have_attribute("href", f"/methods/{original_slug}")
    expect(item.locator(".badge", has_text=re.compile(r"^New$"))).to_be_visible()
    expect(item).to_have_class(re.compile(r"\bfeed-new\b"))
    expect(item).to_contain_text(f"Because you follow: the tag {tag}")

    # Seen now: on reload it is still listed, no longer new.
    reader.reload()
    expect(reader.locator(FEED_STATUS)).to_have_text("0 new since your last visit")
    expect(items).to_have_count(1)
    expect(item.locator(".feed-title a")).to_have_text(title)
    expect(item.locator(".badge", has_text=re.compile(r"^New$"))).to_have_count(0)
    expect(item).not_to_have_class(re.compile(r"\bfeed-new\b"))

    # A makes their own version of B's entry: a draft copy, opened in its edit form.
    item.locator(".feed-title a").click()
    expect(reader).to_have_url(re.compile(rf"/methods/{original_slug}$"))
    expect(reader.locator("main .shared-by a")).to_have_text(author_name)
    versions = reader.locator("main section.versions")
    expect(versions).not_to_contain_text("Adapted")
    versions.get_by_role("button", name="Make my own version").click()
    expect(reader).to_have_url(re.compile(r"/methods/[a-z0-9-]+/edit$"))
    copy_slug = reader.url.rsplit("/", 2)[1]
    assert copy_slug != original_slug
    expect(reader.locator(".flash-success")).to_contain_text("your own version, a draft")
    expect(reader.locator("#title")).to_have_value(f"{title} (own version)")
    expect(reader.locator("#status")).to_have_value("draft")
    expect(reader.locator("#tags")).to_have_value(re.compile(rf"\b{tag}\b"))
    reader.locator("#status").select_option("published")
    reader.locator("main form.entry-form button[name=action][value=save]").click()
    expect(reader).to_have_url(re.compile(rf"/methods/{copy_slug}$"))
    expect(reader.locator("main h1")).to_have_text(f"{title} (own version)")

    # The copy credits the original; the original lists the copy.
    copy_versions = reader.locator("main section.versions")
    expect(copy_versions).to_contain_text("Adapted from")
    original_link = copy_versions.locator(f"a[href='/methods/{original_slug}']")
    expect(original_link).to_have_text(title)
    author.goto(f"/methods/{original_slug}")
    listed = author.locator("main section.versions")
    expect(listed).to_contain_text("Adapted 1 time:")
    expect(listed.locator("ul li a")).to_have_count(1)
    expect(listed.locator("ul li a")).to_have_attribute("href", f"/methods/{copy_slug}")
    expect(listed.locator("ul li a")).to_have_text(f"{title} (own version)")

    # A downloads their data: the copy among their entries (not B's original) and the tag they follow.
    reader.goto("/account")
    with reader.expect_download() as info:
        reader.locator("main").get_by_role("link", name="Download my data (ZIP)").click()
    download = info.value
    assert download.suggested_filename == "dela-my-data.zip"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert "dela-data.json" in archive.namelist(), archive.namelist()
        data = json.loads(archive.read("dela-data.json"))
    entries = {e["slug"]: e for e in data["entries"]}
    assert set(entries) == {copy_slug}, entries
    assert entries[copy_slug]["title"] == f"{title} (own version)"
    assert entries[copy_slug]["status"] == "published"
    assert entries[copy_slug]["created_by_you"] is True
    assert {r["entry"] for r in data["revisions"]} == {copy_slug}, data["revisions"]
    assert [(f["type"], f["target"]) for f in data["follows"]] == [("tag", tag)], data["follows"]


def feed_with_items(new_context) -> Page:
    """A fresh member who follows a tag of the starter content: their feed lists those entries, all new."""
    page, _, _ = new_member(new_context, "Fia")
    follow_tag(page, STARTER_TAG)
    page.goto("/feed")
    expect(page.locator(FEED_ITEMS).first).to_be_visible()
    expect(page.locator(f"{FEED_ITEMS} .badge", has_text=re.compile(r"^New$")).first).to_be_visible()
    expect(page.locator(FEED_ITEMS).filter(has=page.locator("a[href='/methods/kritisk-van']"))).to_have_count(1)
    return page


def profile_of_a_follower(new_context) -> Page:
    """The profile of a fresh member who follows another, as the seeded member sees it (with a Follow button)."""
    followed, _, followed_name = new_member(new_context, "Gun")
    followed_id = profile_id(followed)
    follower, _, follower_name = new_member(new_context, "Hugo")
    follower_id = profile_id(follower)
    follower.goto(f"/people/{followed_id}")
    follower.locator("main").get_by_role("button", name=f"Follow {followed_name}").click()
    expect(follower.locator(".flash-success")).to_contain_text("You follow it")
    expect(follower.locator("main").get_by_role("button", name=f"Stop following {followed_name}")).to_be_visible()
    page = new_context(user=MEMBER).new_page()
    page.goto(f"/people/{follower_id}")
    expect(page.locator("main h1")).to_have_text(follower_name)
    button = page.locator("main").get_by_role("button", name=f"Follow {follower_name}")
    expect(button).to_have_attribute("aria-pressed", "false")
    return page


def privacy(new_context) -> Page:
    page = new_context().new_page()
    page.goto("/privacy")
    return page


@pytest.mark.parametrize("setup", [feed_with_items, profile_of_a_follower, privacy], ids=lambda f: f.__name__)
def test_community_pages_have_no_axe_violations(new_context, setup):
    assert_no_violations(setup(new_context))
