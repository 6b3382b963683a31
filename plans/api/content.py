"""A plan's nested content for the API detail, read as plain values: one query per level (tags joined to their row).

Building model instances for every objective, intervention, activity and requirement (and a
prefetch per relation) cost ~4.5x the raw-SQL floor of the same fields (bench/api.py). Here each
level is one `values_list` query — ordered as the page reads, with its rollup figures joined —
and the dicts are put together in Python. The serializers in serializers.py stay the schema
(checked against responses by schemathesis), and test_api.py pins the output to them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from crp_portal.api.fields import FIGURES
from crp_portal.api.representations import iso_date, iso_datetime, money_text
from crp_portal.translated_columns import translated_text
from funding.models import PlanYearRollup, Requirement
from interventions.models import Activity, Intervention
from objectives.models import Objective

from ..indicators import indicator_text, value_text
from ..models import ContextIndicator, OperationalPresence, Plan, PlanYear
from ..translated import (
    ACTIVITY_TEXTS,
    ENGLISH,
    INTERVENTION_TEXTS,
    OBJECTIVE_TEXTS,
    PLAN_TEXTS,
    active_language,
    fallback_state,
)
from .content_sql import content_json

ROLLUP_FIGURES = [f"rollup__{name}" for name in FIGURES.values()]


def _figures(values) -> dict[str, str | None]:
    """The five figures from a row's trailing rollup columns (all None: no rollup → null)."""
    return {name: money_text(value) for name, value in zip(FIGURES, values, strict=True)}


@dataclass(frozen=True)
class PlanContent:
    countries: list[dict]
    years: list[dict]
    objectives: list[dict]
    operational_presence: list[dict]
    indicators: list[dict]
    modalities: list[dict]
    priorities: list[dict]
    last_changed: datetime.datetime | None  # latest updated_at of objectives, interventions…
    texts_fallback: str | None  # None, SOME or ALL texts in English instead (plans.translated)


def _years(plan: Plan) -> list[dict]:
    stated = {
        row[0]: row[1:]
        for row in PlanYear.objects.filter(plan_id=plan.pk).values_list(
            "year", "people_in_need", "people_targeted", "entities_targeted"
        )
    }
    figures = {
        row[0]: row[1:]
        for row in PlanYearRollup.objects.filter(plan_id=plan.pk).values_list(
            "year", *FIGURES.values()
        )
    }
    years = []
    for year in plan.years:
        people = stated.get(year, (None, None, None))
        years.append(
            {
                "year": year,
                "people_in_need": people[0],
                "people_targeted": people[1],
                "entities_targeted": people[2],
                **_figures(figures.get(year, (None,) * len(FIGURES))),
            }
        )
    return years


def _presence(plan: Plan) -> list[dict]:
    rows = (
        OperationalPresence.objects.filter(plan_id=plan.pk)
        .order_by("country__name", "id")
        .values_list(
            "country__iso3",
            "country__name",
            "international_staff",
            "national_staff",
            "field_offices",
            "as_of_on",
            "as_of_precision",
        )
    )
    return [
        {
            "country": {"code": code, "name": name},
            "international_staff": international,
            "national_staff": national,
            "field_offices": offices,
            "as_of": iso_date(as_of),
            "as_of_precision": precision,
        }
        for code, name, international, national, offices, as_of, precision in rows
    ]


INDICATOR_VALUES = ("kind", "year", "value", "of_total", "label", "source", "source_url")


def indicator_json(row: dict) -> dict:
    """An indicator as the API gives it, from its stored values (the value a Decimal or its
    text): its kind's name, the value as the page writes it, and the page's text."""
    kind = row["kind"]
    value = None if row["value"] is None else Decimal(row["value"])
    return {
        "kind": kind,
        "name": str(ContextIndicator.Kind(kind).label),
        "year": row["year"],
        "value": value_text(kind=kind, value=value),
        "of_total": row["of_total"],
        "label": row["label"],
        "text": indicator_text(
            kind=kind, value=value, of_total=row["of_total"], label=row["label"]
        ),
        "source": row["source"],
        "source_url": row["source_url"],
    }


def _indicators(plan: Plan) -> list[dict]:
    kinds = list(ContextIndicator.Kind.values)
    rows = ContextIndicator.objects.filter(plan_id=plan.pk).values(*INDICATOR_VALUES)
    return [indicator_json(row) for row in sorted(rows, key=lambda r: kinds.index(r["kind"]))]


def _choices(plan: Plan, field: str) -> list[dict]:
    entries = getattr(plan, field).order_by("position", "name").values("slug", "name")
    return [{"slug": e["slug"], "name": e["name"]} for e in entries]


def _tagged(row: tuple) -> tuple[tuple, tuple]:
    """A row of a parent LEFT JOINed to one of its tags (a plan type, a target group): the
    parent's columns, and the tag's (slug, name) — (None, None) when it has none."""
    return row[:-2], row[-2:]


