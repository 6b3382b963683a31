"""Serializers of interventions, their activities and yearly requirements, sectors, plan types."""

from __future__ import annotations

from rest_framework import serializers

from crp_portal.api.fields import FIGURES, FiguresMixin, MoneyField, NamedRefSerializer, rollup_of
from crp_portal.api.representations import figures_of, iso_datetime, money_text
from crp_portal.api.writes import WriteSerializer
from funding.models import Requirement, money_bound_message
from interventions.models import Activity, Intervention, PlanType, Sector
from plans.models import MAX_YEAR, MIN_YEAR, Country


class SectorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "slug", "name", "dac_code", "retired_on"]


class PlanTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanType
        fields = ["id", "slug", "name", "retired_on"]


class ActivitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Activity
        fields = ["id", "position", "text"]


class RequirementSerializer(serializers.ModelSerializer):
    """Money the intervention needs in one year (typed by the editor; never computed)."""

    funding_required = MoneyField(
        source="amount_usd",
        read_only=True,
        help_text='USD needed that year, a string with 2 decimals (e.g. "125000.50"); a year '
        "not yet costed has no row.",
    )

    class Meta:
        model = Requirement
        fields = ["year", "funding_required"]


class NestedInterventionSerializer(FiguresMixin, serializers.ModelSerializer):
    """An intervention inside a plan's detail: activities, yearly requirements and its funding
    figures."""

    sector = NamedRefSerializer(read_only=True, allow_null=True)
    country = serializers.SlugRelatedField(
        slug_field="iso3",
        read_only=True,
        allow_null=True,
        help_text="ISO3 code of the country it is in (a plan covering several countries); null: "
        "the plan as a whole.",
    )
    plan_types = NamedRefSerializer(many=True, read_only=True)
    activities = ActivitySerializer(many=True, read_only=True)
    requirements = RequirementSerializer(many=True, read_only=True)

    class Meta:
        model = Intervention
        fields = [
            "id",
            "position",
            "title",
            "sector",
            "country",
            "plan_types",
            "narrative",
            "people_targeted",
            "activities",
            "requirements",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, intervention: Intervention) -> dict:
        sector = intervention.sector
        return {
            "id": intervention.pk,
            "position": intervention.position,
            "title": intervention.title,
            "sector": {"slug": sector.slug, "name": sector.name} if sector else None,
            "country": intervention.country.iso3 if intervention.country_id else None,
            "plan_types": [{"slug": t.slug, "name": t.name} for t in intervention.plan_types.all()],
            "narrative": intervention.narrative,
            "people_targeted": intervention.people_targeted,
            "activities": [
                {"id": a.pk, "position": a.position, "text": a.text}
                for a in intervention.activities.all()
            ],
            "requirements": [
                {"year": r.year, "funding_required": money_text(r.amount_usd)}
                for r in intervention.requirements.all()
            ],
            "updated_at": iso_datetime(intervention.updated_at),
            **figures_of(rollup_of(intervention)),
        }


class InterventionSerializer(NestedInterventionSerializer):
    """An intervention with where it sits: its plan and objective."""

    plan = serializers.SlugRelatedField(source="objective.plan", slug_field="slug", read_only=True)
    objective = serializers.PrimaryKeyRelatedField(read_only=True)
    strategic_objective = serializers.IntegerField(
        source="objective.strategic_objective.number", read_only=True
    )

    class Meta(NestedInterventionSerializer.Meta):
        fields = [
            "id",
            "plan",
            "objective",
            "strategic_objective",
            *NestedInterventionSerializer.Meta.fields[1:],
        ]
        read_only_fields = fields

    def to_representation(self, intervention: Intervention) -> dict:
        objective = intervention.objective
        return {
            "plan": objective.plan.slug,
            "objective": objective.pk,
            "strategic_objective": objective.strategic_objective.number,
            **super().to_representation(intervention),
        }


class RequirementWriteSerializer(WriteSerializer):
    """Money the intervention needs in one year of its plan, as the editor types it."""

    read_only_names = tuple(RequirementSerializer.Meta.fields)

    year = serializers.IntegerField(min_value=MIN_YEAR, max_value=MAX_YEAR)
    # Too many digits is the bound of funding.models.MAX_MONEY_USD: said in its one message.
    amount_usd = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        min_value=0,
        coerce_to_string=True,
        help_text='USD needed that year, a string with up to 2 decimals (e.g. "125000.50").',
        error_messages={
            "max_digits": money_bound_message(),
            "max_whole_digits": money_bound_message(),
        },
    )


class InterventionWriteSerializer(WriteSerializer):
    """What an editor sends to create or change an intervention (activities and requirements,
    when given, replace the current ones)."""

    read_only_names = (*InterventionSerializer.Meta.fields, *FIGURES)

    objective = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The id of the objective it is under (PATCH: moves it there, with its "
        "earmarked contributions).",
    )
    title = serializers.CharField(max_length=300, required=False)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)
    sector = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Sector.objects.all(),
        allow_null=True,
        required=False,
        help_text="The slug of its sector (/api/v1/sectors/); null for none.",
    )
    plan_types = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=PlanType.objects.all(),
        many=True,
        required=False,
        help_text="Slugs of the plan types it is part of (/api/v1/plan-types/).",
    )
    country = serializers.SlugRelatedField(
        slug_field="iso3",
        queryset=Country.objects.all(),
        allow_null=True,
        required=False,
        help_text="ISO3 code of the country it is in, one of its plan's; null: the plan as a "
        "whole.",
    )
    narrative = serializers.CharField(max_length=20000, allow_blank=True, required=False)
    people_targeted = serializers.IntegerField(
        min_value=0, max_value=2_147_483_647, allow_null=True, required=False
    )
    activities = serializers.ListField(
        child=serializers.CharField(max_length=5000), max_length=200, required=False
    )
    requirements = RequirementWriteSerializer(many=True, required=False)


class InterventionCreateSerializer(InterventionWriteSerializer):
    """What an editor sends to add an intervention (POST): its objective and title are
    required; activities and requirements are its first ones."""

    objective = serializers.IntegerField(
        min_value=1, help_text="The id of the objective it is under."
    )
    title = serializers.CharField(max_length=300, help_text="The title.")
