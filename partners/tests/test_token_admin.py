"""Issue 11, item 11: a new API token's secret is shown once, in the body of the page answering
its creation, and never travels in a cookie (messages are signed, not encrypted) or the session."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest
from django.urls import reverse

from partners.models import ApiToken, token_hash

pytestmark = pytest.mark.django_db

SECRET = re.compile(r"crp_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}")


def test_new_tokens_secret_is_in_the_page_body_once_and_in_no_cookie(client, superuser, partner):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:partners_apitoken_add"), {"name": "ReliefWeb sync", "user": partner.pk}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="ReliefWeb sync")
    secrets = SECRET.findall(response.content.decode())
    assert secrets and token_hash(secrets[0]) == token.hashed_secret
    secret = secrets[0]
    assert "no-store" in response["Cache-Control"]

    # No cookie of that answer carries it: no messages cookie at all, and the session lacks it.
    messages_cookie = response.cookies.get("messages")
    if messages_cookie is not None and messages_cookie.value:
        stored = CookieStorage(HttpRequest())._decode(messages_cookie.value) or []
        assert all(secret not in str(m) for m in stored)
    session = SessionStore(session_key=client.cookies["sessionid"].value)
    assert secret not in repr(dict(session.items()))
    assert all(secret not in morsel.value for morsel in client.cookies.values())

    # Shown only once: the token's page and the next pages never show it again.
    page = client.get(reverse("admin:partners_apitoken_change", args=[token.pk]))
    assert page.status_code == 200 and secret not in page.content.decode()
    assert secret not in client.get(reverse("admin:index")).content.decode()
    assert not SECRET.search(page.content.decode())


def test_token_with_a_missing_name_is_refused_on_the_form(client, superuser, partner):
    client.force_login(superuser)
    response = client.post(reverse("admin:partners_apitoken_add"), {"name": "", "user": partner.pk})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"]
    assert not ApiToken.objects.exists()
