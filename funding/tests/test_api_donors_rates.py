"""Issue 14, item 1: donors and exchange rates written by funding officers through the API."""

import datetime
from decimal import Decimal

import pytest

from funding.models import Currency, Donor, ExchangeRate
from plans.tests.factories import Role, UserFactory, assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db):
    user = UserFactory(username="officer-tjk")
    assign(user, Role.FUNDING_OFFICER, "TJK")
    return user


def test_funding_officer_creates_and_renames_a_donor(api_client, officer, editor):
    api_client.force_authenticate(editor)
    body = {"name": "Ruritania", "kind": "government", "country": "TJK"}
    response = api_client.post("/api/v1/donors/", body, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only funding officers may create or rename donors."}
    api_client.force_authenticate(officer)
    response = api_client.post("/api/v1/donors/", body, format="json")
    assert response.status_code == 201, response.content
    donor = response.json()
    assert (donor["name"], donor["kind_label"], donor["country"]["code"]) == (
        "Ruritania",
        "Government",
        "TJK",
    )
    response = api_client.patch(
        f"/api/v1/donors/{donor['id']}/", {"name": "Republic of Ruritania"}, format="json"
    )
    assert response.status_code == 200 and response.json()["name"] == "Republic of Ruritania"
    again = api_client.post("/api/v1/donors/", {"name": "Republic of Ruritania"}, format="json")
    assert again.status_code == 400 and list(again.json()) == ["name"]
    assert Donor.objects.filter(name__contains="Ruritania").count() == 1


def test_exchange_rates_are_public_to_read_and_recorded_by_funding_officers(
    api_client, officer, editor
):
    chf = Currency.objects.get(code="CHF")
    ExchangeRate.objects.create(
        currency=chf, rate_on=datetime.date(2030, 1, 1), units_per_usd=Decimal("0.9")
    )
    body = {"currency": "CHF", "on": "2030-02-01", "units_per_usd": "0.95"}
    api_client.force_authenticate(editor)
    assert api_client.post("/api/v1/exchange-rates/", body, format="json").status_code == 403
    api_client.force_authenticate(officer)
    response = api_client.post("/api/v1/exchange-rates/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["units_per_usd"] == "0.95000000"
    again = api_client.post(
        "/api/v1/exchange-rates/", {**body, "units_per_usd": "0.96"}, format="json"
    )
    assert again.status_code == 201  # the same day's rate replaced, never duplicated
    api_client.force_authenticate(None)
    response = api_client.get("/api/v1/exchange-rates/?currency=CHF&on=2030-01-15")
    assert [(r["on"], r["units_per_usd"]) for r in response.json()["results"]] == [
        ("2030-01-01", "0.90000000")
    ]
    response = api_client.get("/api/v1/exchange-rates/?currency=CHF&on=2030-03-01")
    assert [r["units_per_usd"] for r in response.json()["results"]] == ["0.96000000"]
    response = api_client.get("/api/v1/exchange-rates/?on=yesterday")
    assert response.status_code == 400 and list(response.json()) == ["on"]
