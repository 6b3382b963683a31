"""Restore a plan's whole content to an earlier version, read from its change history (issue 6).

simple-history's own revert brings back one row. A plan's content is a tree — the plan's fields
and countries, its years, operational presence, objectives (with target groups), interventions
(with plan types), activities and yearly requirements — and a restore brings all of it back to
what `plan_records_as_of` (the reader of the as-of pages) says it was at the chosen moment.

Kept apart from plans/services.py (edits) as the workflow is: one small home for one rule. It
writes rows of every content app, which plan_history may import (they never import it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crp_portal.concurrency import version_check
from funding import services as funding_services
from funding.models import Contribution, Requirement
from plans.history_records import record_as
from plans.models import MAX_YEAR, MIN_YEAR, Country, Plan, PlanYear
from plans.services import (
    plan_check_editable,
    plan_check_not_archived,
    plan_countries_check,
)

from .states import (
    RESTORED_PLAN_CHOICES,
    RESTORED_PLAN_FIELDS,
    _Kind,
    _kinds,
    _label,
    _state_now,
    _state_then,
    moment_label,
)


@dataclass
class KindChanges:
    """What a restore does to one kind of row: ids recreated, deleted and changed."""

    label: str
    recreate: list[int] = field(default_factory=list)
    delete: list[int] = field(default_factory=list)
    change: list[int] = field(default_factory=list)
    recreate_labels: list[str] = field(default_factory=list)
    delete_labels: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.recreate or self.delete or self.change)


@dataclass
class RestorePreview:
    """What restoring a plan to `at` would change, and why it cannot when `problems` is not
    empty. The admin's confirmation page shows it; plan_restore applies the same computation."""

    at: datetime.datetime
    plan_changes: list[tuple[str, object, object]]  # (field label, now, then), countries too
    kinds: list[KindChanges]
    problems: list[str]

    @property
    def changes_anything(self) -> bool:
        return bool(self.plan_changes or any(k.any for k in self.kinds))


def plan_version_moment(*, plan: Plan, history_id: int) -> datetime.datetime:
    """The moment up to which a recorded version of the plan stands: just before the first
    later record of the plan with another `version`, or now for the current version.

    Every writer of a new version records the plan first and its rows after it: the plan page
    (the plan, then its countries and inline rows), a new plan and `load_demo` (the plan, then
    the rows under it), the review workflow (the plan alone) and the restore itself. So that
    moment takes in every row saved with this version and nothing of the next one.
    """
    record = Plan.history.filter(id=plan.pk, history_id=history_id).first()
    if record is None:
        raise ValidationError(_("This plan has no such recorded version."))
    next_version = (
        Plan.history.filter(id=plan.pk, history_date__gt=record.history_date)
        .exclude(version=record.version)
        .order_by("history_date", "history_id")
        .first()
    )
    if next_version is None:
        return timezone.now()
    return next_version.history_date - datetime.timedelta(microseconds=1)


def _moment(*, plan: Plan, at, history_id) -> tuple[datetime.datetime, datetime.datetime]:
    """The moment to restore to, and the one to name it by (a version's: when it was made)."""
    if (at is None) == (history_id is None):
        raise TypeError("Give either `at` or `history_id`.")
    if history_id is not None:
        record = Plan.history.filter(id=plan.pk, history_id=history_id).first()
        if record is None:
            raise ValidationError(_("This plan has no such recorded version."))
        return plan_version_moment(plan=plan, history_id=history_id), record.history_date
    if timezone.is_naive(at):
        raise ValueError("`at` must be an aware datetime.")
    return at, at


