"""No double counting by country or region (issue #12, item 3). A regional plan for Afghanistan
and Iran requiring $1,000,000 once counted $1,000,000 in each country. Now an intervention that
names its country counts there, with the money earmarked to it; the rest of a multi-country
plan counts once, in a "multi-country" group of its region (or "multi-region"); and in every
grouping the groups add up to the plans' total. The same through the stored group rollups (the
API's summary), the filtered dashboard (added up from the plans' stored rollups) and its CSV.
"""

from __future__ import annotations

import csv
import io
import itertools
from decimal import Decimal

import pytest
from django.utils.text import slugify

from crp_portal.testing import public_pages  # noqa: F401  (fixture)
from funding import services
from funding.models import GroupRollupState, RollupFailure
from funding.selectors import group_figures
from funding.summary import SummaryFilters, summarise
from funding.tests.factories import ContributionFactory, DonorFactory, RequirementFactory
from interventions.tests.factories import InterventionFactory
from objectives.tests.factories import ObjectiveFactory
from plans.models import Country, Plan, Region
from plans.tests.factories import PlanFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("public_pages")]

M = Decimal("1000")


def _plan(slug: str, countries: list[str], parts: list[tuple[str | None, int, int]], plan_money=0):
    """A published 2020 plan: one intervention per part (its country or None, required and
    received in thousands), and money given to the plan itself."""
    plan = PlanFactory(slug=slug, countries=countries, status=Plan.Status.PUBLISHED)
    objective = ObjectiveFactory(plan=plan)
    donor = DonorFactory(name="Donor of tests")
    for iso3, required, received in parts:
        intervention = InterventionFactory(
            objective=objective, country=Country.objects.get(iso3=iso3) if iso3 else None
        )
        RequirementFactory(intervention=intervention, year=2020, amount_usd=required * M)
        if received:
            ContributionFactory(
                plan=plan, donor=donor, intervention=intervention, amount=received * M
            )
    if plan_money:
        ContributionFactory(plan=plan, donor=donor, amount=plan_money * M)
    services.plan_rollup_recompute(plan_id=plan.pk)
    return plan


def _groups(dimension: str) -> dict[str, tuple[str, Decimal | None, Decimal]]:
    return {
        g.key: (g.label, g.figures.required, g.figures.received) for g in group_figures(dimension)
    }


def _total(dimension: str) -> tuple[Decimal, Decimal]:
    groups = group_figures(dimension)
    return (
        sum((g.figures.required or 0 for g in groups), Decimal("0")),
        sum((g.figures.received for g in groups), Decimal("0")),
    )


def test_a_regional_plan_without_placed_interventions_counts_once_as_multi_country():
    _plan("afg-irn", ["AFG", "IRN"], [(None, 1000, 0)], plan_money=400)
    assert _groups("country") == {
        "multi-country-asia-and-the-pacific": (
            "Multi-country: Asia and the Pacific",
            Decimal("1000000.00"),
            Decimal("400000.00"),
        )
    }
    assert _groups("region") == {
        "asia-and-the-pacific": (
            "Asia and the Pacific",
            Decimal("1000000.00"),
            Decimal("400000.00"),
        )
    }


def test_a_regional_plan_of_a_long_named_region_gets_its_group():
    """ "multi-country-" and a region of the catalog make a 67-letter key: the group's key once
    held 64, and the recompute of that region's group failed every time (DataError)."""
    region_name = "South-Eastern Europe, Eastern Europe and Central Asia"
    region = Region.objects.get(slug=slugify(region_name))
    Country.objects.filter(iso3__in=["TJK", "TUR"]).update(region=region)
    _plan("tjk-tur", ["TJK", "TUR"], [(None, 1000, 0)], plan_money=400)
    services.group_rollups_recompute()
    key = f"multi-country-{region.slug}"
    assert len(key) > 64
    assert _groups("country")[key] == (
        f"Multi-country: {region_name}",
        Decimal("1000000.00"),
        Decimal("400000.00"),
    )
    assert not RollupFailure.objects.filter(scope=RollupFailure.Scope.GROUP).exists()
    assert not GroupRollupState.objects.get().is_stale


