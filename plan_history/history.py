"""What did a plan say at a moment in the past: a snapshot read from the history tables.

One reader for the admin's as-of page and the API's as-of view, so both tell the same story.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from crp_portal.translated_columns import english_copies
from funding.models import Requirement
from interventions.models import Activity, Intervention, PlanType
from objectives.models import Objective, TargetGroup
from plans.models import ContextIndicator, OperationalPresence, Plan, PlanDocument, PlanYear
from plans.roles import user_countries

PLAN_FIELDS = [
    "title",
    "slug",
    "kind",
    "status",
    "start_year",
    "end_year",
    "vision_statement",
    "vision_narrative",
    "published_at",
    "version",
]


def parse_moment(value: str | None) -> datetime.datetime | None:
    """An ISO date or datetime from a query string; a date means the end of that day (UTC).
    None when missing or unreadable (the caller says so to the user)."""
    if not value:
        return None
    value = value.strip().replace(" ", "+")  # a "+02:00" offset arrives as " 02:00" in a URL
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is None:
                return None
            moment = datetime.datetime.combine(day, datetime.time.max)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, datetime.UTC)
    return moment


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _latest_records(model, *, at: datetime.datetime, parent: str, parent_ids) -> list:
    """The history records of `model` rows under `parent_ids` as they stood at `at`: each row's
    latest record up to then, rows deleted by then left out."""
    parent_ids = list(parent_ids)
    if not parent_ids:
        return []
    history = model.history
    ever = history.filter(**{f"{parent}__in": parent_ids}).values("id")
    # Latest of each row first, then the parent filter: a row that moved away by then is out.
    records = (
        history.filter(id__in=ever, history_date__lte=at)
        .latest_of_each()
        .filter(**{f"{parent}__in": parent_ids})
        .order_by("id", "history_date", "history_id")
    )
    latest = {}
    for record in records:  # two records of one row at the same instant: the later id wins
        latest[record.id] = record
    return [r for r in latest.values() if r.history_type != "-"]


def plan_records_as_of(*, plan_id: int, at: datetime.datetime) -> dict[str, list] | None:
    """The history records that make up a plan at `at`: "plan" (its own record) and a list per
    kind of row ("plan_years", "presences", "indicators", "objectives", "interventions", "activities",
    "requirements"). None when the plan did not exist then.

    The one reading of the past: the as-of pages and the restore (plan_history.restore) use it.
    """
    record = Plan.history.filter(id=plan_id, history_date__lte=at).first()
    if record is None or record.history_type == "-":
        return None
    tree: dict[str, list] = {"plan": [record]}
    tree["plan_years"] = _latest_records(PlanYear, at=at, parent="plan_id", parent_ids=[plan_id])
    tree["presences"] = _latest_records(
        OperationalPresence, at=at, parent="plan_id", parent_ids=[plan_id]
    )
    tree["indicators"] = _latest_records(
        ContextIndicator, at=at, parent="plan_id", parent_ids=[plan_id]
    )
    tree["objectives"] = _latest_records(Objective, at=at, parent="plan_id", parent_ids=[plan_id])
    tree["interventions"] = _latest_records(
        Intervention, at=at, parent="objective_id", parent_ids=[o.id for o in tree["objectives"]]
    )
    intervention_ids = [i.id for i in tree["interventions"]]
    tree["activities"] = _latest_records(
        Activity, at=at, parent="intervention_id", parent_ids=intervention_ids
    )
    tree["requirements"] = _latest_records(
        Requirement, at=at, parent="intervention_id", parent_ids=intervention_ids
    )
    return tree


def m2m_ids_then(record, name: str) -> list[int]:
    """Ids of the rows an m2m field of a history record pointed at."""
    target = record.instance_type._meta.get_field(name).m2m_reverse_field_name()
    return list(getattr(record, name).values_list(f"{target}_id", flat=True))


def plan_as_of(*, plan_id: int, at: datetime.datetime) -> dict | None:
    """The plan with its years, presence, objectives, interventions, activities and yearly
    requirements as they stood at `at`; None when the plan did not exist then."""
    tree = plan_records_as_of(plan_id=plan_id, at=at)
    if tree is None:
        return None
    record = tree["plan"][0]
    plan = {name: getattr(record, name) for name in PLAN_FIELDS}
    plan["published_at"] = plan["published_at"].isoformat() if plan["published_at"] else None
    plan["countries"] = sorted(c.country.iso3 for c in record.countries.select_related("country"))
    plan["as_of"] = at.isoformat()
    plan["recorded_at"] = record.history_date.isoformat()
    plan["recorded_by"] = str(record.history_user) if record.history_user_id else None
    plan["years"] = [
        {
            "year": y.year,
            "people_in_need": y.people_in_need,
            "people_targeted": y.people_targeted,
            "entities_targeted": y.entities_targeted,
        }
        for y in sorted(tree["plan_years"], key=lambda y: y.year)
    ]
    plan["operational_presence"] = [
        {
            "country": p.country.iso3,
            "international_staff": p.international_staff,
            "national_staff": p.national_staff,
            "field_offices": p.field_offices,
            "as_of_on": p.as_of_on.isoformat() if p.as_of_on else None,
        }
        for p in sorted(tree["presences"], key=lambda p: p.country.name)
    ]
    target_groups = dict(TargetGroup.objects.values_list("pk", "slug"))
    plan_types = dict(PlanType.objects.values_list("pk", "slug"))
    objectives = sorted(tree["objectives"], key=lambda o: o.strategic_objective.number)
    interventions = sorted(tree["interventions"], key=lambda i: (i.position, i.id))
    activities: dict[int, list] = {}
    for a in sorted(tree["activities"], key=lambda a: (a.position, a.id)):
        activities.setdefault(a.intervention_id, []).append(a.text)
    requirements: dict[int, list] = {}
    for r in sorted(tree["requirements"], key=lambda r: r.year):
        requirements.setdefault(r.intervention_id, []).append(
            {"year": r.year, "amount_usd": _money(r.amount_usd)}
        )
    plan["objectives"] = [
        {
            "id": o.id,
            "strategic_objective": o.strategic_objective.number,
            "title": o.strategic_objective.title,
            "people_targeted": o.people_targeted,
            "entities_targeted": o.entities_targeted,
            "narrative": o.narrative,
            "target_groups": sorted(
                target_groups.get(pk, str(pk)) for pk in m2m_ids_then(o, "target_groups")
            ),
            "interventions": [
                {
                    "id": i.id,
                    "title": i.title,
                    "sector": i.sector.name if i.sector_id else None,
                    "people_targeted": i.people_targeted,
                    "narrative": i.narrative,
                    "plan_types": sorted(
                        plan_types.get(pk, str(pk)) for pk in m2m_ids_then(i, "plan_types")
                    ),
                    "activities": activities.get(i.id, []),
                    "requirements": requirements.get(i.id, []),
                }
                for i in interventions
                if i.objective_id == o.id
            ],
        }
        for o in objectives
    ]
    return plan


def plan_may_see_drafts(*, plan: Plan, user) -> bool:
    """Whether this user sees the plan's unpublished states (its editors, reviewers, admins)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return plan.countries.filter(pk__in=user_countries(user).values("pk")).exists()


