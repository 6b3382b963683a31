"""Filters of the objectives endpoint."""

from __future__ import annotations

from django.db.models import Q
from django_filters import rest_framework as filters

from crp_portal.api.filters import YearFilter, figure_filters
from objectives.models import Objective, TargetGroup
from plans.api.filters import (
    CodeMultipleChoiceFilter,
    PlanScopedFilterSet,
    country_filter,
    region_filter,
)


class ObjectiveFilter(PlanScopedFilterSet):
    plan_path = "plan"

    plan = filters.CharFilter(field_name="plan__slug", max_length=64, help_text="Plan slug.")
    country = country_filter()
    region = region_filter()
    year = YearFilter(method="filter_year", help_text="Objectives of plans covering this year.")
    strategic_objective = filters.NumberFilter(
        field_name="strategic_objective__number", min_value=1, max_value=32767, decimal_places=0
    )
    target_group = CodeMultipleChoiceFilter(
        field_name="target_groups__slug",
        to_field_name="slug",
        queryset=TargetGroup.objects.all(),
        distinct=True,
    )
    sector = filters.CharFilter(method="filter_sector", max_length=80, help_text="Sector slug.")
    search = filters.CharFilter(method="filter_search", max_length=200)
    locals().update(figure_filters("rollup__"))

    class Meta:
        model = Objective
        fields = []

    def filter_sector(self, queryset, name, value):
        return queryset.filter(
            pk__in=Objective.objects.filter(interventions__sector__slug=value).values("pk")
        )

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(narrative__icontains=value)
            | Q(people_description__icontains=value)
            | Q(strategic_objective__title__icontains=value)
        )
