"""Writes of plans: a plan's own fields, countries, ways of working (modalities, cross-cutting
priorities), yearly figures, context indicators and operational presence.
Every service checks the actor's permission itself (STYLE §2, §4).

A plan's `version` guards all of its content — the plan's own fields, its years and presence,
its objectives, interventions, activities and yearly requirements — as the admin's plan page
edits them all at once. Every content write begins with `plan_content_lock` (lock the plan row,
check permission, refuse a stale version, record the next one), so edits from the admin, the
API and imports never cross.

An *edit* is the plan returned by `plan_content_lock`. A caller that writes several parts of a
plan at once (the admin's plan page, an API write of an intervention with its requirements)
takes the lock once and passes the plan as `edit=` to each service, so the whole save is one
version of the plan; it then calls `plan_content_check` before its transaction ends.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crp_portal.concurrency import version_check, version_next

from .history_records import record_as
from .models import (
    ContextIndicator,
    Country,
    OperationalPresence,
    Plan,
    PlanYear,
    year_outside_period,
)
from .roles import Role, user_countries
from .translated import PLAN_TEXTS, translation_fields

PLAN_CONTENT_FIELDS = (
    "title",
    "slug",
    "kind",
    "vision_statement",
    "vision_narrative",
    "start_year",
    "end_year",
    "last_updated_on",
    # The texts in French, Spanish and Arabic (plans/translation.py); empty: not translated.
    *translation_fields(*PLAN_TEXTS),
)
PLAN_YEAR_FIGURES = ("people_in_need", "people_targeted", "entities_targeted")
INDICATOR_FIELDS = ("year", "value", "of_total", "label", "source", "source_url")
# A plan's choices from catalogs (many-to-many), by the service's argument name.
PLAN_CHOICES = ("modalities", "priorities")
PRESENCE_FIGURES = (
    "international_staff",
    "national_staff",
    "field_offices",
    "as_of_on",
    "as_of_precision",
)


def plan_check_editable(*, plan: Plan, actor) -> None:
    """Raise PermissionDenied unless the actor edits this plan's countries (or is a superuser)."""
    if not Plan.objects.editable_by(actor).filter(pk=plan.pk).exists():
        raise PermissionDenied(_("You may not change the plans of this country."))


def plan_check_not_archived(*, plan: Plan, field: str | None = None) -> None:
    """Raise ValidationError if the plan is archived: its content and its money are read-only
    (the API, the admin, restores and imports alike) until a reviewer un-archives it
    (plans.services_workflow.plan_unarchive). Ref: issue 11, item 10."""
    if plan.status != Plan.Status.ARCHIVED:
        return
    message = _(
        "%(plan)s is archived: its content and funding are read-only until a reviewer "
        "un-archives it."
    ) % {"plan": plan}
    raise ValidationError({field: message} if field else message)


def plan_countries_check(*, actor, countries: Iterable[Country]) -> None:
    """An editor may only put a plan in countries they are assigned to."""
    if actor is not None and actor.is_superuser:
        return
    allowed = set(user_countries(actor, roles=[Role.EDITOR]).values_list("pk", flat=True))
    outside = [c for c in countries if c.pk not in allowed]
    if outside:
        raise ValidationError(
            {
                "countries": _("You are not an editor for %(countries)s.")
                % {"countries": ", ".join(c.name for c in outside)}
            }
        )


def plan_content_lock(
    *,
    plan_id: int,
    actor,
    reason: str,
    expected_version: int | None = None,
    row=None,
    yours: dict | None = None,
    edit: Plan | None = None,
    record: bool = True,
) -> Plan:
    """Begin a content edit of a plan by `actor` (inside a transaction): lock the plan row,
    check permission first (an outsider learns nothing of versions), refuse an archived plan
    (plan_check_not_archived) and a stale
    `expected_version` (a conflict describes `row`, the edited objective or intervention, or
    the plan itself), then record the plan's next version with `reason` in its history.

    The version moves before the edit writes anything, so the history can tell what a row was
    at any version (crp_portal.concurrency.changed_fields_since), and open admin pages and API
    clients holding the old version are refused.

    Given `edit` (this plan, already locked by the caller for the same save), nothing more is
    checked or recorded: a page that saves many rows is one version of its plan. With
    `record=False` the next version is set but not yet saved: the caller saves the plan's own
    fields with it, as one record (plan_update).

    Every content edit dates the plan's "last updated" today (issue #12, item 8); a date the
    editor types in the same save wins, as plan_update applies it after this."""
    if edit is not None:
        if edit.pk != plan_id:
            raise ValueError(f"edit of plan {edit.pk} used for a row of plan {plan_id}")
        return edit
    plan = Plan.objects.select_for_update().get(pk=plan_id)
    plan_check_editable(plan=plan, actor=actor)
    plan_check_not_archived(plan=plan)
    version_check(
        row if row is not None else plan,
        current=plan.version,
        expected=expected_version,
        yours=yours,
        guard=plan,
    )
    plan.last_updated_on = timezone.localdate()
    if record:
        version_next(plan, reason=reason, also=["last_updated_on"])
    else:
        plan.version += 1
        record_as(plan, reason=reason)
    return plan


