"""Issue 14, item 5: the IATI 2.03 export of the published plans (GET /api/v1/iati/activities.xml
and `manage.py export_iati FILE`), validated against the schema copied into partners/iati/xsd."""

from __future__ import annotations

import copy
import datetime
from decimal import Decimal
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from funding import services as funding_services
from funding.models import Contribution, Currency
from funding.tests.factories import (
    ContributionFactory,
    DonorFactory,
    ExchangeRateFactory,
    RequirementFactory,
)
from interventions.models import Sector
from interventions.tests.factories import InterventionFactory
from objectives.tests.factories import ObjectiveFactory
from partners.iati.schema import ACTIVITIES_XSD, iati_errors
from plans.models import Plan
from plans.tests.factories import PlanFactory, country

pytestmark = pytest.mark.django_db

URL = "/api/v1/iati/activities.xml"
XSD = "{http://www.w3.org/2001/XMLSchema}"


def _get(api_client, query: str = "") -> etree._ElementTree:
    response = api_client.get(f"{URL}{query}")
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    return etree.ElementTree(etree.fromstring(response.content))


def _activities(document) -> dict[str, etree._Element]:
    return {a.findtext("iati-identifier"): a for a in document.getroot().iter("iati-activity")}


def _activity(document, slug: str) -> etree._Element:
    return _activities(document)[f"XI-IATI-CRPDEMO-{slug}"]


def _money(text: str) -> Decimal:
    return Decimal(text)


def _schema_order() -> list[str]:
    """The children of iati-activity in the order of the schema's xsd:sequence."""
    schema = etree.parse(str(ACTIVITIES_XSD))
    (sequence,) = schema.xpath(
        "//xsd:element[@name='iati-activity']/xsd:complexType/xsd:sequence",
        namespaces={"xsd": XSD[1:-1]},
    )
    return [e.get("ref") or e.get("name") for e in sequence if e.tag == f"{XSD}element"]


def test_the_demo_document_validates_against_the_iati_2_03_schema(api_client, demo):
    document = _get(api_client)
    assert document.getroot().get("version") == "2.03"
    assert iati_errors(document) == []
    # The validation can fail: without its title an activity is refused.
    broken = copy.deepcopy(document)
    activity = broken.getroot().find("iati-activity")
    activity.remove(activity.find("title"))
    assert any("title" in error for error in iati_errors(broken))


def test_elements_appear_in_the_schema_order_and_out_of_order_is_refused(api_client, demo):
    order = _schema_order()
    document = _get(api_client)
    for activity in document.getroot().iter("iati-activity"):
        positions = [order.index(child.tag) for child in activity]
        assert positions == sorted(positions), [child.tag for child in activity]
    # IATI's order rule is the schema's sequence: a sector after the budgets is refused.
    swapped = copy.deepcopy(document)
    activity = _activity(swapped, "tajikistan-crp-2020")
    sector = activity.find("sector")
    activity.remove(sector)
    activity.append(sector)
    assert any("sector" in error for error in iati_errors(swapped))


