"""Filters of the contributions, donors and funding summary endpoints."""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from crp_portal.api.filters import (
    IdFilter,
    IdMultipleChoiceFilter,
    MoneyFilter,
    SyncFilterSet,
    YearFilter,
)
from funding.models import Contribution, Currency, Donor, ExchangeRate, GroupRollup
from funding.summary import SummaryFilters
from interventions.models import PlanType, Sector
from objectives.models import StrategicObjective
from plans.api.filters import (
    CodeMultipleChoiceFilter,
    PlanScopedFilterSet,
    country_filter,
    region_filter,
)
from plans.models import Country, Plan, Region


class ContributionFilter(PlanScopedFilterSet):
    plan_path = "plan"

    plan = filters.CharFilter(field_name="plan__slug", max_length=64, help_text="Plan slug.")
    country = country_filter()
    region = region_filter()
    year = YearFilter(
        field_name="years__year",
        help_text="Contributions for that year of their plan (in whole or in part), whatever "
        "their date.",
    )
    donor = IdMultipleChoiceFilter(queryset=Donor.objects.all(), help_text="Donor id.")
    status = filters.MultipleChoiceFilter(choices=Contribution.Status.choices)
    currency = CodeMultipleChoiceFilter(
        to_field_name="code", queryset=Currency.objects.all(), help_text="ISO 4217 code."
    )
    strategic_objective = filters.NumberFilter(
        field_name="objective__strategic_objective__number",
        min_value=1,
        max_value=32767,
        decimal_places=0,
    )
    sector = filters.CharFilter(
        field_name="intervention__sector__slug", max_length=80, help_text="Sector slug."
    )
    objective = IdFilter(field_name="objective_id")
    intervention = IdFilter(field_name="intervention_id")
    min_amount_usd = MoneyFilter(field_name="amount_usd", lookup_expr="gte")
    max_amount_usd = MoneyFilter(field_name="amount_usd", lookup_expr="lte")
    search = filters.CharFilter(method="filter_search", max_length=200)

    class Meta:
        model = Contribution
        fields = []

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(reference__icontains=value) | Q(donor__name__icontains=value))


class DonorFilter(SyncFilterSet):
    kind = filters.MultipleChoiceFilter(choices=Donor.Kind.choices)
    country = CodeMultipleChoiceFilter(
        field_name="country__iso3",
        to_field_name="iso3",
        queryset=Country.objects.all(),
        help_text="ISO3 code of the donor.",
    )
    search = filters.CharFilter(field_name="name", lookup_expr="icontains", max_length=200)

    class Meta:
        model = Donor
        fields = []


class ExchangeRateFilter(SyncFilterSet):
    currency = CodeMultipleChoiceFilter(
        field_name="currency",
        queryset=Currency.objects.all(),
        help_text="ISO 4217 code of the currency (repeatable).",
    )
    on = filters.DateFilter(
        method="in_force_on",
        help_text="Only the rate of each currency in force on this date (YYYY-MM-DD).",
    )

    class Meta:
        model = ExchangeRate
        fields = []

    def in_force_on(self, queryset, name, value):
        latest = (
            ExchangeRate.objects.filter(currency=OuterRef("currency"), rate_on__lte=value)
            .order_by("-rate_on")
            .values("pk")[:1]
        )
        return queryset.filter(pk=Subquery(latest))


@extend_schema_field(OpenApiTypes.STR)
class CodeFilter(filters.ModelChoiceFilter):
    """One code (a slug) of a catalog row; an unknown code is a 400 naming the filter."""


@extend_schema_field(OpenApiTypes.INT)
class NumberCodeFilter(filters.ModelChoiceFilter):
    """One number of a numbered catalog row (a strategic objective)."""


class SummaryFilter(filters.FilterSet):
    """The funding summary's filters, named as on the lists it summarises. They are only
    validated here (an unknown code is a 400 naming it): funding.summary applies them to
    requirements and money alike, at the line each is known at."""

    country = CodeMultipleChoiceFilter(
        to_field_name="iso3",
        queryset=Country.objects.all(),
        help_text="ISO3 code; repeat for several. What the country's row of group_by=country "
        "shows: a multi-country plan's interventions placed there, a one-country plan whole.",
    )
    region = CodeMultipleChoiceFilter(
        to_field_name="slug", queryset=Region.objects.all(), help_text="Region slug; repeatable."
    )
    year = YearFilter(help_text="Requirements for that year and money for it (its usage year).")
    kind = filters.MultipleChoiceFilter(choices=Plan.Kind.choices, help_text="Kind of plan.")
    plan = CodeFilter(
        to_field_name="slug",
        queryset=Plan.objects.public(),
        help_text="Plan slug (published plans).",
    )
    strategic_objective = NumberCodeFilter(
        to_field_name="number",
        queryset=StrategicObjective.objects.all(),
        help_text="Strategic objective number: its objectives' requirements and the money "
        "earmarked to them.",
    )
    sector = CodeFilter(
        to_field_name="slug",
        queryset=Sector.objects.all(),
        help_text="Sector slug: its interventions' requirements and the money earmarked to them.",
    )
    plan_type = CodeFilter(
        to_field_name="slug",
        queryset=PlanType.objects.all(),
        help_text="Plan type slug: its interventions' requirements and the money earmarked to "
        "them.",
    )
    donor = IdMultipleChoiceFilter(
        queryset=Donor.objects.all(),
        help_text="Donor id; repeatable. Money only: a requirement has no donor, so required, "
        "gap and coverage are null.",
    )
    status = filters.MultipleChoiceFilter(
        choices=Contribution.Status.choices,
        help_text="Status of the contributions counted; requirements stay.",
    )

    class Meta:
        model = GroupRollup  # the view's queryset (unfiltered, the stored groups)
        fields: list[str] = []

    def filter_queryset(self, queryset):
        return queryset  # validated only; funding.summary applies the filters

    def summary_filters(self) -> SummaryFilters:
        """The filters understood (call after is_valid())."""
        data = self.form.cleaned_data

        def one(name, attribute):
            value = data.get(name)
            return getattr(value, attribute) if value is not None else None

        year = data.get("year")
        return SummaryFilters(
            countries=tuple(c.iso3 for c in data.get("country") or ()),
            regions=tuple(r.slug for r in data.get("region") or ()),
            year=int(year) if year is not None else None,
            kinds=tuple(data.get("kind") or ()),
            plan=one("plan", "slug"),
            strategic_objective=one("strategic_objective", "number"),
            sector=one("sector", "slug"),
            plan_type=one("plan_type", "slug"),
            donors=tuple(d.pk for d in data.get("donor") or ()),
            statuses=tuple(data.get("status") or ()),
        )
