"""The archive in headless Chromium under the real Content Security Policy (issue #15, item 3):
a donor opens Past plans from the plan list, finds the archived Tajikistan plan marked
"Archived", and goes from it to the country's current plan through "Other plans for
Tajikistan", at desktop and phone widths. Screenshots: var/screenshots/archive-*.png."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from crp_portal.testing import public_pages  # noqa: F401  (fixture)
from plans import services_workflow as workflow
from plans.models import Plan
from plans.tests import test_browser, test_browser_bars
from plans.tests.factories import PlanFactory
from plans.tests.test_browser import DESKTOP, PHONE, SHOTS

browser = test_browser.browser
demo_site = test_browser.demo_site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("public_pages"),
]


@pytest.fixture
def archive_site(demo_site, demo):
    reviewer = get_user_model().objects.get(username="reviewer")
    workflow.plan_archive(plan=demo["tajikistan-crp-2020"], actor=reviewer, comment="Superseded")
    PlanFactory(
        slug="tajikistan-crp-2021",
        title="Tajikistan Crisis Response Plan 2021",
        start_year=2021,
        end_year=2021,
        status=Plan.Status.PUBLISHED,
        countries=["TJK"],
    )
    return demo_site


@pytest.mark.parametrize(
    ("size", "viewport", "mobile"), [("desktop", DESKTOP, False), ("phone", PHONE, True)]
)
def test_a_donor_finds_a_past_plan_and_the_current_one_from_it(
    browser, archive_site, size, viewport, mobile
):
    context = browser.new_context(viewport=viewport, is_mobile=mobile)
    page = context.new_page()
    violations = test_browser_bars._watch_csp(page)
    page.goto(archive_site + "/plans/")
    current = page.locator(".plans-table tbody th a")
    assert "Tajikistan Crisis Response Plan 2020" not in current.all_inner_texts()
    violations += page.evaluate("window.__csp")

    page.get_by_role("navigation", name="Current or past plans").get_by_role(
        "link", name="Past plans"
    ).click()
    assert page.url.endswith("/plans/?status=archived")
    assert page.get_by_role("heading", level=1).inner_text() == "Past plans"
    assert page.locator(".plans-table tbody th a").all_inner_texts() == [
        "Tajikistan Crisis Response Plan 2020"
    ]
    page.screenshot(path=SHOTS / f"archive-past-plans-{size}.png", full_page=True)
    violations += page.evaluate("window.__csp")

    page.get_by_role("link", name="Tajikistan Crisis Response Plan 2020").click()
    assert page.locator("header .badge.archived").inner_text() == "Archived"
    assert page.locator("header .notice").is_visible()
    assert "$1,075,000" in page.locator(".key-figures").inner_text()
    page.screenshot(path=SHOTS / f"archive-tajikistan-{size}.png", full_page=True)
    violations += page.evaluate("window.__csp")

    other = page.get_by_role("region", name="Other plans for Tajikistan")
    other.get_by_role("link", name="Tajikistan Crisis Response Plan 2021").click()
    assert page.url.endswith("/plans/tajikistan-crp-2021/")
    back = page.get_by_role("region", name="Other plans for Tajikistan")
    assert "2020 · Archived" in back.inner_text()
    # clientWidth, not innerWidth: on a phone innerWidth grows with what overflows.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    violations += page.evaluate("window.__csp")
    context.close()
    assert overflow <= 0
    assert violations == []
