"""Issue 14, item 1: administrators add and retire catalog entries through the API."""

import pytest

from interventions.models import Sector

pytestmark = pytest.mark.django_db


def test_only_administrators_add_and_retire_catalog_entries(api_client, editor, superuser):
    body = {"slug": "cash", "name": "Cash-based assistance"}
    api_client.force_authenticate(editor)
    response = api_client.post("/api/v1/sectors/", body, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only administrators may change the catalogs."}
    api_client.force_authenticate(superuser)
    response = api_client.post("/api/v1/sectors/", body, format="json")
    assert response.status_code == 201, response.content
    sector = response.json()
    response = api_client.patch(
        f"/api/v1/sectors/{sector['id']}/", {"retired_on": "2031-01-01"}, format="json"
    )
    assert response.json() == {**sector, "retired_on": "2031-01-01"}
    assert api_client.post("/api/v1/sectors/", body, format="json").status_code == 400
    response = api_client.post(
        "/api/v1/target-groups/", {"slug": "hosts", "name": "Host communities"}, format="json"
    )
    assert response.status_code == 201
    response = api_client.post(
        "/api/v1/strategic-objectives/", {"number": 99, "title": "Durable solutions"}, format="json"
    )
    assert response.status_code == 201 and response.json()["number"] == 99
    assert Sector.objects.filter(slug="cash").count() == 1