def test_one_activity_per_public_plan_none_for_drafts(api_client, demo, settings):
    PlanFactory(slug="draft-plan", status=Plan.Status.DRAFT)
    PlanFactory(slug="plan-in-review", status=Plan.Status.IN_REVIEW)
    PlanFactory(slug="withdrawn-plan", status=Plan.Status.WITHDRAWN)
    PlanFactory(slug="old-plan", status=Plan.Status.ARCHIVED)
    activities = _activities(_get(api_client))
    assert sorted(activities) == [
        "XI-IATI-CRPDEMO-old-plan",
        "XI-IATI-CRPDEMO-pakistan-crp-2020-2021",
        "XI-IATI-CRPDEMO-tajikistan-crp-2020",
    ]
    # A past plan is reported closed (IATI ActivityStatus 4).
    assert activities["XI-IATI-CRPDEMO-old-plan"].find("activity-status").get("code") == "4"
    settings.IATI_REPORTING_ORG_REF = "XM-DAC-47066"
    settings.IATI_REPORTING_ORG_NAME = "The Organisation"
    document = _get(api_client)
    tajikistan = _activities(document)["XM-DAC-47066-tajikistan-crp-2020"]
    reporting = tajikistan.find("reporting-org")
    assert (reporting.get("ref"), reporting.findtext("narrative")) == (
        "XM-DAC-47066",
        "The Organisation",
    )
    assert tajikistan.get("humanitarian") == "1"
    scope = tajikistan.find("humanitarian-scope")
    assert (scope.get("type"), scope.get("vocabulary"), scope.get("code")) == (
        "2",
        "99",
        "tajikistan-crp-2020",
    )
    assert tajikistan.findtext("title/narrative") == "Tajikistan Crisis Response Plan 2020"
    dates = {d.get("type"): d.get("iso-date") for d in tajikistan.iter("activity-date")}
    assert dates == {"1": "2020-01-01", "3": "2020-12-31"}
    # Past its period and still published: finalisation.
    assert tajikistan.find("activity-status").get("code") == "3"
    assert [c.get("code") for c in tajikistan.iter("recipient-country")] == ["TJ"]
    assert tajikistan.find("recipient-country").get("percentage") == "100.00"


def test_budgets_are_the_plans_yearly_requirements_and_uncosted_years_have_none(api_client, demo):
    document = _get(api_client)
    for slug in ("tajikistan-crp-2020", "pakistan-crp-2020-2021"):
        plan = api_client.get(f"/api/v1/plans/{slug}/").json()
        budgets = _activity(document, slug).findall("budget")
        by_year = {
            int(b.find("period-start").get("iso-date")[:4]): _money(b.findtext("value"))
            for b in budgets
        }
        expected = {
            y["year"]: Decimal(y["funding_required"])
            for y in plan["years"]
            if y["funding_required"] is not None
        }
        assert by_year == expected
        if plan["funding_required"] is None:
            assert budgets == []  # Pakistan publishes no figures: no budget, never a zero one
        else:
            assert sum(by_year.values()) == Decimal(plan["funding_required"])
    budget = _activity(document, "tajikistan-crp-2020").find("budget")
    assert budget.findtext("value") == "1075000.00"
    assert budget.find("value").get("currency") == "USD"
    assert budget.find("value").get("value-date") == "2020-01-01"
    assert budget.find("period-end").get("iso-date") == "2020-12-31"


def test_a_multi_year_plan_has_one_budget_per_costed_year(api_client):
    plan = PlanFactory(slug="multi-year", start_year=2020, end_year=2022)
    intervention = InterventionFactory(objective=ObjectiveFactory(plan=plan))
    RequirementFactory(intervention=intervention, year=2020, amount_usd=Decimal("1000.50"))
    RequirementFactory(intervention=intervention, year=2022, amount_usd=Decimal("0.25"))
    other = InterventionFactory(objective=ObjectiveFactory(plan=plan))
    RequirementFactory(intervention=other, year=2022, amount_usd=Decimal("99.75"))
    activity = _activity(_get(api_client), "multi-year")
    budgets = [
        (b.find("period-start").get("iso-date"), b.findtext("value"))
        for b in activity.findall("budget")
    ]
    assert budgets == [("2020-01-01", "1000.50"), ("2022-01-01", "100.00")]  # 2021: uncosted


def test_transactions_are_the_contributions_in_their_original_currency(api_client, demo):
    document = _get(api_client)
    contributions = api_client.get("/api/v1/contributions/?page_size=500").json()["results"]
    types = {"committed": "11", "paid": "12", "pledged": "13"}
    for slug in ("tajikistan-crp-2020", "pakistan-crp-2020-2021"):
        expected = sorted(
            (
                types[c["status"]],
                c["contributed_on"],
                c["amount"],
                c["currency"]["code"],
                c["donor"]["name"],
                c["reference"],
            )
            for c in contributions
            if c["plan"] == slug
        )
        got = sorted(
            (
                t.find("transaction-type").get("code"),
                t.find("transaction-date").get("iso-date"),
                t.findtext("value"),
                t.find("value").get("currency"),
                t.findtext("provider-org/narrative"),
                t.get("ref", ""),
            )
            for t in _activity(document, slug).iter("transaction")
        )
        assert got == expected and got
        for t in _activity(document, slug).iter("transaction"):
            assert t.find("value").get("value-date") == t.find("transaction-date").get("iso-date")
    assert {row[0] for row in got} <= set(types.values())


