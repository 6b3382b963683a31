"""Serializer fields for money, rollup figures and references to countries and named rows."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^-?\d+\.\d{2}$"})
class MoneyField(serializers.DecimalField):
    """USD as a string with 2 decimals; None (not yet costed) stays null, never 0."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": r"^-?\d+\.\d{2}$", "nullable": True}
)
class FigureField(serializers.Field):
    """One figure of a stored rollup reached by `rollup` (a reverse one-to-one or an attribute);
    a missing rollup gives null, never 0."""

    def __init__(self, figure: str, rollup: str = "rollup", **kwargs):
        self.figure, self.rollup = figure, rollup
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, obj) -> str | None:
        try:
            row = getattr(obj, self.rollup) if self.rollup else obj
        except ObjectDoesNotExist:
            return None
        value = getattr(row, self.figure, None) if row is not None else None
        return None if value is None else f"{Decimal(value):.2f}"


FIGURES = {
    "funding_required": "required_usd",
    "funding_received": "received_usd",
    "funding_pledged": "pledged_usd",
    "funding_gap": "gap_usd",
    "coverage_percent": "coverage_percent",
}


class FiguresMixin(serializers.Serializer):
    """The five funding figures of DESIGN.md, from the stored rollup at `figures_rollup`."""

    figures_rollup = "rollup"

    def get_fields(self):
        fields = super().get_fields()
        for name, figure in FIGURES.items():
            fields[name] = FigureField(figure, rollup=self.figures_rollup, allow_null=True)
        return fields


class CountryRefSerializer(serializers.Serializer):
    code = serializers.CharField(source="iso3", read_only=True)
    name = serializers.CharField(read_only=True)


class NamedRefSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


def rollup_of(obj, relation: str = "rollup"):
    try:
        return getattr(obj, relation)
    except ObjectDoesNotExist:
        return None
