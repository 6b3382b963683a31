"""Every GET route of the admin answers nasty parameters with a 4xx or a page, never a 500
(issue 11, item 8): a NUL in a list filter, search or autocomplete term, and non-numeric ids in
history and as-of URLs. The routes and their parameters are found from the admin itself: each
registered model's list (its search, and every parameter its filter links use), autocomplete
of each autocomplete field, change, history, an old version and the plan's as-of page.
On PostgreSQL, which refuses NUL in text, as production runs."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urlencode

import pytest
from django.contrib import admin
from django.urls import reverse

NASTY = ["\x00", "a\x00b", "abc", "-1", "1.5", "99999999999999999999999", "' OR 1=1 --", "%"]
BAD_IDS = ["abc", "1.5", "-1", "99999999999999999999999", "1%00", "%00", "1 OR 1=1"]

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def fuzz_client(admin_client, demo, on_postgres):
    admin_client.raise_request_exception = False  # a 500 is a status to report, not a crash
    return admin_client


def _filter_params(html: str) -> set[str]:
    params = set()
    for href in re.findall(r'href="(\?[^"]*)"', html):
        params.update(key for key, _ in parse_qsl(unescape(href)[1:], keep_blank_values=True))
    return params


def _get(client, url: str, failures: list, params: dict | None = None):
    full = f"{url}?{urlencode(params)}" if params else url
    response = client.get(full)
    if response.status_code >= 500:
        failures.append((response.status_code, full))
    return response


def test_admin_lists_and_autocomplete_take_nasty_parameters(fuzz_client):
    failures: list = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except Exception:
            continue
        page = _get(fuzz_client, url, failures)
        params = {"q", "o", "p", *_filter_params(page.content.decode(errors="replace"))}
        for name in sorted(params):
            for value in NASTY:
                _get(fuzz_client, url, failures, {name: value})
        for field in (
            model_admin.get_autocomplete_fields(None)
            if hasattr(model_admin, "get_autocomplete_fields")
            else []
        ):
            for value in NASTY:
                _get(
                    fuzz_client,
                    reverse("admin:autocomplete"),
                    failures,
                    {
                        "term": value,
                        "app_label": opts.app_label,
                        "model_name": opts.model_name,
                        "field_name": field,
                    },
                )
    for value in NASTY:
        for name in ("term", "app_label", "model_name", "field_name"):
            params = {
                "term": "a",
                "app_label": "plans",
                "model_name": "plan",
                "field_name": "countries",
                name: value,
            }
            _get(fuzz_client, reverse("admin:autocomplete"), failures, params)
    assert failures == []


def test_admin_ids_in_urls_are_not_found_never_a_500(fuzz_client, demo):
    failures: list = []
    plan = demo["tajikistan-crp-2020"]
    for model in admin.site._registry:
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        for bad in BAD_IDS:
            for suffix in ("change/", "history/", "delete/", "as-of/", "history/1/"):
                _get(fuzz_client, f"{base}{bad}/{suffix}", failures)
        row = model._default_manager.first()
        if row is not None:
            for bad in BAD_IDS:
                _get(fuzz_client, f"{base}{row.pk}/history/{bad}/", failures)
    for value in NASTY:
        _get(fuzz_client, f"/admin/plans/plan/{plan.pk}/as-of/", failures, {"at": value})
    assert failures == []


def test_a_nul_in_an_admin_query_is_a_400_that_says_so(fuzz_client):
    response = fuzz_client.get("/admin/plans/plan/?q=%00")
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    assert fuzz_client.get("/admin/plans/plan/?q=tajik").status_code == 200