def test_each_status_has_its_transaction_type_and_the_usd_is_in_the_description(api_client):
    plan = PlanFactory(slug="funded")
    donor = DonorFactory(name="Switzerland")
    chf = Currency.objects.get(code="CHF")
    ExchangeRateFactory(currency=chf, rate_on=datetime.date(2020, 1, 1), units_per_usd="0.999")
    for status, on in (
        (Contribution.Status.PLEDGED, datetime.date(2020, 1, 5)),
        (Contribution.Status.COMMITTED, datetime.date(2020, 2, 5)),
        (Contribution.Status.PAID, datetime.date(2020, 3, 5)),
    ):
        ContributionFactory(
            plan=plan,
            donor=donor,
            status=status,
            amount=Decimal("1000000.00"),
            currency=chf,
            contributed_on=on,
        )
    activity = _activity(_get(api_client), "funded")
    rows = [
        (
            t.find("transaction-type").get("code"),
            t.find("value").get("value-date"),
            t.findtext("value"),
            t.find("value").get("currency"),
            t.find("provider-org").get("type"),
            t.findtext("description/narrative"),
        )
        for t in activity.iter("transaction")
    ]
    words = "USD 1001001.00 at 0.999 CHF per USD, the rate in force on"
    assert rows == [
        ("13", "2020-01-05", "1000000.00", "CHF", "10", f"{words} 2020-01-05."),
        ("11", "2020-02-05", "1000000.00", "CHF", "10", f"{words} 2020-02-05."),
        ("12", "2020-03-05", "1000000.00", "CHF", "10", f"{words} 2020-03-05."),
    ]
    funders = [p for p in activity.iter("participating-org") if p.get("role") == "1"]
    assert [(p.findtext("narrative"), p.get("type")) for p in funders] == [("Switzerland", "10")]


def test_multi_country_percentages_follow_the_requirements_and_add_up_to_100(api_client):
    plan = PlanFactory(slug="central-asia", countries=["TJK", "KGZ", "UZB"])
    objective = ObjectiveFactory(plan=plan)
    in_tajikistan = InterventionFactory(objective=objective, country=country("TJK"))
    RequirementFactory(intervention=in_tajikistan, amount_usd=Decimal("600.00"))
    RequirementFactory(
        intervention=InterventionFactory(objective=objective), amount_usd=Decimal("300.00")
    )
    uncosted = PlanFactory(slug="uncosted-region", countries=["TJK", "KGZ", "UZB"])
    document = _get(api_client)
    shares = {
        c.get("code"): c.get("percentage")
        for c in _activity(document, "central-asia").iter("recipient-country")
    }
    # TJK: 600 + a third of the 300 not in one country = 700 of 900.
    assert shares == {"KG": "11.11", "TJ": "77.78", "UZ": "11.11"}
    assert sum(Decimal(v) for v in shares.values()) == Decimal("100")
    even = [
        Decimal(c.get("percentage"))
        for c in _activity(document, uncosted.slug).iter("recipient-country")
    ]
    assert sorted(even) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert _activity(document, "central-asia").find("activity-scope").get("code") == "3"


