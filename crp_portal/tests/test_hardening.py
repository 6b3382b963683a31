"""Hardening with DEBUG off: deploy check, secure cookies/HSTS/session expiry, CSP, sign-in
limiting behind a proxy with a record of sign-ins, password rules, and no 500 on bad input."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from crp_portal.security import client_ip
from crp_portal.tests.forms import form_data

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**extra) -> dict:
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": "postgres://crp@db.internal:5432/crp",
        "REDIS_URL": "redis://cache.internal:6379/0",
        "ALLOWED_HOSTS": "crp.example.org",
        "LOG_LEVEL": "CRITICAL",
        **extra,
    }


def _manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_production_settings():
    done = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert done.returncode == 0, done.stdout + done.stderr


def test_deploy_check_fails_on_a_placeholder_secret_or_sqlite():
    env = _production_env(
        SECRET_KEY="django-insecure-local-only", DATABASE_URL="sqlite:///var/deploy-check.sqlite3"
    )
    done = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert done.returncode != 0
    assert "security.W009" in done.stderr and "crp.E001" in done.stderr


def test_production_settings_are_strict():
    names = [
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SESSION_COOKIE_AGE",
        "SESSION_EXPIRE_AT_BROWSER_CLOSE",
        "SECURE_PROXY_SSL_HEADER",
        "TRUSTED_PROXY_COUNT",
        "AXES_FAILURE_LIMIT",
    ]
    code = (
        "import django, json; django.setup(); from django.conf import settings;"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}))"
    )
    env = _production_env(
        DJANGO_SETTINGS_MODULE="crp_portal.settings",
        SECURE_PROXY_SSL_HEADER="true",
        TRUSTED_PROXY_COUNT="1",
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    values = json.loads(done.stdout.strip().splitlines()[-1])
    assert values["SECURE_SSL_REDIRECT"] and values["SESSION_COOKIE_SECURE"]
    assert values["CSRF_COOKIE_SECURE"] and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SESSION_COOKIE_AGE"] == 8 * 3600 and values["SESSION_EXPIRE_AT_BROWSER_CLOSE"]
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["TRUSTED_PROXY_COUNT"] == 1 and values["AXES_FAILURE_LIMIT"] == 5


def test_plain_http_is_redirected_and_https_gets_hsts(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/admin/login/")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    secure = client.get("/admin/login/", secure=True)
    assert secure.status_code == 200
    assert "max-age=" in secure["Strict-Transport-Security"]
    assert secure["X-Frame-Options"] == "DENY"
    assert secure["X-Content-Type-Options"] == "nosniff"


# --- Content Security Policy ----------------------------------------------------------------


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_csp_only_trusts_our_own_origin(client, db):
    policy = _policy(client.get("/admin/login/"))
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]


@pytest.mark.urls("crp_portal.tests.docs_urls")
def test_swagger_ui_is_relaxed_for_styles_only_and_has_no_inline_script(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    policy = _policy(response)
    assert "'unsafe-inline'" in policy["style-src"]
    assert "'unsafe-inline'" not in policy["script-src"]
    html = response.content.decode()
    assert "<script>" not in html  # every script is a file from our origin
    assert client.get("/api/docs/?script").status_code == 200
    # ...and the relaxation stays on that page.
    assert "'unsafe-inline'" not in _policy(client.get("/admin/login/"))["style-src"]


# --- Sign-in limiting (django-axes), behind a proxy -----------------------------------------


@pytest.fixture
def account(db):
    user = get_user_model().objects.create_user(
        "signer", password="a-long-enough-passphrase", is_staff=True
    )
    return user


def _sign_in(client, password, forwarded_for=None, remote="10.0.0.2"):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "signer", "password": password},
        **extra,
    )


def test_lockout_after_the_failure_limit_even_with_the_right_password(client, account, settings):
    settings.AXES_FAILURE_LIMIT = 3
    assert [_sign_in(client, "wrong").status_code for _ in range(3)] == [200, 200, 429]
    response = _sign_in(client, "a-long-enough-passphrase")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_counts_the_client_behind_the_proxy_not_the_proxy(client, account, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 1
    # Three failures from one client, as forwarded by our proxy (REMOTE_ADDR is the proxy).
    for _ in range(3):
        _sign_in(client, "wrong", forwarded_for="203.0.113.7")
    assert _sign_in(client, "a-long-enough-passphrase", "203.0.113.7").status_code == 429
    # Another client through the same proxy is not locked out.
    assert _sign_in(client, "a-long-enough-passphrase", "198.51.100.9").status_code == 302


def test_a_forged_forwarded_for_does_not_escape_the_lockout(client, account, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.TRUSTED_PROXY_COUNT = 1
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        # The client writes its own X-Forwarded-For; our proxy appends the real address.
        _sign_in(client, "wrong", forwarded_for=f"{forged}, 203.0.113.7")
    response = _sign_in(client, "a-long-enough-passphrase", "4.4.4.4, 203.0.113.7")
    assert response.status_code == 429


@pytest.mark.parametrize(
    "count, header, remote, expected",
    [
        (0, "6.6.6.6", "10.0.0.2", "10.0.0.2"),  # no proxy: the header is ignored
        (1, "203.0.113.7", "10.0.0.2", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "10.0.0.2", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.9", "10.0.0.2", "203.0.113.7"),
        (1, "", "10.0.0.2", "10.0.0.2"),
    ],
)
def test_client_ip(settings, count, header, remote, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) == expected


def test_sign_ins_are_recorded_and_shown_in_the_admin(client, account, superuser):
    assert _sign_in(client, "a-long-enough-passphrase").status_code == 302
    from axes.models import AccessLog

    assert AccessLog.objects.filter(username="signer").count() == 1
    client.force_login(superuser)
    html = client.get(reverse("admin:axes_accesslog_changelist")).content.decode()
    assert "signer" in html


def test_password_rules():
    user = get_user_model()(username="maria", email="maria@example.org")
    for weak in ["short1", "123456789012", "password1234", "maria-example"]:
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password("violet-harbour-lantern-42", user)


# --- Bad input to admin forms: a message, never a 500 ---------------------------------------

NASTY = [
    "99999999999999999999999999",
    "-1",
    "abc",
    "1e400",
    "NaN",
    "Infinity",
    "12.5",
    "x" * 10_000,
    "\x00",
    "<script>alert(1)</script>",
]


@pytest.fixture
def admin_client(client, demo):
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def test_nasty_values_in_the_plan_page_get_messages(admin_client, demo):
    """Each nasty value in every kind of field at once (text, number, money, year, choice,
    autocomplete): the page comes back with messages, and nothing is saved."""
    plan = demo["tajikistan-crp-2020"]
    version = plan.version
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = form_data(admin_client.get(url).content.decode(), "plan_form")
    targets = ["start_year", "end_year", "title", "vision_statement", "kind", "countries"]
    targets += [
        k
        for k in data
        if k.endswith(("-amount_usd", "-people_targeted", "-year", "-sector", "-country"))
    ]
    for value in NASTY:
        response = admin_client.post(url, {**data, **{name: [value] for name in targets}})
        assert response.status_code == 200, (value[:20], response.status_code)
        assert "Please correct the error" in response.content.decode(), value[:20]
    plan.refresh_from_db()
    assert (plan.start_year, plan.version) == (2020, version)


def test_nasty_values_in_the_contribution_form_get_messages(admin_client, demo):
    from funding.models import Contribution

    contribution = Contribution.objects.filter(plan=demo["tajikistan-crp-2020"]).first()
    url = reverse("admin:funding_contribution_change", args=[contribution.pk])
    data = form_data(admin_client.get(url).content.decode(), "contribution_form")
    fields = ["amount", "contributed_on", "reference", "plan", "objective", "currency", "status"]
    for value in NASTY:
        response = admin_client.post(url, {**data, **{name: [value] for name in fields}})
        assert response.status_code == 200, (value[:20], response.status_code)
        assert "Please correct the error" in response.content.decode(), value[:20]
    # A stale or forged version number is a message too, never a 500.
    for value in NASTY:
        response = admin_client.post(url, {**data, "loaded_version": [value]})
        assert response.status_code == 200, (value[:20], response.status_code)
    assert Contribution.objects.get(pk=contribution.pk).version == 1


def test_nasty_ids_in_admin_urls_are_not_found(admin_client):
    for bad in ["abc", "-1", "99999999999999999999999", "1%00"]:
        response = admin_client.get(f"/admin/plans/plan/{bad}/change/")
        assert response.status_code in (302, 400, 404), bad  # a NUL: 400 (crp_portal.admin_input)