class _Restore:
    """The computation shared by the preview and the restore: both states, their difference,
    and what stands in the way."""

    def __init__(self, plan: Plan, at: datetime.datetime, named: datetime.datetime):
        self.plan, self.at, self.named = plan, at, named  # named: the moment messages give
        self.kinds = _kinds()
        self.now = _state_now(plan, self.kinds)
        self.then = _state_then(plan, self.kinds, at)
        self.changes: dict[str, KindChanges] = {}
        for kind in self.kinds:
            now, then = self.now.rows[kind.key], self.then.rows[kind.key]
            changes = KindChanges(label=str(kind.model._meta.verbose_name_plural))
            changes.recreate = sorted(set(then) - set(now))
            changes.delete = sorted(set(now) - set(then))
            changes.change = sorted(
                pk
                for pk in set(now) & set(then)
                if now[pk].values != then[pk].values or now[pk].m2m != then[pk].m2m
            )
            changes.recreate_labels = [_label(kind, then[pk]) for pk in changes.recreate[:10]]
            changes.delete_labels = [_label(kind, now[pk]) for pk in changes.delete[:10]]
            self.changes[kind.key] = changes
        self.problems = self._money_problems() + self._moved_problems() + self._gone_problems()
        slug = self.then.plan["slug"]
        if slug != plan.slug and Plan.objects.exclude(pk=plan.pk).filter(slug=slug).exists():
            self.problems.append(
                _("Another plan now has the address “%(slug)s” this plan had then.")
                % {"slug": slug}
            )

    # What stands in the way -------------------------------------------------------------

    def _money_problems(self) -> list[str]:
        """Contributions are money received: a restore never deletes them nor changes where they
        are earmarked. Their foreign keys PROTECT the objective and intervention they point at,
        and an intervention moved back under another objective would leave them counted under
        the wrong one. So a restore that would do either is refused, naming the money."""
        objectives = self.changes["objectives"].delete
        interventions = self.changes["interventions"].delete
        now, then = self.now.rows["interventions"], self.then.rows["interventions"]
        moved = [
            pk
            for pk in self.changes["interventions"].change
            if now[pk].values["objective_id"] != then[pk].values["objective_id"]
        ]
        earmarked = (
            Contribution.objects.filter(
                Q(objective_id__in=objectives) | Q(intervention_id__in=[*interventions, *moved])
            )
            .select_related("donor", "intervention", "objective__strategic_objective")
            .order_by("pk")
        )
        problems = []
        for c in earmarked:
            destination = c.intervention or c.objective
            if c.intervention_id in moved:
                what = _("sits under another objective in the version of %(moment)s")
            else:
                what = _("is not in the version of %(moment)s")
            problems.append(
                _(
                    "USD %(amount)s from %(donor)s (%(status)s, %(on)s) is earmarked to "
                    "“%(destination)s”, which %(what)s. A restore never deletes money or changes "
                    "its earmarking: change that contribution first, or restore by hand."
                )
                % {
                    "amount": f"{c.amount_usd:,.2f}",
                    "donor": c.donor,
                    "status": c.get_status_display().lower(),
                    "on": c.contributed_on.isoformat(),
                    "destination": destination,
                    "what": what % {"moment": moment_label(self.named)},
                }
            )
        return problems

    def _moved_problems(self) -> list[str]:
        """A row of the plan then that now belongs to another plan is not taken back."""
        problems = []
        for kind in self.kinds:
            ids = self.changes[kind.key].recreate
            for row in kind.model._default_manager.filter(pk__in=ids):
                problems.append(
                    _(
                        "%(kind)s “%(row)s” was part of this plan then and now belongs to "
                        "another plan; move it back first."
                    )
                    % {"kind": str(kind.model._meta.verbose_name).capitalize(), "row": row}
                )
        return problems

    def _gone_problems(self) -> list[str]:
        """Catalog rows (strategic objectives, sectors, countries, ...) the earlier version
        points at must still exist."""
        wanted: dict[type[models.Model], set] = {Country: set(self.then.countries)}
        for kind in self.kinds:
            changes = self.changes[kind.key]
            rows = [self.then.rows[kind.key][pk] for pk in [*changes.recreate, *changes.change]]
            for f in kind.model._meta.concrete_fields:
                if f.is_relation and f.attname != kind.parent:
                    assert f.related_model is not None  # a concrete relation has its model
                    ids = {r.values[f.attname] for r in rows} - {None}
                    wanted.setdefault(f.related_model, set()).update(ids)
            for name in kind.m2m:
                related = kind.model._meta.get_field(name).related_model
                assert related is not None  # an m2m field has its model
                for r in rows:
                    wanted.setdefault(related, set()).update(r.m2m[name])
        problems = []
        for model, ids in wanted.items():
            missing = ids - set(model._base_manager.filter(pk__in=ids).values_list("pk", flat=True))
            for pk in sorted(missing, key=str):
                problems.append(
                    _("The version of %(moment)s uses %(kind)s %(id)s, which no longer exists.")
                    % {
                        "moment": moment_label(self.named),
                        "kind": model._meta.verbose_name,
                        "id": pk,
                    }
                )
        return problems

    def countries_problems(self, actor) -> list[str]:
        """As on the plan's page: an editor may only put a plan in countries they edit."""
        added = self.then.countries - self.now.countries
        if not added or actor.is_superuser:
            return []
        try:  # the plan page's rule, in its words
            plan_countries_check(actor=actor, countries=Country.objects.filter(pk__in=added))
        except ValidationError as error:
            return error.messages
        return []

    # The preview --------------------------------------------------------------------------

    def preview(self) -> RestorePreview:
        plan_changes = [
            (
                str(_own_field(Plan, name).verbose_name),
                self.now.plan[name],
                self.then.plan[name],
            )
            for name in RESTORED_PLAN_FIELDS
            if self.now.plan[name] != self.then.plan[name]
        ]
        if self.now.countries != self.then.countries:
            names = dict(
                Country.objects.filter(pk__in=self.now.countries | self.then.countries).values_list(
                    "pk", "name"
                )
            )
            now, then = (
                ", ".join(sorted(names.get(pk, str(pk)) for pk in ids))
                for ids in (self.now.countries, self.then.countries)
            )
            plan_changes.append((str(Plan._meta.get_field("countries").verbose_name), now, then))
        for name in RESTORED_PLAN_CHOICES:
            now_ids, then_ids = self.now.choices[name], self.then.choices[name]
            if now_ids != then_ids:
                catalog = getattr(Plan, name).rel.model  # OperatingModality, CrossCuttingPriority
                names = dict(
                    catalog.objects.filter(pk__in=now_ids | then_ids).values_list("pk", "name")
                )
                now, then = (
                    ", ".join(sorted(names.get(pk, str(pk)) for pk in ids)) or "—"
                    for ids in (now_ids, then_ids)
                )
                plan_changes.append((str(_own_field(Plan, name).verbose_name), now, then))
        return RestorePreview(
            at=self.at,
            plan_changes=plan_changes,
            kinds=[self.changes[kind.key] for kind in self.kinds],
            problems=self.problems,
        )

    # The writes ---------------------------------------------------------------------------

    def apply(self, *, actor, reason: str) -> None:
        """Write the earlier version. The plan is locked by the caller, in its transaction."""

        def mark(obj):
            record_as(obj, user=actor, reason=reason)
            return obj

        plan = mark(self.plan)
        for name in RESTORED_PLAN_FIELDS:
            setattr(plan, name, self.then.plan[name])
        plan.version += 1
        plan.last_updated_on = timezone.localdate()  # a restore is a content edit of today
        plan.full_clean(exclude=["status", "published_at"])
        # The new version's record first, its rows after it (see plan_version_moment).
        plan.save(update_fields=[*RESTORED_PLAN_FIELDS, "last_updated_on", "version", "updated_at"])
        if self.then.countries != self.now.countries:
            plan.countries.set(list(self.then.countries))
        for name in RESTORED_PLAN_CHOICES:
            if self.then.choices[name] != self.now.choices[name]:
                getattr(plan, name).set(list(self.then.choices[name]))

        early, late = self._deletions()
        self._delete(early, mark)
        self._free_unique_keys(early)
        for kind in self.kinds:  # parents first: a child may point at a recreated parent
            self._write(kind, mark)
        self._delete(late, mark)

        outside_years = PlanYear.objects.filter(plan=plan).exclude(
            year__gte=plan.start_year, year__lte=plan.end_year
        )
        outside_money = Requirement.objects.filter(intervention__objective__plan=plan).exclude(
            year__gte=plan.start_year, year__lte=plan.end_year
        )
        if outside_years.exists() or outside_money.exists():
            raise ValidationError(
                _("The earlier version has figures for years outside its period %(period)s.")
                % {"period": plan.period_label}
            )
        # Contributions stay as they are; the earlier requirements must still fit a plan's total.
        funding_services.plan_requirements_check(plan_id=plan.pk, field=None)

    def _deletions(self) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
        """Rows to delete, split in those deleted first (nothing below them stays) and those
        deleted last (a row below them stays and is first moved under its earlier parent)."""
        anchored: dict[str, set[int]] = {}
        for kind in reversed(self.kinds):
            anchored[kind.key] = set(self.now.rows[kind.key]) & set(self.then.rows[kind.key])
            for child in self.kinds:
                if child.parent_kind == kind.key:
                    for pk, row in self.now.rows[child.key].items():
                        if pk in anchored[child.key]:
                            anchored[kind.key].add(row.values[child.parent])
        gone = {k.key: set(self.changes[k.key].delete) for k in self.kinds}
        early = {key: ids - anchored[key] for key, ids in gone.items()}
        late = {key: ids & anchored[key] for key, ids in gone.items()}
        return early, late

    def _delete(self, ids: dict[str, set[int]], mark) -> None:
        for kind in reversed(self.kinds):  # children first: nothing is deleted by cascade
            for pk in sorted(ids[kind.key]):
                # The row as loaded: its history record keeps its real values, also when its
                # unique key was moved aside meanwhile (_free_unique_keys).
                mark(self.now.rows[kind.key][pk].instance).delete()

    def _free_unique_keys(self, early: dict[str, set[int]]) -> None:
        """Give rows whose unique key (year, country, strategic objective) differs then their
        earlier key before anything is written, in an order that never collides: a swap of two
        years goes through a free one. Written by UPDATE, without history; the rows' saves in
        _write record them."""
        for kind in self.kinds:
            if kind.unique is None:
                continue
            now, then = self.now.rows[kind.key], self.then.rows[kind.key]
            current = {
                pk: kind.key_of(r.values) for pk, r in now.items() if pk not in early[kind.key]
            }
            occupied = {key: pk for pk, key in current.items()}
            targets = {kind.key_of(r.values) for r in then.values()}
            pending = {
                pk: kind.key_of(then[pk].values)
                for pk in current
                if pk in then and kind.key_of(then[pk].values) != current[pk]
            }

            def move(pk, key, kind=kind, current=current, occupied=occupied):
                kind.model.objects.filter(pk=pk).update(
                    **{kind.parent: key[0], kind.unique: key[1]}
                )
                del occupied[current[pk]]
                occupied[key] = pk
                current[pk] = key

            def park(pk, kind=kind, current=current, occupied=occupied, targets=targets):
                parent = current[pk][0]
                taken = {v for p, v in [*occupied, *targets] if p == parent}
                move(pk, (parent, _free_value(kind, taken)))

            while pending:
                ready = [pk for pk, key in pending.items() if key not in occupied]
                for pk in ready:
                    move(pk, pending.pop(pk))
                if not ready:  # a cycle, or a row to delete in the way: move one aside
                    park(occupied[next(iter(pending.values()))])
            for pk in self.changes[kind.key].recreate:
                holder = occupied.get(kind.key_of(then[pk].values))
                if holder is not None:  # a row deleted at the end holds the recreated one's key
                    park(holder)

    def _write(self, kind: _Kind, mark) -> None:
        now, then = self.now.rows[kind.key], self.then.rows[kind.key]
        changes = self.changes[kind.key]
        for pk in changes.recreate:
            row = then[pk]
            obj = mark(kind.model(pk=pk, **row.values))
            obj.full_clean(validate_unique=False, validate_constraints=False)
            obj.save(force_insert=True)
            for name, ids in row.m2m.items():
                getattr(obj, name).set(list(ids))
        for pk in changes.change:
            row = then[pk]
            obj = mark(kind.model._default_manager.get(pk=pk))
            if now[pk].values != row.values:
                for name, value in row.values.items():
                    setattr(obj, name, value)
                obj.full_clean(validate_unique=False, validate_constraints=False)
                obj.save()
            for name, ids in row.m2m.items():
                if now[pk].m2m[name] != ids:
                    getattr(obj, name).set(list(ids))


