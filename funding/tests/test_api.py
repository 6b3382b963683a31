import io

import hxl
import pytest

from crp_portal.tests.api_data import plan_with_everything
from funding import services
from funding.models import Contribution
from funding.tests.factories import DonorFactory
from plans.models import Plan
from plans.tests.factories import PlanFactory, Role, UserFactory, assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    user = UserFactory(username="officer-tjk")
    assign(user, Role.FUNDING_OFFICER, "TJK")
    return user


def _payload(**overrides):
    body = {
        "donor": DonorFactory(name="Switzerland").pk,
        "plan": "tjk",
        "amount": "1000000.00",
        "currency": "CHF",
        "status": "paid",
        "contributed_on": "2020-02-01",
        "reference": "API-1",
    }
    body.update(overrides)
    return body


def test_funding_officer_records_a_contribution_converted_at_the_rate(api_client, officer):
    from funding.tests.factories import ExchangeRateFactory

    PlanFactory(slug="tjk")
    ExchangeRateFactory()  # CHF 0.999 per USD from 2020-01-01
    api_client.force_authenticate(officer)
    response = api_client.post("/api/v1/contributions/", _payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount_usd"] == "1001001.00"
    assert body["units_per_usd"] == "0.99900000"
    assert Contribution.objects.get().recorded_by == officer


def test_no_write_path_skips_the_permission_check(api_client, editor, officer):
    PlanFactory(slug="tjk")
    PlanFactory(slug="pak", countries=["PAK"])
    response = api_client.post("/api/v1/contributions/", _payload(currency="USD"), format="json")
    assert response.status_code in (401, 403)
    api_client.force_authenticate(editor)
    response = api_client.post("/api/v1/contributions/", _payload(currency="USD"), format="json")
    assert response.status_code == 403
    api_client.force_authenticate(officer)
    response = api_client.post(
        "/api/v1/contributions/", _payload(plan="pak", currency="USD"), format="json"
    )
    assert response.status_code == 403
    assert Contribution.objects.count() == 0


def test_service_checks_the_actor_itself(editor):
    from django.core.exceptions import PermissionDenied

    from funding.models import Currency

    plan = PlanFactory()
    with pytest.raises(PermissionDenied):
        services.contribution_record(
            actor=editor,
            donor=DonorFactory(),
            plan=plan,
            amount=1,
            currency=Currency.objects.get(code="USD"),
            status="paid",
            contributed_on="2020-01-01",
        )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": "-5"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"amount": "1" * 30}, "amount"),
        ({"currency": "XXX"}, "currency"),
        ({"currency": "CHF", "contributed_on": "1999-01-01"}, "currency"),  # no rate then
        ({"status": "maybe"}, "status"),
        ({"contributed_on": "not a date"}, "contributed_on"),
        ({"reference": "r" * 10000}, "reference"),
        ({"plan": "no-such-plan"}, "plan"),
        ({"plan": "draft-pak"}, "plan"),
        ({"donor": 999999}, "donor"),
        ({"donor": "abc"}, "donor"),
        ({"objective": 999999}, "objective"),
        ({"intervention": -1}, "intervention"),
    ],
)
def test_bad_contribution_is_a_400_and_nothing_is_written(api_client, officer, overrides, field):
    PlanFactory(slug="tjk")
    PlanFactory(slug="draft-pak", countries=["PAK"], status=Plan.Status.DRAFT)
    api_client.force_authenticate(officer)
    response = api_client.post(
        "/api/v1/contributions/", _payload(**{"currency": "USD", **overrides}), format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Contribution.objects.count() == 0


def test_contribution_filters(api_client):
    plan_with_everything(slug="tjk")
    body = api_client.get("/api/v1/contributions/?plan=tjk&status=paid&currency=USD").json()
    assert body["count"] == 5
    assert api_client.get("/api/v1/contributions/?min_amount_usd=60").json()["count"] == 4
    assert api_client.get("/api/v1/contributions/?year=2021").json()["count"] == 0
    assert api_client.get("/api/v1/contributions/?currency=ZZZ").status_code == 400


def test_summary_groups_with_a_not_specified_group(demo, api_client):
    services.group_rollups_recompute()
    body = api_client.get("/api/v1/funding/summary/?group_by=strategic_objective").json()
    groups = {g["key"]: g for g in body["results"]}
    assert "" in groups  # unearmarked money
    assert groups[""]["label"]
    assert groups["2"]["funding_required"] == "950000.00"
    for dimension in ("country", "region", "year", "sector", "donor", "plan"):
        response = api_client.get(f"/api/v1/funding/summary/?group_by={dimension}")
        assert response.status_code == 200 and response.json()["count"] >= 1, dimension
    plan_groups = api_client.get("/api/v1/funding/summary/?group_by=plan").json()["results"]
    tjk = next(g for g in plan_groups if g["key"] == "tajikistan-crp-2020")
    assert tjk["funding_required"] == "1075000.00"
    assert api_client.get("/api/v1/funding/summary/").status_code == 400
    assert api_client.get("/api/v1/funding/summary/?group_by=galaxy").status_code == 400


def _streamed(response) -> str:
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content).decode()


def test_csv_streams_every_matching_row_not_one_page(api_client):
    plan_with_everything(slug="tjk")
    plan_with_everything(slug="tjk-2")
    text = _streamed(api_client.get("/api/v1/contributions/?format=csv&page_size=1&plan=tjk"))
    lines = text.strip().splitlines()
    assert lines[0].startswith("Contribution id,Donor id,Donor,")
    assert len(lines) == 1 + 5  # header + every contribution of the plan, not one page


def test_hxl_parses_with_libhxl(demo, api_client):
    services.group_rollups_recompute()
    text = _streamed(api_client.get("/api/v1/plans/?format=hxl"))
    dataset = hxl.data(io.BytesIO(text.encode()))
    rows = {row.get("#activity+appeal+id"): row for row in dataset}
    tjk = rows["tajikistan-crp-2020"]
    assert tjk.get("#country+code") == "TJK"
    assert tjk.get("#value+funding+required+usd") == "1075000.00"
    assert rows["pakistan-crp-2020-2021"].get("#value+funding+required") in ("", None)
    assert "#value+funding+pct" in [c.display_tag for c in dataset.columns]
    text = _streamed(api_client.get("/api/v1/funding/summary/?group_by=donor&format=hxl"))
    donors = [row.get("#org+name+funder") for row in hxl.data(io.BytesIO(text.encode()))]
    assert "Switzerland" in donors
    text = _streamed(api_client.get("/api/v1/contributions/?format=hxl"))
    years = {row.get("#date+year") for row in hxl.data(io.BytesIO(text.encode()))}
    assert years == {"2020", "2020; 2021"}  # Pakistan's money is for both its years


def test_donors_filter_by_kind_and_country(demo, api_client):
    assert api_client.get("/api/v1/donors/?country=CHE").json()["results"][0]["name"] == (
        "Switzerland"
    )
    assert api_client.get("/api/v1/donors/?kind=pooled_fund").json()["count"] == 1
    assert api_client.get("/api/v1/donors/?kind=alien").status_code == 400
