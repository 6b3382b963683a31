"""Writes of interventions and their activities (STYLE §4).

The permission check is inside each service, so the admin and the API cannot skip it. Each is
a whole edit of its plan, or, given `edit=` (plans.services.plan_content_lock), one part of the
caller's edit. Yearly requirements are money, and moving an intervention takes its earmarked
contributions along: both are funding's (funding.services.intervention_save writes an
intervention with its requirements, moving it when its objective changes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from objectives.models import Objective
from plans.history_records import record_as
from plans.models import Plan
from plans.services import catalog_entries_check, fields_check, plan_content_lock
from plans.translated import ACTIVITY_TEXTS, INTERVENTION_TEXTS, translation_fields

from .models import Activity, Intervention, PlanType, Sector

INTERVENTION_FIELDS = (
    "title",
    "position",
    "sector",
    "narrative",
    "people_targeted",
    "country",
    *translation_fields(*INTERVENTION_TEXTS),  # interventions/translation.py
)
# An activity's text and its translations: an activity is given as its text alone or as these.
ACTIVITY_FIELDS = (*ACTIVITY_TEXTS, *translation_fields(*ACTIVITY_TEXTS))
ActivityGiven = str | Mapping[str, str | None]


def intervention_catalog_check(
    *,
    intervention: Intervention,
    plan: Plan,
    plan_types,
    stored_sector_id: int | None = None,
    moved: bool = False,
) -> None:
    """Refuse a retired sector or plan type newly chosen for `intervention` in `plan` (see
    plans.services.catalog_entries_check): a new sector (other than `stored_sector_id`), new
    plan types, or all of them when it `moved` to another plan. Queries only for a retired one."""
    if intervention.sector_id is not None and (moved or intervention.sector_id != stored_sector_id):
        catalog_entries_check(plan=plan, field="sector", entries=[intervention.sector])
    if plan_types is None:
        if not moved:
            return
        plan_types = intervention.plan_types.all()
    retired = [t for t in plan_types if t.retired_on is not None]
    if retired and intervention.pk is not None and not moved:
        kept = set(intervention.plan_types.values_list("pk", flat=True))
        retired = [t for t in retired if t.pk not in kept]
    catalog_entries_check(plan=plan, field="plan_types", entries=retired)


def intervention_country_check(*, intervention: Intervention, plan: Plan) -> None:
    """Refuse a country that is not one of the plan's: the by-country groups count the
    intervention there, so it must be a place the plan covers. Ref: #12, item 3."""
    if intervention.country_id is None:
        return
    if not plan.countries.filter(pk=intervention.country_id).exists():
        names = ", ".join(plan.countries.order_by("name").values_list("name", flat=True))
        raise ValidationError(
            {
                "country": _("“%(country)s” is not one of this plan's countries (%(countries)s).")
                % {"country": intervention.country, "countries": names or _("none")}
            }
        )


