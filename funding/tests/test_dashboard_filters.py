"""The dashboard's filters narrow every chart and table on it, by the same rules as the API's
summary; each chart lists the largest gaps first, 15 groups, with a link to all (issue #12,
item 2)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import lxml.html
import pytest

from crp_portal.testing import public_pages  # noqa: F401  (fixture)
from funding import services
from funding.tests.factories import ContributionFactory, RequirementFactory
from interventions.models import Sector
from interventions.tests.factories import InterventionFactory
from objectives.tests.factories import ObjectiveFactory
from plans.models import Country, Plan
from plans.tests.factories import PlanFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_pages")]

CHARTS = {
    "By country": "country",
    "By region": "region",
    "By year": "year",
    "By strategic objective": "strategic_objective",
    "By sector": "sector",
    "By donor": "donor",
}


def _table(html: str, dimension: str) -> list[list[str]]:
    """The rows of a chart's data table, as a reader sees them."""
    tree = lxml.html.fromstring(html)
    body = tree.get_element_by_id(f"chart-{dimension}").find(".//tbody")
    return [[cell.text_content().strip() for cell in row] for row in body.findall("tr")]


def _csv(response) -> list[dict]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _money(value: str | None) -> str | None:
    return None if value in ("", None) else f"{Decimal(value):.2f}"


@pytest.fixture
def many_countries():
    """Twenty one-country plans, country n requiring 100,000 × (n + 1) and receiving 50,000 ×
    n (so gaps differ), in two sectors, over two years."""
    sectors = list(Sector.objects.order_by("slug")[:2])
    countries = list(Country.objects.exclude(region=None).order_by("iso3")[:20])
    for n, country in enumerate(countries):
        plan = PlanFactory(slug=f"plan-{n}", countries=[country.iso3], end_year=2021)
        intervention = InterventionFactory(
            objective=ObjectiveFactory(plan=plan), sector=sectors[n % 2], country=None
        )
        RequirementFactory(
            intervention=intervention, year=2020 + n % 2, amount_usd=Decimal(100_000 * (n + 1))
        )
        if n:
            ContributionFactory(
                plan=plan,
                intervention=intervention,
                amount=Decimal(50_000 * n),
                years=[(2020 + n % 2, Decimal(50_000 * n))],
            )
        services.plan_rollup_recompute(plan_id=plan.pk)
    services.group_rollups_recompute()
    return {"countries": countries, "sectors": sectors}


def test_each_chart_shows_the_15_largest_gaps_first_and_links_to_all(client, many_countries):
    html = client.get("/funding/").text
    rows = _table(html, "country")
    assert len(rows) == 15
    gaps = [Decimal(r[4].replace("$", "").replace(",", "")) for r in rows]
    assert gaps == sorted(gaps, reverse=True)
    # Country n's gap is 100,000 × (n + 1) − 50,000 × n = 50,000 × n + 100,000: the last first.
    assert rows[0][0] == many_countries["countries"][19].name
    tree = lxml.html.fromstring(html)
    link = tree.xpath('//a[contains(., "Show all 20")]')[0].get("href")
    assert link.startswith("/funding/?show=country")
    everything = _table(client.get(link).text, "country")
    assert len(everything) == 20
    assert everything[:15] == rows
    # The download always carries every group.
    by_country = [r for r in _csv(client.get("/funding/?format=csv")) if r["chart"] == "By country"]
    assert len(by_country) == 20


def test_filters_narrow_every_chart_and_agree_with_the_api(client, api_client, many_countries):
    sector = many_countries["sectors"][0]
    query = f"sector={sector.slug}&year=2020"
    rows = _csv(client.get(f"/funding/?{query}&format=csv"))
    for chart, dimension in CHARTS.items():
        page = {
            r["group"]: (_money(r["required_usd"]), _money(r["received_usd"]))
            for r in rows
            if r["chart"] == chart
        }
        api = api_client.get(f"/api/v1/funding/summary/?group_by={dimension}&{query}").json()
        expected = {
            ("Not specified" if g["key"] == "" else g["label"]): (
                g["funding_required"],
                g["funding_received"],
            )
            for g in api["results"]
        }
        assert page == expected, chart
    sectors = [r["group"] for r in rows if r["chart"] == "By sector"]
    assert sectors == [sector.name]  # the other sector's figures are narrowed away
    years = [r["group"] for r in rows if r["chart"] == "By year"]
    assert years == ["2020"]
    # Even plans (n = 0, 2, …, 18) are in the first sector and 2020: 10 countries.
    countries = [r for r in rows if r["chart"] == "By country"]
    assert len(countries) == 10
    required = sum(Decimal(r["required_usd"]) for r in countries)
    assert required == sum(Decimal(100_000 * (n + 1)) for n in range(0, 20, 2))
    unmet = [r for r in rows if r["chart"] == "Top unmet requirements"]
    assert len(unmet) == 10 and unmet[0]["gap_usd"] == "1000000.00"  # n = 18


def test_the_search_chooses_whole_plans(client, many_countries):
    Plan.objects.filter(slug="plan-3").update(title="Flood response")
    rows = _csv(client.get("/funding/?q=flood&format=csv"))
    countries = [r["group"] for r in rows if r["chart"] == "By country"]
    assert countries == [many_countries["countries"][3].name]
