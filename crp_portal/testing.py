"""Test helpers for the public pages, imported by their test modules (fixtures by import).

Tests run with DEBUG off, where static URLs come from the collectstatic manifest, which a test
run does not build; and a cached page must never leak from one test's data into another's.
"""

from __future__ import annotations

import pytest

from crp_portal import outages, pagecache


@pytest.fixture
def public_pages(settings):
    """Plain static storage, fast password hashing and a fresh page-cache version for one test."""
    # The demo users' passwords would take ~2 s of PBKDF2 per test; these tests never log in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    outages.reset()  # a test that broke Redis must not disable it for others
    pagecache.pages_bump()
    yield
    outages.reset()
    pagecache.pages_bump()