def test_sectors_carry_dac_codes_or_the_organisations_vocabulary(api_client):
    shelter = Sector.objects.get(slug="shelter-and-settlements")
    tracking = Sector.objects.get(slug="displacement-tracking")
    assert (shelter.dac_code, tracking.dac_code) == ("72010", None)  # migration 0008
    plan = PlanFactory(slug="sectors")
    objective = ObjectiveFactory(plan=plan)
    for sector, amount in ((shelter, "750.00"), (tracking, "100.00")):
        RequirementFactory(
            intervention=InterventionFactory(objective=objective, sector=sector),
            amount_usd=Decimal(amount),
        )
    health = Sector.objects.get(slug="health-system-strengthening")
    RequirementFactory(
        intervention=InterventionFactory(objective=objective, sector=health),
        amount_usd=Decimal("250.00"),
    )
    sectors = [
        (s.get("vocabulary"), s.get("code"), s.get("percentage"), s.findtext("narrative"))
        for s in _activity(_get(api_client), "sectors").iter("sector")
    ]
    # Within each vocabulary the percentages add up to 100 (IATI's rule).
    assert sectors == [
        ("1", "12110", "25.00", "Health system strengthening"),
        ("1", "72010", "75.00", "Shelter and settlements"),
        ("99", "displacement-tracking", "100.00", "Displacement tracking"),
    ]


def test_filters_narrow_the_document_as_they_narrow_the_plans_list(api_client, demo):
    for query in ("?country=TJK", "?year=2021", "?search=tajik", "?region=asia-and-the-pacific"):
        plans = api_client.get(f"/api/v1/plans/{query}").json()["results"]
        expected = sorted(f"XI-IATI-CRPDEMO-{p['slug']}" for p in plans)
        assert sorted(_activities(_get(api_client, query))) == expected, query
        assert 0 < len(expected) < 2, query
    for query in ("?kind=flash", "?status=draft"):
        assert api_client.get(f"/api/v1/plans/{query}").json()["results"] == []
        response = api_client.get(f"{URL}{query}")
        assert response.status_code == 404, query
        assert "No published plan matches" in response.json()["detail"]
    assert sorted(_activities(_get(api_client, "?country=TJK"))) == [
        "XI-IATI-CRPDEMO-tajikistan-crp-2020"
    ]


def test_bad_filters_are_a_400_naming_the_parameter(api_client, demo):
    response = api_client.get(f"{URL}?year=twenty")
    assert response.status_code == 400 and "year" in response.json()
    response = api_client.get(f"{URL}?country=XXX")
    assert response.status_code == 400 and "country" in response.json()
    response = api_client.get(f"{URL}?page_size=5", HTTP_ACCEPT="application/xml")
    assert response.status_code == 400
    assert "Unknown query parameter" in response.json()["page_size"][0]


def _plans(count: int, start: int) -> None:
    donor = DonorFactory(name="Donor for sizes")
    for n in range(start, start + count):
        plan = PlanFactory(slug=f"size-{n}", countries=["TJK", "KGZ"])
        objective = ObjectiveFactory(plan=plan)
        intervention = InterventionFactory(objective=objective, country=country("KGZ"))
        RequirementFactory(intervention=intervention)
        ContributionFactory(plan=plan, donor=donor)
        ContributionFactory(plan=plan, donor=donor, status=Contribution.Status.PLEDGED)


def test_the_query_count_does_not_grow_with_the_plans(api_client):
    counts = []
    for size, start in ((1, 0), (6, 1)):
        _plans(size, start)
        with CaptureQueriesContext(connection) as queries:
            document = _get(api_client)
        assert len(_activities(document)) == (1 if start == 0 else 7)
        counts.append(len(queries))
    assert counts[0] == counts[1] == 7, counts


def test_the_command_writes_the_same_document(api_client, demo, tmp_path):
    out = tmp_path / "iati.xml"
    stdout = StringIO()
    call_command("export_iati", str(out), stdout=stdout)
    assert "Wrote 2 IATI activities" in stdout.getvalue()
    written = etree.parse(str(out))
    served = _get(api_client)
    for document in (written, served):
        del document.getroot().attrib["generated-datetime"]
    assert etree.tostring(written) == etree.tostring(served)
    assert iati_errors(written) == []


