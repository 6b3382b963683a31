"""Who gave what on the Tajikistan page, in headless Chromium under the real Content Security
Policy, at desktop (1280) and phone (390) widths (issue #12, item 5): the donors are listed,
the coverage bars still measure 56 %, 35 % and 90 % of their tracks, nothing is blocked.
Screenshots go to var/screenshots/donors-tajikistan-*.png.
"""

from __future__ import annotations

import pytest

from crp_portal.testing import public_pages  # noqa: F401  (fixture)
from plans.tests import test_browser, test_browser_bars
from plans.tests.test_browser import SHOTS

browser = test_browser.browser
demo_site = test_browser.demo_site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("public_pages"),
]

TJK = "/plans/tajikistan-crp-2020/"
DONOR_ROWS = """
() => [...document.querySelectorAll('table.donors tr.donor-total th')].map(th => {
  const r = th.getBoundingClientRect();
  return {name: th.firstChild.textContent.trim(), width: r.width, height: r.height};
})
"""


@pytest.mark.parametrize(
    ("size", "viewport", "mobile"),
    [
        ("desktop", {"width": 1280, "height": 900}, False),
        ("phone", {"width": 390, "height": 844}, True),
    ],
)
def test_tajikistan_lists_its_donors_with_bars_that_measure_their_figures(
    browser, demo_site, size, viewport, mobile
):
    context = browser.new_context(viewport=viewport, device_scale_factor=1, is_mobile=mobile)
    page = context.new_page()
    violations = test_browser_bars._watch_csp(page)
    page.goto(demo_site + TJK)
    donors = page.evaluate(DONOR_ROWS)
    shown, errors = test_browser_bars._coverage_errors(page, f"{size} {TJK}")
    violations += page.evaluate("window.__csp")
    page.screenshot(path=SHOTS / f"donors-tajikistan-{size}.png", full_page=True)
    page.locator("#donors-h").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / f"donors-tajikistan-{size}-table.png")
    # The page is no wider than the screen: a wide table scrolls inside its own region.
    # clientWidth, not innerWidth: on a phone innerWidth grows with what overflows.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    context.close()
    assert [d["name"] for d in donors] == [
        "Switzerland",
        "United States of America",
        "European Union",
        "Central Emergency Response Fund (CERF)",
        "Japan",
    ]
    assert all(d["width"] > 0 and d["height"] > 0 for d in donors), donors
    assert shown == [56, 35, 90]
    assert errors == []
    assert violations == []
    assert overflow <= 0
