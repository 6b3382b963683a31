"""Filters of the plans, countries and regions endpoints."""

from __future__ import annotations

from django.db.models import Q
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from crp_portal.api.filters import IdFilter, SyncFilterSet, YearFilter, figure_filters
from plans.models import Country, CrossCuttingPriority, OperatingModality, Plan, Region
from plans.translated import text_search


@extend_schema_field(OpenApiTypes.STR)
class CodeMultipleChoiceFilter(filters.ModelMultipleChoiceFilter):
    """A repeatable code (ISO3, slug) of a catalog row; an unknown code is a 400 naming it."""


def country_filter() -> filters.ModelMultipleChoiceFilter:
    """`country=PAK&country=TJK`: rows of plans in any of them; an unknown code is a 400."""
    return CodeMultipleChoiceFilter(
        to_field_name="iso3",
        queryset=Country.objects.all(),
        method="filter_country",
        help_text="ISO 3166 alpha-3 code; repeat for several.",
    )


def region_filter() -> filters.ModelMultipleChoiceFilter:
    return CodeMultipleChoiceFilter(
        to_field_name="slug",
        queryset=Region.objects.all(),
        method="filter_region",
        help_text="Region slug; repeat for several.",
    )


class PlanScopedFilterSet(SyncFilterSet):
    """Filters of rows under plans; `plan_path` leads from the row to its plan."""

    plan_path = ""

    def _plans(self, condition: Q):
        return Plan.objects.filter(condition).values("pk")

    def _in_plans(self, queryset, condition: Q):
        lookup = f"{self.plan_path}__in" if self.plan_path else "pk__in"
        return queryset.filter(**{lookup: self._plans(condition)})

    def filter_country(self, queryset, name, value):
        if not value:
            return queryset
        return self._in_plans(queryset, Q(countries__in=value))

    def filter_region(self, queryset, name, value):
        if not value:
            return queryset
        return self._in_plans(queryset, Q(countries__region__in=value))

    def filter_year(self, queryset, name, value):
        if value is None:
            return queryset
        year = int(value)
        return self._in_plans(queryset, Q(start_year__lte=year, end_year__gte=year))


class PlanFilter(PlanScopedFilterSet):
    country = country_filter()
    region = region_filter()
    year = YearFilter(method="filter_year", help_text="Plans covering this year.")
    kind = filters.MultipleChoiceFilter(choices=Plan.Kind.choices)
    status = filters.MultipleChoiceFilter(
        choices=Plan.Status.choices,
        help_text=(
            "Anonymous clients and partners see public plans only: published (current) and "
            "archived (past plans). Withdrawn plans are listed in /deletions/."
        ),
    )
    strategic_objective = filters.NumberFilter(
        field_name="objectives__strategic_objective__number",
        method="filter_strategic_objective",
        min_value=1,
        max_value=32767,
        decimal_places=0,
    )
    sector = filters.CharFilter(method="filter_sector", max_length=80, help_text="Sector slug.")
    plan_type = filters.CharFilter(
        method="filter_plan_type", max_length=80, help_text="Plan type slug."
    )
    donor = IdFilter(method="filter_donor", help_text="Donor id.")
    modality = CodeMultipleChoiceFilter(
        to_field_name="slug",
        queryset=OperatingModality.objects.all(),
        method="filter_choices",
        help_text="Plans naming this key operating modality (slug, /api/v1/modalities/); "
        "repeat for plans naming any of several.",
    )
    priority = CodeMultipleChoiceFilter(
        to_field_name="slug",
        queryset=CrossCuttingPriority.objects.all(),
        method="filter_choices",
        help_text="Plans naming this cross-cutting priority (slug, /api/v1/cross-cutting-"
        "priorities/); repeat for plans naming any of several.",
    )
    search = filters.CharFilter(method="filter_search", max_length=200)
    locals().update(figure_filters("rollup__"))

    class Meta:
        model = Plan
        fields = []

    def filter_strategic_objective(self, queryset, name, value):
        return self._in_plans(queryset, Q(objectives__strategic_objective__number=int(value)))

    def filter_sector(self, queryset, name, value):
        return self._in_plans(queryset, Q(objectives__interventions__sector__slug=value))

    def filter_plan_type(self, queryset, name, value):
        return self._in_plans(queryset, Q(objectives__interventions__plan_types__slug=value))

    def filter_choices(self, queryset, name, value):
        if not value:
            return queryset
        field = {"modality": "modalities", "priority": "priorities"}[name]
        return self._in_plans(queryset, Q(**{f"{field}__in": value}))

    def filter_donor(self, queryset, name, value):
        return self._in_plans(queryset, Q(contributions__donor_id=int(value)))

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            text_search("title", value)
            | Q(slug__icontains=value)
            | text_search("vision_statement", value)
        )


class CountryFilter(SyncFilterSet):
    region = CodeMultipleChoiceFilter(
        field_name="region__slug", to_field_name="slug", queryset=Region.objects.all()
    )
    search = filters.CharFilter(method="filter_search", max_length=200)
    with_plans = filters.BooleanFilter(
        method="filter_with_plans", help_text="Only countries with published plans."
    )

    class Meta:
        model = Country
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(iso3__iexact=value))

    def filter_with_plans(self, queryset, name, value):
        if value is None:
            return queryset
        published = Plan.objects.public().values("countries")
        return queryset.filter(pk__in=published) if value else queryset.exclude(pk__in=published)
