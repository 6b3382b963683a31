"""Filters of the contributions, donors and funding summary endpoints."""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery
from django_filters import rest_framework as filters

from crp_portal.api.filters import (
    IdFilter,
    IdMultipleChoiceFilter,
    MoneyFilter,
    SyncFilterSet,
    YearFilter,
)
from funding.models import Contribution, Currency, Donor, ExchangeRate
from plans.api.filters import (
    CodeMultipleChoiceFilter,
    PlanScopedFilterSet,
    country_filter,
    region_filter,
)
from plans.models import Country


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
