"""Filters shared by every app's FilterSet: strict years, ids, money and percentages; sync."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db import connections
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field


@extend_schema_field({"type": "integer", "minimum": 1990, "maximum": 2100})
class YearFilter(filters.NumberFilter):
    """A year: a whole number (typed integer in the schema, so clients never send 2021.0)."""

    field_class = filters.NumberFilter.field_class

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1990)
        kwargs.setdefault("max_value", 2100)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)


MAX_ID = 2**53  # beyond any row id; larger numbers would overflow the database's integers


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """A row id: a whole number from 1 to MAX_ID (larger would overflow SQL integers)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)


class _IdsField(filters.ModelMultipleChoiceFilter.field_class):
    def clean(self, value):
        for item in value or []:
            text = str(item)
            if not text.isdigit() or not 1 <= int(text) <= MAX_ID:
                raise forms.ValidationError(
                    _("%(value)s is not a valid id.") % {"value": text[:40]}, code="invalid_id"
                )
        return super().clean(value)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdMultipleChoiceFilter(filters.ModelMultipleChoiceFilter):
    """Repeatable row ids; anything but a whole number in range is a 400, never a query."""

    field_class = _IdsField


# Money and percentages travel as decimal strings, as in the bodies: a client typed `number`
# sends floats (0.1 + 0.2 → "0.30000000000000004", a 400; 1e16 → "1e+16"), never cents.
MONEY_PARAMETER = {
    "type": "string",
    "format": "decimal",
    "pattern": r"^\d{1,14}(\.\d{1,2})?$",
    "example": "250000.00",
}
PERCENT_PARAMETER = {
    "type": "string",
    "format": "decimal",
    "pattern": r"^\d{1,7}(\.\d{1,2})?$",
    "example": "50.00",
}


@extend_schema_field(MONEY_PARAMETER)
class MoneyFilter(filters.NumberFilter):
    """USD, at least 0, with up to 2 decimals (up to 14 whole digits: the money bound)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


@extend_schema_field(PERCENT_PARAMETER)
class PercentFilter(filters.NumberFilter):
    """A percentage, at least 0, with up to 2 decimals (over-funding exceeds 100)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


class SyncFilterSet(filters.FilterSet):
    """`updated_since` (ISO 8601 with timezone) for incremental sync; strict input everywhere.

    Filters on `changed_at` (plans.models.ChangeStampedModel), which PostgreSQL's triggers
    (partners/sync_sql.py) stamp whenever anything the row shows changes: its own fields, its
    funding figures, its plan's publication, a renamed donor, sector or country. Elsewhere
    (SQLite, a laptop) it is the row's last full save, or `updated_at` if later."""

    updated_since = filters.IsoDateTimeFilter(
        method="filter_updated_since",
        help_text="Rows whose representation changed at or after this time (ISO 8601): their "
        "fields, funding figures, names they show, publication. Rows gone from view: "
        "/api/v1/deletions/.",
    )

    def filter_updated_since(self, queryset, name, value):
        if value is None:
            return queryset
        condition = Q(changed_at__gte=value)
        exact = connections[queryset.db].vendor == "postgresql"
        if not exact and any(f.name == "updated_at" for f in queryset.model._meta.fields):
            condition |= Q(updated_at__gte=value)
        return queryset.filter(condition)


def sync_filterset(model) -> type[SyncFilterSet]:
    """A FilterSet of `updated_since` alone, for the catalogs' lists."""
    meta = type("Meta", (), {"model": model, "fields": []})
    return type(f"{model.__name__}SyncFilter", (SyncFilterSet,), {"Meta": meta})


def figure_filters(prefix: str) -> dict[str, filters.Filter]:
    """min/max gap and coverage over a stored rollup reached through `prefix`."""
    return {
        "min_gap": MoneyFilter(field_name=f"{prefix}gap_usd", lookup_expr="gte"),
        "max_gap": MoneyFilter(field_name=f"{prefix}gap_usd", lookup_expr="lte"),
        "min_coverage": PercentFilter(field_name=f"{prefix}coverage_percent", lookup_expr="gte"),
        "max_coverage": PercentFilter(field_name=f"{prefix}coverage_percent", lookup_expr="lte"),
    }