def test_a_bad_file_path_is_a_clear_error_and_writes_nothing(demo, tmp_path):
    missing = tmp_path / "no-such-directory" / "iati.xml"
    with pytest.raises(CommandError, match=r"Cannot write .*no-such-directory.*No such file"):
        call_command("export_iati", str(missing))
    with pytest.raises(CommandError, match="it is a directory"):
        call_command("export_iati", str(tmp_path))
    assert list(tmp_path.iterdir()) == []


def test_no_published_plan_is_a_clear_error(tmp_path):
    PlanFactory(status=Plan.Status.DRAFT)
    with pytest.raises(CommandError, match="No plan is published"):
        call_command("export_iati", str(tmp_path / "iati.xml"))
    assert list(tmp_path.iterdir()) == []


def test_the_export_is_refused_whole_when_it_would_not_validate(
    api_client, demo, tmp_path, settings
):
    settings.IATI_REPORTING_ORG_REF = ""  # reporting-org's ref is required by the schema
    out = tmp_path / "iati.xml"
    with pytest.raises(CommandError, match="does not validate; nothing was written") as error:
        call_command("export_iati", str(out))
    assert "ref" in str(error.value)
    assert not out.exists()
    response = api_client.get(URL)
    assert response.status_code == 503
    assert "IATI settings" in response.json()["detail"]


def test_characters_xml_cannot_carry_are_left_out(api_client):
    PlanFactory(slug="pasted", vision_statement="Saving lives\x0b and \x0cprotecting people")
    activity = _activity(_get(api_client), "pasted")
    assert activity.findtext("description/narrative") == "Saving lives and protecting people"


def test_a_plan_recomputed_rollup_matches_the_budgets(api_client):
    plan = PlanFactory(slug="recomputed", start_year=2021, end_year=2022)
    intervention = InterventionFactory(objective=ObjectiveFactory(plan=plan))
    RequirementFactory(intervention=intervention, year=2021, amount_usd=Decimal("10.10"))
    RequirementFactory(intervention=intervention, year=2022, amount_usd=Decimal("20.20"))
    funding_services.plan_rollup_recompute(plan_id=plan.pk)
    required = api_client.get("/api/v1/plans/recomputed/").json()["funding_required"]
    budgets = _activity(_get(api_client), "recomputed").findall("budget")
    assert (
        sum(_money(b.findtext("value")) for b in budgets) == Decimal(required) == Decimal("30.30")
    )


def test_the_openapi_schema_declares_an_xml_string_and_describes_every_filter(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--file", str(out))
    operation = yaml.safe_load(out.read_text())["paths"][URL]["get"]
    assert operation["responses"]["200"]["content"] == {
        "application/xml": {"schema": {"type": "string"}}
    }
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"country", "region", "year", "kind", "status", "search", "donor"} | {
        "strategic_objective",
        "sector",
        "plan_type",
        "modality",
        "priority",
        "updated_since",
        "lang",
    } | {"min_gap", "max_gap", "min_coverage", "max_coverage"}
    assert all(p["description"] for p in operation["parameters"])
    assert "application/json" in operation["responses"]["400"]["content"]


def test_administrators_set_a_sectors_dac_code_of_five_digits(api_client, superuser):
    tracking = Sector.objects.get(slug="displacement-tracking")
    plan = PlanFactory(slug="tracked")
    InterventionFactory(objective=ObjectiveFactory(plan=plan), sector=tracking)
    api_client.force_authenticate(superuser)
    url = f"/api/v1/sectors/{tracking.pk}/"
    for bad in ("7201", "72O10", "720100"):
        response = api_client.patch(url, {"dac_code": bad}, format="json")
        assert response.status_code == 400 and "dac_code" in response.json(), bad
    response = api_client.patch(url, {"dac_code": "72050"}, format="json")
    assert response.status_code == 200 and response.json()["dac_code"] == "72050"
    api_client.force_authenticate(None)
    sector = _activity(_get(api_client), "tracked").find("sector")
    assert (sector.get("vocabulary"), sector.get("code"), sector.get("percentage")) == (
        "1",
        "72050",
        "100.00",
    )
