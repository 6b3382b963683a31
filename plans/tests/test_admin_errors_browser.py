"""In Chromium, an editor on a plan of 150 interventions (3 activities and 2 yearly requirements
each): the page opens and saves; three mistakes, one of them in a closed section, are all listed
by the summary after Save, and each link opens the way to its field and puts the cursor there;
then a typed vision survives "Submit for review" (saved first, then submitted). No Content
Security Policy violation on the way."""

from __future__ import annotations

import re
import shutil

import pytest
from django.urls import reverse

from conftest import require
from crp_portal.tests.forms import form_data
from plans.models import Plan
from plans.tests.factories import PlanYearFactory, Role, UserFactory, assign
from plans.tests.test_big_plans import _plan

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


@pytest.mark.browser
def test_a_big_plan_saves_its_errors_are_found_and_a_step_loses_nothing(
    live_server, settings, client
):
    require(CHROMIUM is not None, "needs Chromium")
    from playwright.sync_api import sync_playwright

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    plan = _plan("big-browser", 150)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.DRAFT)
    for year in (2024, 2025):
        PlanYearFactory(plan=plan, year=year)
    editor = UserFactory(username="editor-tjk-browser")
    assign(editor, Role.EDITOR, "TJK")
    client.force_login(editor)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    path = reverse("admin:plans_plan_change", args=[plan.pk])
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
        assert page.locator("a[href*='/admin/interventions/intervention/']").count() >= 150
        # The plan of 150 interventions saves.
        page.fill("#id_title", "A plan of 150 interventions")
        page.click("input[name=_continue]")
        assert "was changed successfully" in page.inner_text(".messagelist")

        # Three mistakes, one in a closed section: all found from the summary.
        assert not page.locator(f"[name='{people}']").is_visible()
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
            assert page.locator(f"[id='{target}']").is_visible(), target
            assert page.evaluate("document.activeElement.id") == target
            page.locator("#error-summary").scroll_into_view_if_needed()

        # A typed vision survives the workflow button: saved first, then submitted.
        page.goto(live_server.url + path)
        page.fill("#id_vision_statement", "Typed, then submitted")
        page.click("button[value=submit]")
        page.wait_for_selector(".messagelist")
        assert page.input_value("#id_vision_statement") == "Typed, then submitted"
        assert "In review" in page.inner_text("#workflow")
        browser.close()
    plan.refresh_from_db()
    assert (plan.status, plan.vision_statement, plan.title) == (
        Plan.Status.IN_REVIEW,
        "Typed, then submitted",
        "A plan of 150 interventions",
    )
    assert violations == []
