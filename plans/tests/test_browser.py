"""A donor's path through the public pages in headless Chromium (Debian's, never downloaded).

Screenshots go to var/screenshots/ (git-ignored) at phone and desktop widths.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from conftest import require
from crp_portal.testing import public_pages  # noqa: F401  (fixture)

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
CHARTS = ["country", "region", "year", "strategic_objective", "sector", "donor"]

pytestmark = [
    pytest.mark.browser,
    # live_server needs committed rows; the root conftest puts back the catalog rows
    # (countries, sectors) that the flush after a transactional test removes.
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("public_pages"),
]


@pytest.fixture
def browser():
    require(CHROMIUM.exists(), "needs Chromium at /usr/bin/chromium (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made here are
    # plain synchronous test setup, not async code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def demo_site(live_server, demo):
    from funding import services

    services.group_rollups_recompute()
    return live_server.url


def _no_remote_requests(page, base: str) -> list[str]:
    remote = []
    page.on(
        "request",
        lambda request: (
            remote.append(request.url)
            if not request.url.startswith((base, "data:", "about:"))
            else None
        ),
    )
    return remote


def test_donor_finds_tajikistan_and_downloads_the_funding_figures(browser, demo_site):
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    remote = _no_remote_requests(page, demo_site)

    page.goto(demo_site + "/")
    assert page.get_by_role("heading", level=1).count() == 1
    page.keyboard.press("Tab")  # the first stop is the skip link
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")  # ...and it takes keyboard users past the navigation
    assert page.evaluate("document.activeElement.id") == "main"
    page.screenshot(path=SHOTS / "home-desktop.png", full_page=True)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Plans").click()
    page.get_by_label("Country").select_option("TJK")
    page.get_by_role("button", name="Apply filters").click()
    assert "country=TJK" in page.url
    assert page.get_by_role("link", name="Pakistan Crisis Response Plan 2020 - 2021").count() == 0
    page.screenshot(path=SHOTS / "plans-filtered-desktop.png", full_page=True)

    page.get_by_role("link", name="Tajikistan Crisis Response Plan 2020").click()
    assert page.url.endswith("/plans/tajikistan-crp-2020/")
    key_figures = page.locator(".key-figures")
    assert "$1,075,000" in key_figures.inner_text()
    assert "10,350" in key_figures.inner_text()
    page.screenshot(path=SHOTS / "plan-tajikistan-desktop.png", full_page=True)
    assert page.get_by_role("link", name="Download PDF").get_attribute("href") == (
        "/plans/tajikistan-crp-2020/pdf/"
    )
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 680, "height": 900})  # A4's width inside 15 mm margins
    assert not page.locator(".site-header").is_visible()  # the print stylesheet applies
    assert not page.locator(".downloads").is_visible()
    assert "never counted as $0" in page.locator(".site-footer").inner_text()  # definitions
    # No figure overflows its card ("$1,075,000" once did). Ref: #15 item 4
    overflowing = page.evaluate(
        """[...document.querySelectorAll('.headline > div, .figures > div')]
        .filter(card => [...card.querySelectorAll('dd')].some(dd =>
            dd.scrollWidth > card.clientWidth || card.scrollWidth > card.clientWidth))
        .map(card => card.textContent.trim())"""
    )
    assert overflowing == []
    page.pdf(path=str(SHOTS / "plan-tajikistan-print.pdf"), format="A4")
    page.screenshot(path=SHOTS / "plan-tajikistan-print.png", full_page=True)
    printed = PdfReader(str(SHOTS / "plan-tajikistan-print.pdf"))
    assert len(printed.pages) <= 4, len(printed.pages)
    page.emulate_media(media="screen")
    page.set_viewport_size(DESKTOP)

    page.get_by_role("link", name="Funding gaps").click()
    for dimension in CHARTS:
        bars = page.locator(f"#chart-{dimension} svg rect.received")
        assert bars.count() > 0, dimension
        assert max(bars.nth(i).bounding_box()["width"] for i in range(bars.count())) > 10
        assert page.locator(f"#chart-{dimension} svg title").count() == 1
    page.screenshot(path=SHOTS / "funding-desktop.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename == "crp-funding.csv"
    with open(download.path(), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_country = {r["group"]: r for r in rows if r["chart"] == "By country"}
    assert by_country["Tajikistan"]["required_usd"] == "1075000.00"
    assert by_country["Tajikistan"]["received_usd"] == "596934.18"
    assert by_country["Tajikistan"]["coverage_percent"] == "55.53"
    assert by_country["Pakistan"]["required_usd"] == ""  # not yet costed, never 0
    assert {r["chart"] for r in rows} >= {"By donor", "By sector", "Top unmet requirements"}
    # A multi-year plan: one tab per year, links that work without JavaScript.
    page.goto(demo_site + "/plans/pakistan-crp-2020-2021/")
    tabs = page.get_by_role("navigation", name="Years of the plan")
    tabs.get_by_role("link", name="2021", exact=True).click()
    assert page.url.endswith("?year=2021")
    assert page.get_by_role("heading", name="Key figures, 2021").is_visible()
    page.screenshot(path=SHOTS / "plan-pakistan-2021-desktop.png", full_page=True)
    assert remote == []  # nothing loads from the internet
    context.close()


PHONE_PAGES = [
    ("home", "/"),
    ("plans", "/plans/"),
    ("plan-tajikistan", "/plans/tajikistan-crp-2020/"),
    ("plan-pakistan-2021", "/plans/pakistan-crp-2020-2021/?year=2021"),
    ("funding", "/funding/"),
]


def test_pages_fit_a_phone(browser, demo_site):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True)
    page = context.new_page()
    too_wide = {}
    for name, path in PHONE_PAGES:
        page.goto(demo_site + path)
        page.screenshot(path=SHOTS / f"{name}-phone.png", full_page=True)
        page.screenshot(path=SHOTS / f"{name}-phone-top.png")  # the first screenful, readable
        # Nothing but the scrollable tables may be wider than the screen.
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            too_wide[path] = overflow
    context.close()
    assert too_wide == {}, f"pages scroll sideways on a phone: {too_wide}"