def plan_content_check(*, plan: Plan) -> None:
    """Checks across a plan's rows, run when an edit is complete (a page may shrink the period
    and delete the years it leaves in one save): every year's figures and requirements lie
    inside the plan's period, and every contribution is dated in it."""
    years = plan.plan_years.exclude(year__gte=plan.start_year, year__lte=plan.end_year)
    # Requirements are funding's rows, read through their reverse relations: plans imports
    # no app to its right (the domain order), yet the period rule covers them too.
    outside_money = plan.objectives.filter(
        Q(interventions__requirements__year__lt=plan.start_year)
        | Q(interventions__requirements__year__gt=plan.end_year)
    )
    # Contributions too: each is dated in the period and for years of it (its usage years).
    outside_received = plan.contributions.exclude(
        contributed_on__year__gte=plan.start_year, contributed_on__year__lte=plan.end_year
    )
    outside_usage = plan.contributions.filter(
        Q(years__year__lt=plan.start_year) | Q(years__year__gt=plan.end_year)
    )
    outside = sorted(
        {
            *years.values_list("year", flat=True),
            *outside_money.values_list("interventions__requirements__year", flat=True),
            *outside_received.values_list("contributed_on__year", flat=True),
            *outside_usage.values_list("years__year", flat=True),
        }
    )
    if outside:
        raise year_outside_period(year=outside[0], plan=plan, field="end_year")
    # An intervention's country must stay one of the plan's (by-country groups count it there).
    placed = set(
        plan.objectives.filter(interventions__country__isnull=False).values_list(
            "interventions__country", flat=True
        )
    )
    if placed - {None} - set(plan.countries.values_list("pk", flat=True)):
        raise ValidationError(
            {
                "countries": _(
                    "An intervention of this plan is placed in a country the plan no longer "
                    "covers; change that intervention's country first."
                )
            }
        )


def catalog_entries_check(*, plan: Plan, field: str, entries: Iterable) -> None:
    """Refuse catalog entries (strategic objectives, sectors, plan types) newly chosen for content
    of a plan that starts on or after their retirement date. Callers pass only the entries a
    write adds: a retired entry stays on the content that already uses it. Ref: #12, item 7."""
    starts = datetime.date(plan.start_year, 1, 1)
    for entry in entries:
        retired_on = getattr(entry, "retired_on", None)
        if retired_on is not None and starts >= retired_on:
            raise ValidationError(
                {
                    field: _(
                        "“%(entry)s” was retired on %(date)s; it cannot be chosen for a plan "
                        "starting in %(year)s (it stays on the plans that already use it)."
                    )
                    % {"entry": entry, "date": retired_on.isoformat(), "year": plan.start_year}
                }
            )


