"""Filters of the interventions endpoint."""

from __future__ import annotations

from django.db.models import Q
from django_filters import rest_framework as filters

from crp_portal.api.filters import IdFilter, YearFilter, figure_filters
from interventions.models import Intervention, PlanType, Sector
from plans.api.filters import (
    CodeMultipleChoiceFilter,
    PlanScopedFilterSet,
    country_filter,
    region_filter,
)


class InterventionFilter(PlanScopedFilterSet):
    plan_path = "objective__plan"

    plan = filters.CharFilter(
        field_name="objective__plan__slug", max_length=64, help_text="Plan slug."
    )
    objective = IdFilter(field_name="objective_id")
    country = country_filter()
    region = region_filter()
    year = YearFilter(method="filter_year", help_text="Interventions of plans covering this year.")
    strategic_objective = filters.NumberFilter(
        field_name="objective__strategic_objective__number",
        min_value=1,
        max_value=32767,
        decimal_places=0,
    )
    sector = CodeMultipleChoiceFilter(
        field_name="sector__slug", to_field_name="slug", queryset=Sector.objects.all()
    )
    plan_type = CodeMultipleChoiceFilter(
        field_name="plan_types__slug",
        to_field_name="slug",
        queryset=PlanType.objects.all(),
        distinct=True,
    )
    search = filters.CharFilter(method="filter_search", max_length=200)
    locals().update(figure_filters("rollup__"))

    class Meta:
        model = Intervention
        fields = []

    def filter_search(self, queryset, name, value):
        matching = Intervention.objects.filter(
            Q(title__icontains=value)
            | Q(narrative__icontains=value)
            | Q(activities__text__icontains=value)
        )
        return queryset.filter(pk__in=matching.values("pk"))