def _intervention_save(
    intervention: Intervention,
    plan_types,
    activities,
    actor,
    *,
    plan: Plan,
    stored_sector_id: int | None = None,
):
    if plan_types is not None:
        plan_types = list(plan_types)
    intervention_catalog_check(
        intervention=intervention,
        plan=plan,
        plan_types=plan_types,
        stored_sector_id=stored_sector_id,
    )
    intervention_country_check(intervention=intervention, plan=plan)
    if intervention.pk is None and not intervention.position:
        # A new row without a position goes after the objective's last: entry order (#13).
        last = (
            Intervention.objects.filter(objective_id=intervention.objective_id)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        intervention.position = (last or 0) + 1
    record_as(intervention, user=actor)
    intervention.full_clean()
    intervention.save()  # auto_now: children have no timestamp, the intervention dates them
    if plan_types is not None:
        plan_types = list(plan_types)
        if {p.pk for p in plan_types} != set(intervention.plan_types.values_list("pk", flat=True)):
            intervention.plan_types.set(plan_types)
    if activities is not None:
        _activities_write(intervention, activities)
    return intervention


def activity_texts(activity: ActivityGiven) -> dict[str, str | None]:
    """An activity as given (its English text, or its texts by field: text, text_fr, …) as
    every field of ACTIVITY_FIELDS; a translation not given is empty (None)."""
    given = {"text": activity} if isinstance(activity, str) else dict(activity)
    fields_check(given, ACTIVITY_FIELDS)
    return {name: given.get(name) or None for name in ACTIVITY_FIELDS} | {
        "text": given.get("text") or ""
    }


def _activities_write(intervention: Intervention, texts: Sequence[ActivityGiven]) -> None:
    rows = [activity_texts(t) for t in texts]
    current = list(intervention.activities.order_by("position", "id").values(*ACTIVITY_FIELDS))
    if current == rows:
        return  # unchanged: keep the rows (and their history) as they are
    intervention.activities.all().delete()
    activities = [
        Activity(intervention=intervention, position=i, **row) for i, row in enumerate(rows)
    ]
    for activity in activities:
        activity.full_clean(exclude=["intervention"])
    # With their history records: a plan's past (as-of pages, restore) must know these lines.
    bulk_create_with_history(activities, Activity)


@transaction.atomic
def intervention_create(
    *,
    objective: Objective,
    title: str,
    actor,
    plan_types: Iterable[PlanType] = (),
    activities: Sequence[ActivityGiven] = (),
    sector: Sector | None = None,
    edit: Plan | None = None,
    **fields,
) -> Intervention:
    """Add an intervention with its activities under an objective of a plan the actor edits."""
    fields_check(fields, INTERVENTION_FIELDS)
    plan = plan_content_lock(
        plan_id=objective.plan_id,
        actor=actor,
        reason=_("Intervention added: %s") % title,
        edit=edit,
    )
    intervention = Intervention(objective=objective, title=title, sector=sector, **fields)
    return _intervention_save(intervention, plan_types, activities, actor, plan=plan)


@transaction.atomic
def intervention_update(
    *,
    intervention: Intervention,
    actor,
    plan_types: Iterable[PlanType] | None = None,
    activities: Sequence[ActivityGiven] | None = None,
    expected_version: int | None = None,
    edit: Plan | None = None,
    **fields,
) -> Intervention:
    """Change an intervention under its objective; activities, when given, replace the current
    ones. `expected_version` is its plan's version the change was made on (None: not checked).
    """
    fields_check(fields, INTERVENTION_FIELDS)
    intervention = Intervention.objects.select_related("objective").get(pk=intervention.pk)
    plan = plan_content_lock(
        plan_id=intervention.objective.plan_id,
        actor=actor,
        reason=_("Intervention changed: %s") % intervention.title,
        expected_version=expected_version,
        row=intervention,
        yours=fields,
        edit=edit,
    )
    stored_sector_id = intervention.sector_id
    for name, value in fields.items():
        setattr(intervention, name, value)
    return _intervention_save(
        intervention, plan_types, activities, actor, plan=plan, stored_sector_id=stored_sector_id
    )


@transaction.atomic
def activities_replace(
    *,
    intervention: Intervention,
    texts: Sequence[ActivityGiven],
    actor,
    edit: Plan | None = None,
) -> None:
    """Set an intervention's activities to `texts`, in order: each its English text, or its
    texts by field with translations (activity_texts)."""
    plan_content_lock(
        plan_id=intervention.objective.plan_id,
        actor=actor,
        reason=_("Activities changed: %s") % intervention.title,
        edit=edit,
    )
    _activities_write(intervention, texts)


@transaction.atomic
def intervention_delete(
    *,
    intervention: Intervention,
    actor,
    expected_version: int | None = None,
    edit: Plan | None = None,
) -> None:
    """Delete an intervention with its activities and requirements, unless money is earmarked
    to it (correct or move those contributions first: money is never deleted with content)."""
    intervention = Intervention.objects.select_related("objective").get(pk=intervention.pk)
    plan_content_lock(
        plan_id=intervention.objective.plan_id,
        actor=actor,
        reason=_("Intervention deleted: %s") % intervention.title,
        expected_version=expected_version,
        row=intervention,
        edit=edit,
    )
    # Contributions are funding's rows, read through their reverse relation (domain order).
    if intervention.contributions.exists():
        raise ValidationError(
            _(
                "Intervention “%(title)s” has contributions earmarked to it; correct or move "
                "them before deleting it."
            )
            % {"title": intervention.title}
        )
    record_as(intervention, user=actor)
    intervention.delete()
