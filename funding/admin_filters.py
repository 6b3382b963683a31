"""List filters of the funding admin with many choices (issue #13, item 5): a country or
currency list of 250 or 179 links is unusable, so a filter lists only the values in use and,
past a handful, is a search box (an <input list> over a <datalist>: typing narrows the choices,
with no script, so the admin's Content Security Policy stays strict)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from plans.models import Country

from .models import Currency

MANY = 8  # more choices than this: a search box instead of links


class SearchableFilter(admin.SimpleListFilter):
    template = "admin/funding/searchable_filter.html"

    def choices(self, changelist):
        # The search box's form must keep the other filters, search and ordering in force.
        self.other_params = [
            (name, value)
            for name, values in changelist.params.items()
            if name not in (self.parameter_name, "p")  # a new filter starts at page 1
            for value in (values if isinstance(values, list) else [values])
        ]
        self.is_many = len(self.lookup_choices) > MANY
        yield from super().choices(changelist)


class CountryFilter(SearchableFilter):
    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        used = Country.objects.filter(plans__contributions__isnull=False).distinct()
        return list(used.order_by("name").values_list("iso3", "name"))

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(plan__countries__iso3=value).distinct() if value else queryset


class CurrencyFilter(SearchableFilter):
    title = _("currency")
    parameter_name = "currency"

    def lookups(self, request, model_admin):
        used = Currency.objects.filter(contributions__isnull=False).distinct()
        return [(code, f"{code} — {name}") for code, name in used.values_list("code", "name")]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(currency_id=value.upper()) if value else queryset