def fields_check(fields: Iterable[str], allowed: Iterable[str]) -> None:
    """Refuse fields a service does not write, naming them (never drop them silently)."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})


def _plan_apply(plan: Plan, changes: dict) -> list[str]:
    fields_check(changes, PLAN_CONTENT_FIELDS)
    for name, value in changes.items():
        setattr(plan, name, value)
    # The slug's uniqueness is checked by the callers (_plan_slug_free, _plan_slug_check):
    # Django's "Plan with this Slug already exists." would confirm a draft the actor cannot see.
    plan.full_clean(exclude=["countries"], validate_unique=False)
    plan.validate_unique(exclude=["countries", "slug"])
    return list(changes)


def _plan_slug_taken(slug: str, *, other_than: int | None = None) -> bool:
    taken = Plan.objects.filter(slug=slug)
    if other_than is not None:
        taken = taken.exclude(pk=other_than)
    return taken.exists()


# Ref: issue 11, item 9. A code clash never says whose plan holds the code: a new plan whose code
# is taken (by any plan, visible or not) gets the first free `<code>-<n>`, and renaming a plan
# to a code in use is refused in these words, the same for a plan the editor sees and one they
# cannot see.
SLUG_UNAVAILABLE = gettext_lazy("This code is not available; choose another.")


def _plan_slug_free(slug: str) -> str:
    """`slug`, or the first of `slug-2`, `slug-3`, ... that no plan uses (within 64 characters)."""
    candidate, n = slug, 1
    longest = Plan._meta.get_field("slug").max_length or 64
    while _plan_slug_taken(candidate):
        n += 1
        suffix = f"-{n}"
        candidate = slug[: longest - len(suffix)] + suffix
    return candidate


def _plan_slug_check(plan: Plan) -> None:
    if _plan_slug_taken(plan.slug, other_than=plan.pk):
        raise ValidationError({"slug": SLUG_UNAVAILABLE})


@transaction.atomic
def plan_create(*, actor, countries: Iterable[Country], **fields) -> Plan:
    """Create a draft plan in countries the actor edits; its status moves by the workflow."""
    countries = list(countries)
    if not countries:
        raise ValidationError({"countries": _("A plan covers at least one country.")})
    plan_countries_check(actor=actor, countries=countries)
    plan = Plan()
    _plan_apply(plan, fields)
    record_as(plan, user=actor)
    wanted = plan.slug
    for _attempt in range(5):
        plan.slug = _plan_slug_free(wanted)
        try:
            with transaction.atomic():  # a concurrent create may take the code meanwhile
                plan.save()
            break
        except IntegrityError:
            if not _plan_slug_taken(plan.slug):
                raise
            plan.pk = None
    else:
        raise ValidationError({"slug": SLUG_UNAVAILABLE})
    plan.countries.set(countries)
    return plan


@transaction.atomic
def plan_update(
    *,
    plan: Plan,
    actor,
    expected_version: int | None = None,
    countries: Iterable[Country] | None = None,
    edit: Plan | None = None,
    modalities: Iterable | None = None,
    priorities: Iterable | None = None,
    **changes,
) -> Plan:
    """Change a plan's content (title, slug, kind, vision, years, countries, modalities,
    priorities); status moves by its own workflow. Without `edit` this is a whole edit (locked,
    version-checked, checked across rows); with it, one part of the caller's edit."""
    chosen = {"countries": countries, "modalities": modalities, "priorities": priorities}
    locked = plan_content_lock(
        plan_id=plan.pk,
        actor=actor,
        reason=_("Plan changed"),
        expected_version=expected_version,
        yours={**changes, **{name: v for name, v in chosen.items() if v is not None}},
        edit=edit,
        record=False,
    )
    fields = _plan_apply(locked, changes)
    if "slug" in changes:
        _plan_slug_check(locked)
    record_as(locked, user=actor)
    if countries is not None:
        countries = list(countries)
        before = set(locked.countries.values_list("pk", flat=True))
        added = [c for c in countries if c.pk not in before]
        plan_countries_check(actor=actor, countries=added)
        if not countries:
            raise ValidationError({"countries": _("A plan covers at least one country.")})
        if {c.pk for c in countries} != before:
            locked.countries.set(countries)
    for name in PLAN_CHOICES:
        entries = chosen[name]
        if entries is not None:
            plan_choices_set(plan=locked, field=name, entries=entries)
    # With the version: the plan's own record is the one that moves it (plan_content_lock).
    # "last_updated_on" too: plan_content_lock dated the edit today unless it is in `fields`.
    dated = [] if "last_updated_on" in fields else ["last_updated_on"]
    locked.save(update_fields=[*fields, *dated, "version", "updated_at"])
    if edit is None:
        plan_content_check(plan=locked)
    return locked


def plan_choices_set(*, plan: Plan, field: str, entries: Iterable) -> None:
    """Set the plan's `field` (modalities, priorities) to `entries` of its catalog; an entry
    retired before the plan starts cannot be newly chosen (catalog_entries_check)."""
    entries = list(entries)
    related = getattr(plan, field)
    before = set(related.values_list("pk", flat=True))
    catalog_entries_check(
        plan=plan, field=field, entries=[e for e in entries if e.pk not in before]
    )
    if {e.pk for e in entries} != before:
        related.set(entries)


@transaction.atomic
def plan_years_replace(
    *, plan: Plan, rows: Iterable[dict], actor, edit: Plan | None = None
) -> None:
    """Set a plan's figures per year to `rows` ({year, people_in_need, people_targeted,
    entities_targeted}); years not given are removed."""
    plan = plan_content_lock(
        plan_id=plan.pk, actor=actor, reason=_("Figures per year changed"), edit=edit
    )
    _rows_replace(
        plan=plan,
        rows=rows,
        model=PlanYear,
        key="year",
        figures=PLAN_YEAR_FIGURES,
        duplicate=_("Give each year at most once."),
        actor=actor,
    )
    if edit is None:
        plan_content_check(plan=plan)