def _own_field(model: type[models.Model], name: str) -> models.Field:
    """One of the model's own fields (get_field also finds reverse relations, which have no
    verbose name; the restore only names fields the model declares)."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), name
    return field


def _free_value(kind: _Kind, taken: set):
    """A value of the unique field no row uses now or then, to move a row aside."""
    assert kind.unique is not None  # only kinds with a unique field are parked
    model_field = _own_field(kind.model, kind.unique)
    if model_field.is_relation:
        assert model_field.related_model is not None  # a concrete relation has its model
        value = (
            model_field.related_model._base_manager.exclude(pk__in=taken)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
        )
    else:
        value = next((y for y in range(MIN_YEAR, MAX_YEAR + 1) if y not in taken), None)
    if value is None:
        raise ValidationError(
            _(
                "The %(kind)s of this plan swapped their %(field)s since then, and no free one "
                "is left to do it in steps; restore them by hand."
            )
            % {"kind": kind.model._meta.verbose_name_plural, "field": model_field.verbose_name}
        )
    return value


def plan_restore_preview(
    *,
    plan: Plan,
    at: datetime.datetime | None = None,
    history_id: int | None = None,
    actor=None,
) -> RestorePreview:
    """What plan_restore would change, and what would stop it (for a confirmation page).
    Reads only; visibility of the plan is the caller's business, as for the as-of pages."""
    work = _Restore(plan, *_moment(plan=plan, at=at, history_id=history_id))
    preview = work.preview()
    if actor is not None:
        preview.problems += work.countries_problems(actor)
    return preview