def test_placed_interventions_count_in_their_country_and_the_groups_add_up():
    _plan(
        "afg-irn",
        ["AFG", "IRN"],
        [("AFG", 600, 300), ("IRN", 300, 0), (None, 100, 20)],
        plan_money=50,
    )
    _plan("pak", ["PAK"], [("PAK", 150, 10), (None, 50, 0)], plan_money=5)
    _plan("syr-tur", ["SYR", "TUR"], [("SYR", 70, 7), (None, 30, 0)], plan_money=3)
    assert _groups("country") == {
        "AFG": ("Afghanistan", Decimal("600000.00"), Decimal("300000.00")),
        "IRN": ("Iran", Decimal("300000.00"), Decimal("0.00")),
        "multi-country-asia-and-the-pacific": (
            "Multi-country: Asia and the Pacific",
            Decimal("100000.00"),
            Decimal("70000.00"),  # the unplaced intervention's 20,000 and the plan's 50,000
        ),
        "PAK": ("Pakistan", Decimal("200000.00"), Decimal("15000.00")),
        "SYR": ("Syria", Decimal("70000.00"), Decimal("7000.00")),
        "multi-region": ("Multi-region", Decimal("30000.00"), Decimal("3000.00")),
    }
    regions = _groups("region")
    assert regions["asia-and-the-pacific"][1:] == (Decimal("1200000.00"), Decimal("385000.00"))
    assert regions["multi-region"][1:] == (Decimal("30000.00"), Decimal("3000.00"))
    # Every grouping adds up to the plans' total: 1,300,000 required, 395,000 received.
    plans = Plan.objects.filter(status=Plan.Status.PUBLISHED)
    required = sum(p.rollup.required_usd for p in plans)
    received = sum(p.rollup.received_usd for p in plans)
    assert (required, received) == (Decimal("1300000.00"), Decimal("395000.00"))
    for dimension in ("country", "region", "year", "strategic_objective", "sector"):
        assert _total(dimension) == (required, received), dimension


def _filtered(dimension: str) -> dict[str, tuple]:
    """The groups the filtered dashboard and the filtered API summary compute (funding.summary)."""
    groups = summarise((dimension,), SummaryFilters(year=2020))
    return {
        g.keys[0]: (g.labels[0], g.figures.required, g.figures.received, g.figures.gap)
        for g in groups
    }


def test_the_filtered_dashboard_places_money_as_the_stored_groups_do():
    _plan("afg-irn", ["AFG", "IRN"], [("AFG", 600, 300), ("IRN", 300, 0), (None, 100, 20)], 50)
    _plan("pak", ["PAK"], [(None, 200, 15)])
    # An uncosted part: the rest of a plan whose every requirement is placed.
    _plan("syr-tur", ["SYR", "TUR"], [("SYR", 70, 7), ("TUR", 30, 0)], plan_money=3)
    for dimension in ("country", "region"):
        stored = {
            g.key: (g.label, g.figures.required, g.figures.received, g.figures.gap)
            for g in group_figures(dimension)
        }
        assert _filtered(dimension) == stored, dimension
    assert _filtered("country")["multi-region"][1:3] == (None, Decimal("3000.00"))


def test_the_api_summary_and_the_dashboard_csv_count_a_regional_plan_once(api_client, client):
    _plan("afg-irn", ["AFG", "IRN"], [(None, 1000, 0)], plan_money=400)
    services.group_rollups_recompute()
    body = api_client.get("/api/v1/funding/summary/?group_by=country").json()
    rows = [(r["key"], r["funding_required"], r["funding_received"]) for r in body["results"]]
    assert rows == [("multi-country-asia-and-the-pacific", "1000000.00", "400000.00")]
    # The dashboard filtered by the plan's year (computed from source rows).
    response = client.get("/funding/?year=2020&format=csv")
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    countries = [row for row in table if "Multi-country: Asia and the Pacific" in row]
    assert len(countries) == 1, table
    assert not [row for row in table if "Afghanistan" in row or "Iran" in " ".join(row)]


def test_many_random_plans_add_up_in_every_grouping():
    """Plans of one to three countries across regions, parts placed or not: every grouping of
    country and region adds up to the plans' total, to the cent."""
    combos = itertools.cycle(
        [["AFG", "IRN"], ["PAK"], ["SYR", "TUR", "TJK"], ["TJK"], ["AFG", "SYR"]]
    )
    for n in range(8):
        plan_countries = next(combos)
        parts = [
            (plan_countries[(n + i) % len(plan_countries)] if (n + i) % 3 else None, 10 + i, i)
            for i in range(3)
        ]
        _plan(f"plan-{n}", plan_countries, parts, plan_money=n)
    plans = Plan.objects.filter(status=Plan.Status.PUBLISHED)
    expected = (
        sum(p.rollup.required_usd for p in plans),
        sum(p.rollup.received_usd for p in plans),
    )
    assert _total("country") == expected
    assert _total("region") == expected


def test_a_regional_plan_carries_its_badge_on_its_page_and_in_the_api(client, api_client):
    _plan("afg-irn", ["AFG", "IRN"], [(None, 1000, 0)])
    _plan("pak", ["PAK"], [(None, 200, 0)])
    assert '<p class="badge regional">Regional plan</p>' in client.get("/plans/afg-irn/").text
    assert "badge regional" not in client.get("/plans/pak/").text
    flags = {
        p["slug"]: p["is_regional"] for p in api_client.get("/api/v1/plans/").json()["results"]
    }
    assert flags == {"afg-irn": True, "pak": False}