@transaction.atomic
def presences_replace(*, plan: Plan, rows: Iterable[dict], actor, edit: Plan | None = None) -> None:
    """Set a plan's operational presence to `rows` ({country, international_staff,
    national_staff, field_offices, as_of_on, as_of_precision}); countries not given are
    removed."""
    plan = plan_content_lock(
        plan_id=plan.pk, actor=actor, reason=_("Operational presence changed"), edit=edit
    )
    _rows_replace(
        plan=plan,
        rows=rows,
        model=OperationalPresence,
        key="country",
        figures=PRESENCE_FIGURES,
        duplicate=_("Give each country at most once."),
        actor=actor,
    )


@transaction.atomic
def indicators_replace(
    *, plan: Plan, rows: Iterable[dict], actor, edit: Plan | None = None
) -> None:
    """Set a plan's context indicators to `rows` ({kind, year, value, of_total, label, source,
    source_url}; one per kind); kinds not given are removed. Each row states its indicator
    whole: a field left out is empty (an INFORM label left out follows from the score again)."""
    plan = plan_content_lock(
        plan_id=plan.pk, actor=actor, reason=_("Context indicators changed"), edit=edit
    )
    empty = {"value": None, "of_total": None, "label": "", "source": "", "source_url": ""}
    _rows_replace(
        plan=plan,
        rows=[{**empty, **row} for row in rows],
        model=ContextIndicator,
        key="kind",
        figures=INDICATOR_FIELDS,
        duplicate=_("Give each indicator at most once."),
        actor=actor,
    )


def _rows_replace(*, plan, rows, model, key: str, figures, duplicate: str, actor=None) -> None:
    """Upsert a plan's child rows by their natural key (same ids, so history reads as edits)
    and delete the rest."""
    rows = list(rows)
    keys = [row[key] for row in rows]
    if len(set(keys)) != len(keys):
        raise ValidationError({key: duplicate})
    existing = {getattr(r, key): r for r in model.objects.filter(plan=plan)}
    keep = []
    for row in rows:
        instance = existing.get(row[key]) or model(plan=plan, **{key: row[key]})
        changed = instance.pk is None
        for name in figures:
            if name in row and getattr(instance, name) != row[name]:
                setattr(instance, name, row[name])
                changed = True
        if changed:
            instance.plan = plan  # the locked plan: clean() checks against its period
            instance.full_clean()
            record_as(instance, user=actor)
            instance.save()
        keep.append(instance.pk)
    for stale in model.objects.filter(plan=plan).exclude(pk__in=keep):
        record_as(stale, user=actor)
        stale.delete()


@transaction.atomic
def plan_delete(*, plan: Plan, actor) -> None:
    """Delete a plan with all its content (administrators only), unless money was recorded
    against it: contributions are never deleted with content."""
    if actor is None or not actor.is_superuser:
        raise PermissionDenied(_("Only administrators may delete plans."))
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    # Contributions are funding's rows, read through their reverse relation (domain order).
    if plan.contributions.exists():
        raise ValidationError(
            _(
                "%(plan)s has contributions recorded against it; delete or move them before "
                "deleting the plan."
            )
            % {"plan": plan}
        )
    record_as(plan, user=actor)
    plan.delete()


@transaction.atomic
def plan_save(
    *,
    actor,
    plan: Plan | None = None,
    expected_version: int | None = None,
    countries: Iterable[Country] | None = None,
    years: Iterable[dict] | None = None,
    indicators: Iterable[dict] | None = None,
    **fields,
) -> Plan:
    """A plan with its figures per year in one write, one version of the plan (the API's POST
    and PATCH): create a draft (plan_create) or change one (plan_update), then replace its years
    when `years` is given (plan_years_replace), then check the rows against the period once, so
    a period and its years may change together."""
    choices = {name: fields.pop(name) for name in PLAN_CHOICES if name in fields}
    if plan is None:
        edit = plan_create(actor=actor, countries=countries or [], **fields)
        if choices:
            plan_update(plan=edit, actor=actor, edit=edit, **choices)
    else:
        edit = plan_content_lock(
            plan_id=plan.pk,
            actor=actor,
            reason=_("Plan changed"),
            expected_version=expected_version,
            yours={**fields, **({"countries": countries} if countries is not None else {})},
            record=False,
        )
        plan_update(plan=edit, actor=actor, countries=countries, edit=edit, **choices, **fields)
    if years is not None:
        plan_years_replace(plan=edit, rows=years, actor=actor, edit=edit)
    if indicators is not None:
        indicators_replace(plan=edit, rows=indicators, actor=actor, edit=edit)
    plan_content_check(plan=edit)
    return edit