def _interventions(plan: Plan) -> tuple[dict[int, list[dict]], list[datetime.datetime]]:
    """Interventions by objective id, with plan types, activities and requirements; and their
    dates. Children are found by a subquery of the plan's intervention ids (an index lookup),
    not by joining every activity to its intervention and objective to filter on the plan."""
    ids = Intervention.objects.filter(objective__plan_id=plan.pk).values("id")
    activities: dict[int, list[dict]] = defaultdict(list)
    for intervention_id, pk, position, text in (
        Activity.objects.filter(intervention_id__in=ids)
        .order_by("position", "id")
        .values_list("intervention_id", "id", "position", "text")
    ):
        activities[intervention_id].append({"id": pk, "position": position, "text": text})
    requirements: dict[int, list[dict]] = defaultdict(list)
    dates = []
    for intervention_id, year, amount, updated_at in (
        Requirement.objects.filter(intervention_id__in=ids)
        .order_by("year")
        .values_list("intervention_id", "year", "amount_usd", "updated_at")
    ):
        requirements[intervention_id].append({"year": year, "funding_required": money_text(amount)})
        dates.append(updated_at)
    # One row per intervention and plan type: the types come with it, not by a query of their own.
    rows = (
        Intervention.objects.filter(objective__plan_id=plan.pk)
        .annotate(
            sector_name=translated_text("sector__name"),
            type_name=translated_text("plan_types__name"),
        )
        .order_by("position", "id", "type_name")
        .values_list(
            "id",
            "objective_id",
            "position",
            "title",
            "sector__slug",
            "sector_name",
            "country__iso3",
            "narrative",
            "people_targeted",
            "updated_at",
            *ROLLUP_FIGURES,
            "plan_types__slug",
            "type_name",
        )
    )
    by_objective: dict[int, list[dict]] = defaultdict(list)
    last: dict | None = None
    for row in rows:
        (
            (
                pk,
                objective_id,
                position,
                title,
                sector,
                sector_name,
                country,
                narrative,
                people,
                updated,
                *money,
            ),
            (
                type_slug,
                type_name,
            ),
        ) = _tagged(row)
        if last is None or last["id"] != pk:
            last = {
                "id": pk,
                "position": position,
                "title": title,
                "sector": {"slug": sector, "name": sector_name} if sector else None,
                "country": country,
                "plan_types": [],
                "narrative": narrative,
                "people_targeted": people,
                "activities": activities.get(pk, []),
                "requirements": requirements.get(pk, []),
                "updated_at": iso_datetime(updated),
                **_figures(money),
            }
            by_objective[objective_id].append(last)
            dates.append(updated)
        if type_slug is not None:
            last["plan_types"].append({"slug": type_slug, "name": type_name})
    return by_objective, dates


def _objectives(plan: Plan, interventions: dict[int, list[dict]], dates: list) -> list[dict]:
    """The plan's objectives with their target groups (one row per group, as for plan types)."""
    rows = (
        Objective.objects.filter(plan_id=plan.pk)
        .annotate(
            so_title=translated_text("strategic_objective__title"),
            group_name=translated_text("target_groups__name"),
        )
        .order_by("strategic_objective__number", "group_name")
        .values_list(
            "id",
            "strategic_objective__number",
            "so_title",
            "people_description",
            "narrative",
            "people_targeted",
            "entities_targeted",
            "updated_at",
            *ROLLUP_FIGURES,
            "target_groups__slug",
            "group_name",
        )
    )
    objectives: list[dict] = []
    for row in rows:
        (
            (pk, number, so_title, description, narrative, people, entities, updated, *money),
            (
                group_slug,
                group_name,
            ),
        ) = _tagged(row)
        if not objectives or objectives[-1]["id"] != pk:
            objectives.append(
                {
                    "id": pk,
                    "strategic_objective": {"number": number, "title": so_title},
                    "people_description": description,
                    "target_groups": [],
                    "narrative": narrative,
                    "people_targeted": people,
                    "entities_targeted": entities,
                    "updated_at": iso_datetime(updated),
                    **_figures(money),
                    "interventions": interventions.get(pk, []),
                }
            )
            dates.append(updated)
        if group_slug is not None:
            objectives[-1]["target_groups"].append({"slug": group_slug, "name": group_name})
    return objectives


def _texts_fallback(plan: Plan) -> str | None:
    """The plan page's fallback_state for the plan's texts (content_sql computes it in SQL)."""
    if active_language() == ENGLISH:
        return None
    texts: list[tuple] = [(plan, f) for f in PLAN_TEXTS]
    texts += [(o, f) for o in Objective.objects.filter(plan=plan) for f in OBJECTIVE_TEXTS]
    rows = Intervention.objects.filter(objective__plan=plan)
    texts += [(i, f) for i in rows for f in INTERVENTION_TEXTS]
    rows = Activity.objects.filter(intervention__objective__plan=plan)
    texts += [(a, f) for a in rows for f in ACTIVITY_TEXTS]
    return fallback_state(texts)


def content_by_level(plan: Plan) -> PlanContent:
    """The content read level by level, as plain values (SQLite has no json_agg; and it is the
    reference the PostgreSQL statement of content_sql.py is tested against)."""
    interventions, dates = _interventions(plan)
    objectives = _objectives(plan, interventions, dates)
    return PlanContent(
        countries=[
            {"code": code, "name": name}
            for code, name in plan.countries.order_by("name", "id").values_list("iso3", "name")
        ],
        years=_years(plan),
        objectives=objectives,
        operational_presence=_presence(plan),
        indicators=_indicators(plan),
        modalities=_choices(plan, "modalities"),
        priorities=_choices(plan, "priorities"),
        last_changed=max(dates, default=None),
        texts_fallback=_texts_fallback(plan),
    )


def plan_content(plan: Plan) -> PlanContent:
    """Countries, years, objectives (down to activities and requirements) and presence of one
    plan: on PostgreSQL in one statement that builds the JSON (content_sql.py)."""
    if connection.vendor != "postgresql":
        return content_by_level(plan)
    content, last_changed = content_json(plan.pk)
    return PlanContent(
        countries=content["countries"],
        years=content["years"],
        objectives=content["objectives"],
        operational_presence=content["operational_presence"],
        indicators=[indicator_json(row) for row in content["indicators"]],
        modalities=content["modalities"],
        priorities=content["priorities"],
        last_changed=last_changed,
        texts_fallback=content["texts_fallback"],
    )
