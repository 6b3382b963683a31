"""A plan's content as rows by kind, now and at a past moment: what plan_history.restore compares."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from funding.models import Requirement
from interventions.models import Activity, Intervention
from objectives.models import Objective
from plans.models import ContextIndicator, OperationalPresence, Plan, PlanYear
from plans.translated import PLAN_TEXTS, translation_fields

from .history import m2m_ids_then, plan_records_as_of

# What a restore brings back of the plan row itself. Not status and published_at (restoring
# content neither publishes nor unpublishes), not version (a restore makes a new one), not the
# timestamps or the rollup bookkeeping.
RESTORED_PLAN_FIELDS = (
    "title",
    "slug",
    "kind",
    "start_year",
    "end_year",
    "vision_statement",
    "vision_narrative",
    # Their French, Spanish and Arabic (plans/translation.py): recorded, so restored too.
    *translation_fields(*PLAN_TEXTS),
)
NOT_RESTORED = {"id", "created_at", "updated_at", "changed_at"}


@dataclass(frozen=True)
class _Kind:
    """One kind of row under a plan, as the restore walks them (parents before children)."""

    key: str  # its list in plan_records_as_of()
    model: type[models.Model]
    parent: str  # attname of the foreign key to its parent row
    parent_kind: str | None  # None: the plan itself
    unique: str | None = None  # attname unique among its parent's rows (a UniqueConstraint)
    m2m: tuple[str, ...] = ()

    @property
    def fields(self) -> list[str]:
        return [f.attname for f in self.model._meta.concrete_fields if f.name not in NOT_RESTORED]

    def key_of(self, values: dict) -> tuple:
        return (values[self.parent], values[self.unique])


def _kinds() -> list[_Kind]:
    return [
        _Kind("plan_years", PlanYear, "plan_id", None, "year"),
        _Kind("presences", OperationalPresence, "plan_id", None, "country_id"),
        _Kind("indicators", ContextIndicator, "plan_id", None, "kind"),
        _Kind(
            "objectives", Objective, "plan_id", None, "strategic_objective_id", ("target_groups",)
        ),
        _Kind("interventions", Intervention, "objective_id", "objectives", m2m=("plan_types",)),
        _Kind("activities", Activity, "intervention_id", "interventions"),
        _Kind("requirements", Requirement, "intervention_id", "interventions", "year"),
    ]


@dataclass
class _Row:
    values: dict
    m2m: dict[str, frozenset[int]]
    instance: models.Model | None = None  # the live row (current state only)


# The plan's choices from the ways-of-working catalogs: recorded with it, restored with it.
RESTORED_PLAN_CHOICES = ("modalities", "priorities")


@dataclass
class _State:
    plan: dict
    countries: frozenset[int]
    rows: dict[str, dict[int, _Row]]
    choices: dict[str, frozenset[int]]


def _m2m_now(kind_model, name: str, ids: Iterable[int]) -> dict[int, set[int]]:
    m2m_field = kind_model._meta.get_field(name)
    through = m2m_field.remote_field.through
    source, target = m2m_field.m2m_field_name(), m2m_field.m2m_reverse_field_name()
    out: dict[int, set[int]] = {}
    for row_id, target_id in through.objects.filter(**{f"{source}_id__in": list(ids)}).values_list(
        f"{source}_id", f"{target}_id"
    ):
        out.setdefault(row_id, set()).add(target_id)
    return out


def _state_now(plan: Plan, kinds: list[_Kind]) -> _State:
    rows: dict[str, dict[int, _Row]] = {}
    for kind in kinds:
        parent_ids = [plan.pk] if kind.parent_kind is None else list(rows[kind.parent_kind])
        instances = list(kind.model.objects.filter(**{f"{kind.parent}__in": parent_ids}))
        sets = {name: _m2m_now(kind.model, name, [i.pk for i in instances]) for name in kind.m2m}
        rows[kind.key] = {
            i.pk: _Row(
                values={f: getattr(i, f) for f in kind.fields},
                m2m={name: frozenset(sets[name].get(i.pk, ())) for name in kind.m2m},
                instance=i,
            )
            for i in instances
        }
    return _State(
        plan={f: getattr(plan, f) for f in RESTORED_PLAN_FIELDS},
        countries=frozenset(plan.countries.values_list("pk", flat=True)),
        rows=rows,
        choices={
            name: frozenset(getattr(plan, name).values_list("pk", flat=True))
            for name in RESTORED_PLAN_CHOICES
        },
    )


def _state_then(plan: Plan, kinds: list[_Kind], at: datetime.datetime) -> _State:
    tree = plan_records_as_of(plan_id=plan.pk, at=at)
    if tree is None:
        raise ValidationError(
            _("This plan did not exist on %(moment)s.") % {"moment": moment_label(at)}
        )
    record = tree["plan"][0]
    rows = {
        kind.key: {
            r.id: _Row(
                values={f: getattr(r, f) for f in kind.fields},
                m2m={name: frozenset(m2m_ids_then(r, name)) for name in kind.m2m},
            )
            for r in tree[kind.key]
        }
        for kind in kinds
    }
    return _State(
        plan={f: getattr(record, f) for f in RESTORED_PLAN_FIELDS},
        countries=frozenset(m2m_ids_then(record, "countries")),
        rows=rows,
        choices={name: frozenset(m2m_ids_then(record, name)) for name in RESTORED_PLAN_CHOICES},
    )


def _label(kind: _Kind, row: _Row) -> str:
    """How the confirmation page names a row."""
    try:
        obj = row.instance or kind.model(**row.values)
        if kind.key == "requirements":
            return f"{obj.intervention}, {obj.year}: USD {obj.amount_usd:,.2f}"
        return str(obj)
    except Exception:  # a row pointing at something gone since still gets a name
        return f"{kind.model._meta.verbose_name} {row.values}"


def moment_label(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
