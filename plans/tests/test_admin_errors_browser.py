"""In Chromium: three mistakes on the Tajikistan plan page, one of them in a closed section;
after Save, the summary lists all three and each of its links opens the way to its field and
puts the cursor there; no Content Security Policy violation."""

from __future__ import annotations

import re
import shutil

import pytest
from django.urls import reverse

from conftest import require
from crp_portal.tests.forms import form_data
from plans.tests.factories import Role, UserFactory, assign

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.mark.browser
def test_the_summary_finds_every_error(live_server, demo, settings, client):
    require(CHROMIUM is not None, "needs Chromium")
    from playwright.sync_api import sync_playwright

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    editor = UserFactory(username="editor-tjk-browser")
    assign(editor, Role.EDITOR, "TJK")
    client.force_login(editor)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    path = reverse("admin:plans_plan_change", args=[demo["tajikistan-crp-2020"].pk])
    data = form_data(client.get(path).content.decode(), "plan_form")
    people = next(k for k in data if re.fullmatch(r"objectives-\d+-people_targeted", k))
    year = next(k for k in data if re.fullmatch(r"plan_years-\d+-year", k))
    violations: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(extra_http_headers={"X-Forwarded-Proto": "https"})
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(live_server.url + "/admin/login/")
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page.goto(live_server.url + path)
        assert not page.locator(f"[name='{people}']").is_visible()  # in a closed section
        for name, value in ((people, "-5"), (year, "2031"), ("title", "")):
            page.eval_on_selector(f"[name='{name}']", "(e, v) => { e.value = v; }", value)
        page.click("input[name=_continue]")
        page.wait_for_selector("#error-summary")
        links = page.locator("#error-summary a")
        assert links.count() == 3, page.inner_text("#error-summary")
        for index in range(3):
            link = links.nth(index)
            target = link.get_attribute("href")[1:]
            link.click()
            field = page.locator(f"[id='{target}']")
            assert field.is_visible(), target
            assert page.evaluate("document.activeElement.id") == target
            page.locator("#error-summary").scroll_into_view_if_needed()
        browser.close()
    assert violations == []
