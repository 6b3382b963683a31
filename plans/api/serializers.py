"""Serializers of plans, their years, presences, countries and regions."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crp_portal.api_base import (
    FIGURES,
    CountryRefSerializer,
    FigureField,
    FiguresMixin,
)
from objectives.api.serializers import NestedObjectiveSerializer
from plans.models import MAX_YEAR, MIN_YEAR, Country, OperationalPresence, Plan, Region


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "slug", "name"]


class CountrySerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="iso3", read_only=True)
    region = RegionSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Country
        fields = ["id", "code", "iso2", "name", "region"]


class PlanSerializer(FiguresMixin, serializers.ModelSerializer):
    """A plan with its headline figures (whole period, from the stored rollup)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:plan-detail", lookup_field="slug")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    countries = CountryRefSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "slug",
            "url",
            "title",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "countries",
            "start_year",
            "end_year",
            "vision_statement",
            "published_at",
            "updated_at",
            "funding_updated_at",
        ]
        read_only_fields = fields


class PlanYearSerializer(serializers.Serializer):
    """One year of a plan: the stated people figures beside the year's funding figures."""

    year = serializers.IntegerField()
    people_in_need = serializers.IntegerField(allow_null=True)
    people_targeted = serializers.IntegerField(allow_null=True)
    entities_targeted = serializers.IntegerField(allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        for name, figure in FIGURES.items():
            fields[name] = FigureField(figure, rollup="figures", allow_null=True)
        return fields


class PresenceSerializer(serializers.ModelSerializer):
    country = CountryRefSerializer(read_only=True)
    as_of = serializers.DateField(source="as_of_on", allow_null=True)

    class Meta:
        model = OperationalPresence
        fields = [
            "country",
            "international_staff",
            "national_staff",
            "field_offices",
            "as_of",
            "as_of_precision",
        ]


class _Year:
    """A plan year: its PlanYear row (if any) and its PlanYearRollup (if any)."""

    def __init__(self, year: int, row, figures):
        self.year = year
        self.people_in_need = getattr(row, "people_in_need", None)
        self.people_targeted = getattr(row, "people_targeted", None)
        self.entities_targeted = getattr(row, "entities_targeted", None)
        self.figures = figures


class PlanDetailSerializer(PlanSerializer):
    """A plan as its CRP page reads: years, objectives down to activities and requirements."""

    vision_narrative = serializers.CharField(read_only=True)
    years = serializers.SerializerMethodField()
    objectives = NestedObjectiveSerializer(many=True, read_only=True)
    operational_presence = PresenceSerializer(source="presences", many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = [
            *PlanSerializer.Meta.fields,
            "vision_narrative",
            "years",
            "objectives",
            "operational_presence",
        ]
        read_only_fields = fields

    @extend_schema_field(PlanYearSerializer(many=True))
    def get_years(self, plan: Plan) -> list[dict]:
        rows = {r.year: r for r in plan.plan_years.all()}
        figures = {r.year: r for r in plan.year_rollups.all()}
        return PlanYearSerializer(
            [_Year(y, rows.get(y), figures.get(y)) for y in plan.years], many=True
        ).data


class PlanWriteSerializer(serializers.Serializer):
    """Fields an editor may change through the API (PATCH): content, never status or figures."""

    title = serializers.CharField(max_length=200, required=False)
    vision_statement = serializers.CharField(max_length=500, required=False, allow_blank=True)
    vision_narrative = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    start_year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, required=False)
    end_year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR, required=False)