def plan_child_changes(*, plan: Plan, limit: int = 100) -> list[dict]:
    """Recent changes to the rows on a plan's page (years, presence, documents, indicators, objectives,
    interventions, activities, requirements), newest first, each with its changed fields (old → new)."""
    objective_ids = set(Objective.history.filter(plan_id=plan.pk).values_list("id", flat=True))
    intervention_ids = set(
        Intervention.history.filter(objective_id__in=objective_ids).values_list("id", flat=True)
    )
    sources = [
        PlanYear.history.filter(plan_id=plan.pk),
        OperationalPresence.history.filter(plan_id=plan.pk),
        PlanDocument.history.filter(plan_id=plan.pk),
        ContextIndicator.history.filter(plan_id=plan.pk),
        Objective.history.filter(plan_id=plan.pk),
        Intervention.history.filter(id__in=intervention_ids),
        Activity.history.filter(intervention_id__in=intervention_ids),
        Requirement.history.filter(intervention_id__in=intervention_ids),
    ]
    records = []
    for qs in sources:
        records += list(qs.select_related("history_user").order_by("-history_date")[:limit])
    records.sort(key=lambda r: r.history_date, reverse=True)
    out = []
    for record in records[:limit]:
        changes = []
        previous = record.prev_record if record.history_type == "~" else None
        if previous is not None:
            hidden = {"updated_at", "created_at"} | english_copies(type(record))
            delta = record.diff_against(previous, excluded_fields=hidden)
            changes = [(c.field, c.old, c.new) for c in delta.changes]
        out.append(
            {
                "at": record.history_date,
                "who": record.history_user or "—",
                "kind": record.instance._meta.verbose_name,
                "row": str(record.instance),
                "type": record.get_history_type_display(),
                "changes": changes,
            }
        )
    return out
