"""In a real browser, the admin and Swagger UI work under the Content Security Policy: no
violation is reported on the sign-in page, opening a plan's nested page, its history, restore and
as-of pages, and the API docs."""

from __future__ import annotations

import shutil

import pytest

from conftest import require

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile));
"""


@pytest.mark.browser
@pytest.mark.urls("crp_portal.tests.docs_urls")
def test_admin_and_api_docs_run_without_csp_violations(live_server, demo, settings):
    require(CHROMIUM is not None, "needs Chromium")
    from django.contrib.auth import get_user_model
    from playwright.sync_api import sync_playwright

    # The live server speaks plain HTTP and its SecurityMiddleware was built with the production
    # HTTPS redirect on: the browser says what a TLS-terminating proxy would say.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    from django.test import Client

    signed_in = Client()
    signed_in.force_login(get_user_model().objects.get(username="admin"))
    session = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    plan = demo["tajikistan-crp-2020"]
    version = plan.history.first().history_id  # its restore page (read here: no ORM in the loop)
    plan.title, plan.version = "Renamed since", plan.version + 1  # so that page has changes
    plan.save()
    violations: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(extra_http_headers={"X-Forwarded-Proto": "https"})
        page.add_init_script(LISTEN)
        page.on(
            "console",
            lambda msg: (
                violations.append(msg.text) if "Content Security Policy" in msg.text else None
            ),
        )

        def visit(path: str, wait_for: str) -> None:
            page.goto(live_server.url + path)
            page.wait_for_selector(wait_for)
            page.wait_for_load_state("networkidle")
            violations.extend(page.evaluate("window.__csp"))

        visit("/admin/login/", "#login-form")
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        visit("/admin/", "#content-main")
        visit(f"/admin/plans/plan/{plan.pk}/change/", "#workflow")
        # The nested inlines' script works: "add another" creates a new objective form.
        total = "[...document.querySelectorAll('input[name$=\"-TOTAL_FORMS\"]')]" + (
            ".reduce((n, e) => n + Number(e.value), 0)"
        )
        before = page.evaluate(total)
        page.locator(".djn-add-handler:visible").first.click()
        assert page.evaluate(total) == before + 1
        violations.extend(page.evaluate("window.__csp"))
        visit(f"/admin/plans/plan/{plan.pk}/history/", "#child-history")
        visit(f"/admin/plans/plan/{plan.pk}/history/{version}/", "#restore-form")
        visit(f"/admin/plans/plan/{plan.pk}/as-of/", "#id_at")
        visit("/admin/funding/contribution/add/", "#contribution_form")
        visit("/api/docs/", ".swagger-ui .info")
        browser.close()
    assert violations == []
