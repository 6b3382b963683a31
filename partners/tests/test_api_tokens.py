"""Issue 14, item 1: signed-in users manage their own API tokens, without an administrator."""

import pytest

from plans.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_user_creates_lists_uses_and_revokes_own_tokens(api_client, editor):
    assert api_client.get("/api/v1/tokens/").status_code in (401, 403)
    api_client.force_authenticate(editor)
    response = api_client.post("/api/v1/tokens/", {"name": "Nightly sync"}, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    secret = created["secret"]
    assert secret.startswith(f"crp_{created['prefix']}_")
    api_client.force_authenticate(None)
    token_client = type(api_client)()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    listed = token_client.get("/api/v1/tokens/").json()
    assert [(t["name"], t["active"]) for t in listed] == [("Nightly sync", True)]
    assert listed[0]["last_used_at"] is not None and "secret" not in listed[0]
    other = UserFactory(username="someone-else")
    api_client.force_authenticate(other)
    assert api_client.get("/api/v1/tokens/").json() == []
    assert api_client.delete(f"/api/v1/tokens/{created['id']}/").status_code == 404
    assert token_client.delete(f"/api/v1/tokens/{created['id']}/").status_code == 204
    assert token_client.get("/api/v1/tokens/").status_code == 401  # revoked at once
