"""The languages in headless Chromium under the real Content Security Policy (issue #15, item 5):
a reader switches Tajikistan's plan page to French, Spanish and Arabic with the switcher and
stays on the same plan and year; in Arabic the page runs right to left (the brand at the right,
text aligned right, each coverage bar filling from the right by exactly its figure), at desktop
and phone widths, with nothing wider than the screen. Screenshots: var/screenshots/lang-*.png."""

from __future__ import annotations

import pytest

from crp_portal.testing import public_pages  # noqa: F401  (fixture)
from plans.tests import test_browser, test_browser_bars
from plans.tests.test_browser import DESKTOP, PHONE, SHOTS

browser = test_browser.browser
demo_site = test_browser.demo_site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("public_pages"),
]

TJK = "/plans/tajikistan-crp-2020/"
# The coverage bar's track and fill as drawn: their left and right edges on the screen.
BAR = """() => {
  const bar = document.querySelector('.key-figures .coverage svg.bar');
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.right]; };
  return {track: box(bar.querySelector('.track')), fill: box(bar.querySelector('.fill')),
          shown: document.querySelector('.key-figures .coverage-number').textContent};
}"""


@pytest.mark.parametrize(
    ("size", "viewport", "mobile"), [("desktop", DESKTOP, False), ("phone", PHONE, True)]
)
def test_the_switcher_keeps_the_page_and_arabic_reads_right_to_left(
    browser, demo_site, size, viewport, mobile
):
    context = browser.new_context(viewport=viewport, is_mobile=mobile)
    page = context.new_page()
    violations = test_browser_bars._watch_csp(page)
    page.goto(demo_site + TJK)
    languages = page.get_by_role("navigation", name="Language")
    english_bar = page.evaluate(BAR)

    for name, prefix, heading in [
        ("Français", "/fr", "Chiffres clés"),
        ("Español", "/es", "Cifras clave"),
        ("العربية", "/ar", "الأرقام الرئيسية"),
    ]:
        languages.get_by_role("link", name=name).click()
        assert page.url == demo_site + prefix + TJK
        assert page.locator("#key-h").inner_text() == heading
        page.screenshot(path=SHOTS / f"lang-{prefix[1:]}-{size}.png", full_page=True)
        violations += page.evaluate("window.__csp")
        languages = page.get_by_role(
            "navigation", name=page.locator("nav.languages").get_attribute("aria-label")
        )

    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.querySelector('main h1')).textAlign") in (
        "start",
        "right",
    )
    h1 = page.locator("main h1").bounding_box()
    main = page.locator("main").bounding_box()
    assert h1["x"] + h1["width"] == pytest.approx(main["x"] + main["width"] - 16, abs=24)
    brand = page.locator(".brand").bounding_box()
    header = page.locator(".header-inner").bounding_box()
    # The brand starts the header's line, at its right end (at the left in English).
    assert brand["x"] + brand["width"] == pytest.approx(header["x"] + header["width"], abs=40)
    bar = page.evaluate(BAR)
    track_left, track_right = bar["track"]
    fill_left, fill_right = bar["fill"]
    assert fill_right == pytest.approx(track_right, abs=1)  # filled from the right
    share = (fill_right - fill_left) / (track_right - track_left)
    english_share = (english_bar["fill"][1] - english_bar["fill"][0]) / (
        english_bar["track"][1] - english_bar["track"][0]
    )
    assert share == pytest.approx(english_share, abs=0.01)  # the same figure, mirrored
    assert share == pytest.approx(0.56, abs=0.01)  # 56 % funded
    # clientWidth, not innerWidth: on a phone innerWidth grows with what overflows.
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    violations += page.evaluate("window.__csp")
    context.close()
    assert overflow <= 0
    assert violations == []


def test_a_translated_title_reads_right_to_left_beside_the_english_it_falls_back_to(
    browser, demo_site
):
    from crp_portal import pagecache
    from plans.models import Plan

    Plan.objects.filter(slug="tajikistan-crp-2020").update(
        title_ar="خطة الاستجابة للأزمة في طاجيكستان 2020"
    )
    pagecache.pages_bump()
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    violations = test_browser_bars._watch_csp(page)
    page.goto(demo_site + "/ar" + TJK)
    style = "(el) => [getComputedStyle(el).direction, el.lang, el.textContent.trim()]"
    assert page.locator("main h1").evaluate(style) == [
        "rtl",
        "ar",
        "خطة الاستجابة للأزمة في طاجيكستان 2020",
    ]
    # The vision is not translated: English, left to right, inside the Arabic page.
    direction, lang, _text = page.locator("blockquote.vision").evaluate(style)
    assert (direction, lang) == ("ltr", "en")
    # Its one line starts at the left, as English does, and ends well before the right.
    line, box = page.locator("blockquote.vision").evaluate(
        """(el) => { const range = document.createRange(); range.selectNodeContents(el);
                     const r = range.getClientRects()[0], b = el.getBoundingClientRect();
                     return [[r.left, r.right], [b.left, b.right]]; }"""
    )
    assert line[0] - box[0] < 40
    assert box[1] - line[1] > 100
    notice = page.locator(".content-language").inner_text()
    assert notice == "بعض نصوص هذه الخطة لم تُترجم بعد: تُعرض باللغة الإنجليزية كما كُتبت."
    violations += page.evaluate("window.__csp")
    page.screenshot(path=SHOTS / "lang-ar-translated-title.png", full_page=True)
    context.close()
    assert violations == []