@transaction.atomic
def plan_restore(
    *,
    plan: Plan,
    actor,
    at: datetime.datetime | None = None,
    history_id: int | None = None,
    expected_version: int | None = None,
) -> Plan:
    """Bring a plan's fields, countries and whole content tree back to what it was at `at` (or
    at the recorded version `history_id`, see plan_version_moment), as one new version.

    - Only an editor of the plan's countries (or a superuser) may; PermissionDenied otherwise.
      Countries the plan had then and has no longer come back only for an editor of them.
    - The plan row is locked; `expected_version` (the version the person saw, None: not
      checked) older than the plan's raises VersionConflict and nothing is written.
    - Rows that existed then and were deleted since are recreated under their old ids, rows
      added since are deleted, changed rows get their old values, target groups, plan types and
      countries their old sets. Everything is checked as an edit is (model validation, years of
      figures and requirements inside the restored period) and written with `actor` as the
      history user and "Restored to the version of <moment>" as the change reason.
    - Not rewound: the plan's status and published_at — restoring content does not publish,
      unpublish or archive; the review workflow does that — and money received. Contributions
      are never touched: a restore that would delete an objective or intervention money is
      earmarked to (their foreign keys PROTECT it), or move such an intervention under another
      objective, is refused with a ValidationError naming the contributions, never done by
      deleting or re-earmarking the money.
    - The rollup receivers fire on every row written, and the plan is marked dirty once more at
      the end, so its stored totals are recomputed after the commit: required money is then
      what it was at that moment, received money what it is today.

    Returns the plan; nothing is written when it already says what it said then.
    """
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    plan_check_editable(plan=locked, actor=actor)
    plan_check_not_archived(plan=locked)
    version_check(locked, current=locked.version, expected=expected_version)
    at, named = _moment(plan=locked, at=at, history_id=history_id)
    work = _Restore(locked, at, named)
    problems = work.problems + work.countries_problems(actor)
    if problems:
        raise ValidationError(problems)
    if not work.preview().changes_anything:
        return locked
    work.apply(
        actor=actor,
        reason=_("Restored to the version of %(moment)s") % {"moment": moment_label(named)},
    )
    funding_services.plan_mark_dirty(plan_id=locked.pk)
    locked.refresh_from_db()
    return locked
