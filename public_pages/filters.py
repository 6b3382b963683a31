"""The filters of the public plan list, shared by /plans/ and /funding/ (same GET parameters)."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import F, Q
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from funding.summary import SummaryFilters
from interventions.models import Sector
from objectives.models import StrategicObjective
from plans.models import (
    MAX_YEAR,
    MIN_YEAR,
    PUBLIC_STATUSES,
    Country,
    CrossCuttingPriority,
    OperatingModality,
    Plan,
    Region,
)
from plans.translated import text_search
from public_pages.country_names import country_name


class FundingStatus:
    """Coverage bands as a donor reads them: by the whole percent the pages show.

    A page shows coverage rounded half-up, so a plan shown as "25 %" (24.50 % stored) must fall
    in the 25–49 % band: each band starts half a point below its first whole percent.
    """

    NOT_COSTED = "not-costed"
    # The "%" below is a percent sign, not a format: xgettext would flag "% f" python-format.
    CHOICES = [
        # xgettext:no-python-format
        ("0-24", _("Under 25 % funded")),
        # xgettext:no-python-format
        ("25-49", _("25–49 % funded")),
        # xgettext:no-python-format
        ("50-74", _("50–74 % funded")),
        # xgettext:no-python-format
        ("75-99", _("75–99 % funded")),
        # xgettext:no-python-format
        ("100", _("Fully funded (100 % or more)")),
        (NOT_COSTED, _("Not yet costed")),
    ]
    BOUNDS = {"0-24": (None, 25), "25-49": (25, 50), "50-74": (50, 75), "75-99": (75, 100)}
    BOUNDS["100"] = (100, None)

    @classmethod
    def condition(cls, band: str) -> Q:
        if band == cls.NOT_COSTED:
            return Q(rollup__isnull=True) | Q(rollup__required_usd__isnull=True)
        low, high = cls.BOUNDS[band]
        condition = Q(rollup__coverage_percent__isnull=False)
        if low is not None:
            condition &= Q(rollup__coverage_percent__gte=Decimal(low) - Decimal("0.5"))
        if high is not None:
            condition &= Q(rollup__coverage_percent__lt=Decimal(high) - Decimal("0.5"))
        return condition


SORTS = {
    "gap": (_("Largest gap"), [F("rollup__gap_usd").desc(nulls_last=True)]),
    "coverage": (_("Lowest coverage"), [F("rollup__coverage_percent").asc(nulls_last=True)]),
    "required": (_("Largest requirement"), [F("rollup__required_usd").desc(nulls_last=True)]),
    # "Last updated" as the plan states it (issue #12, item 8); saves of the same day in order.
    "updated": (_("Last updated"), [F("last_updated_on").desc(), F("updated_at").desc()]),
}
DEFAULT_SORT = "gap"
# Filters that choose whole plans (the summary counts all of a chosen plan's money).
PLAN_CHOOSERS = ("q", "funding", "modality", "priority")
ANY = _("Any")


def _countries_named(words: list[str]) -> dict[str, list[str]]:
    """For each word, the countries whose name in the page's language holds it (pycountry's
    translations, as the pages name them); in English the catalog's names are searched as
    they are. One query, only for a search in another language."""
    if not words or translation.get_language() in (None, settings.LANGUAGE_CODE):
        return {word: [] for word in words}
    shown = [
        (iso3, country_name(iso3=iso3, name=name).casefold())
        for iso3, name in Country.objects.values_list("iso3", "name")
    ]
    return {word: [iso3 for iso3, n in shown if word.casefold() in n] for word in words}


class PlanFilter(django_filters.FilterSet):
    """Published plans by place, year, kind, objective, sector, funding status; sorted."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    # Catalog choices are filled in __init__, one query per catalog: validating and drawing
    # the form then cost nothing more, whichever filters are chosen (the pages' query budget).
    region = django_filters.ChoiceFilter(
        label=_("Region"), field_name="countries__region__slug", empty_label=ANY, distinct=True
    )
    country = django_filters.ChoiceFilter(
        label=_("Country"), field_name="countries__iso3", empty_label=ANY, distinct=True
    )
    year = django_filters.NumberFilter(label=_("Year"), method="filter_year")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Plan.Kind.choices, empty_label=ANY)
    objective = django_filters.ChoiceFilter(
        label=_("Strategic objective"),
        field_name="objectives__strategic_objective__number",
        empty_label=ANY,
        distinct=True,
    )
    sector = django_filters.ChoiceFilter(
        label=_("Sector"),
        field_name="objectives__interventions__sector__slug",
        empty_label=ANY,
        distinct=True,
    )
    modality = django_filters.ChoiceFilter(
        label=_("Key operating modality"),
        field_name="modalities__slug",
        empty_label=ANY,
        distinct=True,
    )
    priority = django_filters.ChoiceFilter(
        label=_("Cross-cutting priority"),
        field_name="priorities__slug",
        empty_label=ANY,
        distinct=True,
    )
    funding = django_filters.ChoiceFilter(
        label=_("Funding status"),
        choices=FundingStatus.CHOICES,
        method="filter_funding",
        empty_label=ANY,
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[(key, label) for key, (label, _order) in SORTS.items()],
        method="filter_sort",
        empty_label=None,
    )

    class Meta:
        model = Plan
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        catalogs = {
            # By the name shown: the database orders by the page language's column, which
            # puts the names not translated last in no set order.
            "region": sorted(Region.objects.values_list("slug", "name"), key=lambda c: c[1]),
            "country": sorted(
                (
                    (iso3, country_name(iso3=iso3, name=name))
                    for iso3, name in Country.objects.filter(plans__status__in=PUBLIC_STATUSES)
                    .distinct()
                    .values_list("iso3", "name")
                ),
                key=lambda choice: choice[1],
            ),
            "objective": [
                (str(number), f"{number}. {title}")
                for number, title in StrategicObjective.objects.values_list("number", "title")
            ],
            "sector": sorted(Sector.objects.values_list("slug", "name"), key=lambda c: c[1]),
            "modality": OperatingModality.objects.values_list("slug", "name"),
            "priority": CrossCuttingPriority.objects.values_list("slug", "name"),
        }
        for name, choices in catalogs.items():
            # django-filter's field puts its empty_label ("Any") first itself.
            self.form.fields[name].choices = list(choices)
        year = self.form.fields["year"]
        year.widget = forms.NumberInput(attrs={"min": MIN_YEAR, "max": MAX_YEAR})
        year.validators += [MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]

    def _cleaned(self) -> dict:
        """The values that were understood: an invalid filter is reported and ignored."""
        return getattr(self.form, "cleaned_data", {}) if self.is_bound else {}

    @property
    def qs(self):
        queryset = super().qs
        # Sorting always applies, also when the sort parameter is absent.
        if not self._cleaned().get("sort"):
            queryset = queryset.order_by(*SORTS[DEFAULT_SORT][1], "-start_year", "slug")
        return queryset

    def filter_search(self, queryset, name, value):
        words = value.split()[:8]
        named = _countries_named(words)
        for word in words:
            queryset = queryset.filter(
                text_search("title", word)
                | text_search("vision_statement", word)
                | Q(countries__name__icontains=word)
                | Q(countries__iso3__in=named[word])  # "Tadjikistan" on the French page
                | Q(countries__iso3__iexact=word)
            )
        return queryset.distinct() if words else queryset

    def filter_year(self, queryset, name, value):
        return queryset.covering_year(int(value))

    def filter_funding(self, queryset, name, value):
        return queryset.filter(FundingStatus.condition(value))

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS[value][1], "-start_year", "slug")

    def summary_filters(self) -> SummaryFilters:
        """The filters understood, as funding.summary applies them to requirements and money
        (the dashboard); the search, the funding band and the ways of working choose whole
        plans."""
        self.form.is_valid()
        data = self._cleaned()
        year, objective = data.get("year"), data.get("objective")
        choose_plans = any(data.get(name) for name in PLAN_CHOOSERS)
        return SummaryFilters(
            countries=(data["country"],) if data.get("country") else (),
            regions=(data["region"],) if data.get("region") else (),
            year=int(year) if year is not None else None,
            kinds=(data["kind"],) if data.get("kind") else (),
            strategic_objective=int(objective) if objective else None,
            sector=data.get("sector") or None,
            plans_in=self.qs.values("pk") if choose_plans else None,
        )

    @property
    def is_filtered(self) -> bool:
        """Whether any filter (not just the sort) narrows the plans."""
        self.form.is_valid()  # validate first, so cleaned_data holds what was understood
        return any(
            value not in (None, "") for key, value in self._cleaned().items() if key != "sort"
        )


CURRENT, PAST = "published", "archived"


class PlanListFilter(PlanFilter):
    """The plan list's filters: those of PlanFilter and which plans, current or past. Without
    the parameter the list shows the current plans; "Past plans" is `?status=archived`, and an
    empty value both. (The dashboard counts every public plan, past ones for their years.)"""

    status = django_filters.ChoiceFilter(
        label=_("Plans"),
        choices=[(CURRENT, _("Current plans")), (PAST, _("Past plans"))],
        empty_label=_("Current and past"),
    )

    def __init__(self, data=None, *args, **kwargs):
        if data is None or "status" not in data:
            data = data.copy() if data is not None else QueryDict(mutable=True)
            data["status"] = CURRENT
        super().__init__(data, *args, **kwargs)

    @property
    def shows_past_only(self) -> bool:
        self.is_valid()  # cleaned_data exists only once the form has been validated
        return self._cleaned().get("status") == PAST
