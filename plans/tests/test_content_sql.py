"""The plan detail's content as PostgreSQL builds it (plans/api/content_sql.py) is exactly what
the level-by-level reading gives (plans/api/content.py): the same keys, values, order and
formats, including the edge cases of the formats (a datetime on the whole second, a null
figure, a tag-less row, an empty objective, an empty plan)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from crp_portal.tests.api_data import plan_with_everything
from interventions.models import Intervention, PlanType
from interventions.tests.factories import ActivityFactory, InterventionFactory
from objectives.models import Objective, TargetGroup
from objectives.tests.factories import ObjectiveFactory
from plans.api.content import content_by_level, plan_content
from plans.api.content_sql import content_json
from plans.models import Country, CrossCuttingPriority, OperatingModality, Plan
from plans.tests.factories import PlanFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _same(plan: Plan) -> dict:
    expected = content_by_level(plan)
    built = plan_content(plan)
    parts = ("countries", "years", "objectives", "operational_presence", "last_changed")
    for part in (*parts, "indicators", "modalities", "priorities", "texts_fallback"):
        assert getattr(built, part) == getattr(expected, part), part
    return content_json(plan.pk)[0]


def test_the_demo_plans_read_the_same_both_ways(on_postgres, demo):
    for plan in Plan.objects.all():
        content = _same(plan)
        assert content["objectives"], plan.slug  # the demo plans have content to compare


def test_edge_cases_of_the_formats_read_the_same_both_ways(on_postgres):
    plan = plan_with_everything(slug="edges", countries=("AFG", "IRN"))
    objective = plan.objectives.first()
    objective.target_groups.set(TargetGroup.objects.order_by("name")[:2])
    tagged = objective.interventions.first()
    tagged.plan_types.set(PlanType.objects.order_by("name")[:2])
    tagged.country = Country.objects.get(iso3="IRN")
    tagged.save()
    # No sector, no rollup, no activities or requirements, a datetime on the whole second.
    bare = InterventionFactory(objective=objective, sector=None, title='Bare « ünïcode » "q"')
    on_the_second = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    Intervention.objects.filter(pk=bare.pk).update(updated_at=on_the_second)
    ActivityFactory(intervention=tagged, text="Line\nbreak and \u2028 separator")
    ObjectiveFactory(plan=plan)  # an objective with no interventions
    # Indicators of every kind (a whole and a decimal score, a rank, a label) and choices.
    for kind, value, of_total, label in [
        ("fragility", None, None, "Fragile"),
        ("inform_risk", Decimal("7.0"), None, ""),
        ("hdi_rank", Decimal("12"), 189, ""),
        ("inform_severity", Decimal("4.3"), None, "High"),
    ]:
        plan.indicators.create(kind=kind, year=2020, value=value, of_total=of_total, label=label)
    plan.modalities.set(
        OperatingModality.objects.filter(slug__in=["localization", "conflict-sensitivity"])
    )
    plan.priorities.set(CrossCuttingPriority.objects.all())
    content = _same(plan)
    assert [i["kind"] for i in content["indicators"]] == [
        "inform_risk", "inform_severity", "hdi_rank", "fragility"
    ]  # fmt: skip

    rows = {i["id"]: i for o in content["objectives"] for i in o["interventions"]}
    assert rows[bare.pk]["updated_at"] == "2026-01-02T03:04:05Z"
    assert rows[bare.pk]["sector"] is None
    assert rows[bare.pk]["funding_required"] is None  # no rollup yet: null, never "0.00"
    assert rows[bare.pk]["activities"] == [] and rows[bare.pk]["requirements"] == []
    assert rows[tagged.pk]["country"] == "IRN"
    assert [t["slug"] for t in rows[tagged.pk]["plan_types"]] == sorted(
        t["slug"] for t in rows[tagged.pk]["plan_types"]
    )
    assert content["countries"] == [
        {"code": "AFG", "name": "Afghanistan"},
        {"code": "IRN", "name": Country.objects.get(iso3="IRN").name},
    ]
    money = [i["requirements"][0]["funding_required"] for i in rows.values() if i["requirements"]]
    assert money and all(m == f"{Decimal(m):.2f}" for m in money)


def test_an_empty_plan_reads_the_same_both_ways(on_postgres):
    plan = PlanFactory(slug="empty", start_year=2024, end_year=2025)
    content = _same(plan)
    assert content["objectives"] == []
    assert [y["year"] for y in content["years"]] == [2024, 2025]
    assert content["years"][0]["funding_required"] is None
    assert Objective.objects.filter(plan=plan).count() == 0


def test_the_detail_reads_its_content_in_one_statement(on_postgres, api_client, demo):
    """The plan, then its whole content: two queries, whatever the plan's size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = api_client.get("/api/v1/plans/pakistan-crp-2020-2021/")
    assert response.status_code == 200
    content = [q["sql"] for q in queries.captured_queries if "json_agg" in q["sql"]]
    assert len(content) == 1


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_translated_texts_read_the_same_both_ways(on_postgres, demo, language):
    """In another language each text is its translation or its English, the same both ways,
    and both say that some texts fall back (then none, once everything is translated)."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat
    from django.utils import translation

    plan = demo["tajikistan-crp-2020"]
    Plan.objects.filter(pk=plan.pk).update(**{f"title_{language}": "Traduit"})
    intervention = Intervention.objects.filter(objective__plan=plan).first()
    Intervention.objects.filter(pk=intervention.pk).update(**{f"title_{language}": "Titre"})
    named = Concat(Value("Groupe "), Cast("id", CharField()))  # names are unique
    TargetGroup.objects.update(**{f"name_{language}": named})
    with translation.override(language):
        plan = Plan.objects.get(pk=plan.pk)
        content = _same(plan)
        assert plan_content(plan).texts_fallback == "some"
        titles = [i["title"] for o in content["objectives"] for i in o["interventions"]]
        assert "Titre" in titles and len(set(titles)) == len(titles)
        groups = [g["name"] for o in content["objectives"] for g in o["target_groups"]]
        assert groups and all(g.startswith("Groupe ") for g in groups)
    with translation.override("en"):
        assert plan_content(Plan.objects.get(pk=plan.pk)).texts_fallback is None
