"""In Chromium, as a funding officer: the contributions list fits 1280 px with every column on
screen, a filter of many currencies is a search box that filters, and a file is uploaded,
previewed and imported through the page, with no Content Security Policy violation."""

from __future__ import annotations

import datetime
import shutil
from decimal import Decimal

import pytest

from conftest import require
from crp_portal.testing import public_pages  # noqa: F401  (fixture)
from funding.models import Contribution, Currency
from funding.tests.factories import ContributionFactory, DonorFactory, ExchangeRateFactory

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""
CODES = ["CHF", "EUR", "GBP", "JPY", "NOK", "SEK", "DKK", "CAD", "AUD", "NZD"]


@pytest.mark.browser
def test_the_contributions_list_fits_filters_and_uploads(live_server, demo, settings, tmp_path):
    require(CHROMIUM is not None, "needs Chromium")
    from django.contrib.auth import get_user_model
    from django.test import Client
    from playwright.sync_api import sync_playwright

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]  # the proxy's header says https
    plan = demo["tajikistan-crp-2020"]
    donor = DonorFactory(name="Nordic Humanitarian Fund of Very Long Name")
    for code in CODES:  # ten currencies in use: more than a list of links should hold
        currency = Currency.objects.get(code=code)
        ExchangeRateFactory(currency=currency, rate_on=datetime.date(2019, 12, 30))
        ContributionFactory(plan=plan, donor=donor, currency=currency, amount=Decimal("1234567.89"))
    officer = get_user_model().objects.get(username="funding")
    signed_in = Client()
    signed_in.force_login(officer)
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    upload = tmp_path / "gifts.csv"
    upload.write_text(
        "reference,donor,plan,amount,currency,status,contributed_on\n"
        f"UP-1,Japan,{plan.slug},1000,USD,paid,2020-06-01\n"
        f"UP-2,Japan,{plan.slug},2000,USD,pledged,2020-06-02\n"
    )
    violations: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(
            viewport={"width": 1280, "height": 900},
            extra_http_headers={"X-Forwarded-Proto": "https"},
        )
        page.add_init_script(LISTEN)
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(live_server.url + "/admin/login/")
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page.goto(live_server.url + "/admin/funding/contribution/")
        headers = page.eval_on_selector_all(
            "#result_list thead th", "ths => ths.map(th => th.getBoundingClientRect().right)"
        )
        assert len(headers) == 10  # the checkbox and nine columns
        assert max(headers) <= 1280, headers  # the reference column is on screen
        scroll = page.eval_on_selector(".results", "e => e.scrollWidth - e.clientWidth")
        assert scroll <= 0, f"the list scrolls sideways by {scroll}px"

        assert page.locator("#filter-currency").count() == 1  # a search box, not ten links
        page.fill("#filter-currency", "NOK")
        page.press("#filter-currency", "Enter")
        page.wait_for_url("**currency=NOK**")
        assert page.locator("#result_list tbody tr").count() == 1
        assert "NOK" in page.locator("#result_list tbody tr").inner_text()
        violations.extend(page.evaluate("window.__csp"))

        page.goto(live_server.url + "/admin/funding/contribution/")
        page.click("text=Upload a file")
        page.set_input_files("#id_file", str(upload))
        page.click("input[value='Check the file']")
        preview = page.inner_text("#content-main")
        assert "2 new, 0 updated, 0 unchanged (a dry run: nothing was written)" in preview
        violations.extend(page.evaluate("window.__csp"))
        page.click("input[value='Import this file']")
        assert "File gifts.csv: 2 new" in page.inner_text(".messagelist")
        violations.extend(page.evaluate("window.__csp"))
        browser.close()
    assert Contribution.objects.filter(reference__startswith="UP-").count() == 2
    assert violations == []
