"""Funding officers' admin: donors, exchange rates and contributions (recorded via the service)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from plans.admin_display import ReadOnlyAdmin, usd
from plans.admin_history import ScopedHistoryAdmin
from plans.admin_scoping import PlanScopedAdminMixin
from plans.admin_writes import ServiceWritesAdminMixin, VersionedAdminForm, adopt
from plans.models import Plan
from plans.roles import Role, user_countries

from . import services
from .admin_filters import CountryFilter, CurrencyFilter
from .admin_uploads import ContributionUploadMixin, RatesUploadMixin
from .models import Contribution, Currency, Donor, ExchangeRate, GroupRollup


@admin.register(Currency)
class CurrencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]

    def has_add_permission(self, request):
        return False  # ISO 4217, loaded from pycountry


@admin.register(Donor)
class DonorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country"]
    list_filter = ["kind"]
    list_select_related = ["country"]
    search_fields = ["name"]
    autocomplete_fields = ["country"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(RatesUploadMixin, admin.ModelAdmin):
    change_list_template = "admin/funding/upload_button.html"
    list_display = ["currency", "rate_on", "units_per_usd"]
    list_filter = ["currency"]
    search_fields = ["currency__code"]
    autocomplete_fields = ["currency"]
    date_hierarchy = "rate_on"


class ContributionAdminForm(VersionedAdminForm):
    # The years it is for (funding.models.ContributionYear), in words; written by the service.
    years = forms.CharField(
        label=_("Year(s) it is for"),
        required=False,
        help_text=_(
            "A year of the plan (2021), or the years with the part for each, in the "
            "contribution's currency: 2020: 20000; 2021: 30000. Empty: the year of its date "
            "for a new contribution; the recorded years for a correction."
        ),
    )

    # The rate a donor's agreement fixed (issue #13, item 5): used when the officer may set
    # exchange rates, else refused beside this field by the service; never ignored.
    units_per_usd = forms.DecimalField(
        label=_("Rate fixed by the agreement (units per USD)"),
        required=False,
        max_digits=20,
        decimal_places=8,
        help_text=_(
            "Empty: the exchange rate in force on the contribution's date. Only those who may "
            "set exchange rates may give a contribution its own rate."
        ),
    )

    class Meta:
        model = Contribution
        fields = [*services.CORRECTABLE, "years"]  # what the services record and correct

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["years"] = services.years_format(self.instance)
            self.initial["units_per_usd"] = _own_rate(self.instance)

    def clean_years(self):
        return services.years_parse(self.cleaned_data["years"])


def _own_rate(contribution: Contribution):
    """The contribution's rate when it is its own (not the one in force on its date), so that a
    correction keeps it; None otherwise."""
    try:
        in_force = services.exchange_rate_in_force(
            currency=contribution.currency, on=contribution.contributed_on
        )
    except ValidationError:
        return contribution.units_per_usd  # no rate in force: it can only be its own
    return None if in_force == contribution.units_per_usd else contribution.units_per_usd


@admin.register(Contribution)
class ContributionAdmin(
    ContributionUploadMixin, ServiceWritesAdminMixin, PlanScopedAdminMixin, ScopedHistoryAdmin
):
    form = ContributionAdminForm
    change_list_template = "admin/funding/upload_button.html"
    # Compact columns, so the list fits 1280 px (issue #13, item 5): ISO dates, a plan by its
    # countries and years, long names shortened with the whole name on hover.
    list_display = [
        "date",
        "donor",
        "plan_short",
        "status",
        "original",
        "amount_usd_display",
        "for_years",
        "earmark",
        "reference",
    ]
    list_display_links = ["date"]

    class Media:
        css = {"all": ["css/admin.css"]}

    list_filter = ["status", CountryFilter, CurrencyFilter, "donor__kind"]
    list_select_related = ["donor", "plan", "objective__strategic_objective", "intervention"]
    search_fields = ["reference", "donor__name", "plan__title"]
    autocomplete_fields = ["donor", "plan", "objective", "intervention", "currency"]
    readonly_fields = ["amount_usd", "recorded_by", "created_at", "updated_at"]
    date_hierarchy = "contributed_on"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("years", "plan__countries")

    def editable_plans(self, user):
        return Plan.objects.filter(
            countries__in=user_countries(user, roles=[Role.FUNDING_OFFICER])
        ).distinct()

    def has_add_permission(self, request):
        return super().has_add_permission(request) and (
            request.user.is_superuser or self.editable_plans(request.user).exists()
        )

    def save_model(self, request, obj, form, change):
        """Record or correct through funding.services (the API's writes too); a refusal is
        shown on the page by ServiceWritesAdminMixin, beside the field it names."""
        fields = {name: form.cleaned_data.get(name) for name in services.CORRECTABLE}
        fields["reference"] = fields["reference"] or ""
        years = form.cleaned_data.get("years")
        rate = form.cleaned_data.get("units_per_usd")
        if change:
            saved = services.contribution_correct(
                contribution=obj,
                actor=request.user,
                expected_version=form.expected_version(),
                years=years,
                units_per_usd=rate,
                **fields,
            )
        else:
            saved = services.contribution_record(
                actor=request.user, years=years, units_per_usd=rate, **fields
            )
        adopt(obj, saved)

    def service_delete(self, request, obj):
        services.contribution_delete(contribution=obj, actor=request.user)

    def changelist_view(self, request, extra_context=None):
        # The list is wide: the app navigation (a click away in the breadcrumbs) gives way.
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("date"), ordering="contributed_on")
    def date(self, obj):
        return obj.contributed_on.isoformat()

    @admin.display(description=_("plan"), ordering="plan__slug")
    def plan_short(self, obj):
        plan = obj.plan
        years = (
            str(plan.start_year)
            if plan.start_year == plan.end_year
            else f"{plan.start_year}–{plan.end_year}"
        )
        codes = " ".join(c.iso3 for c in plan.countries.all()) or "—"
        return format_html('<span title="{}">{} {}</span>', plan.title, codes, years)

    @admin.display(description=_("amount"), ordering="amount")
    def original(self, obj):
        return f"{obj.amount:,.2f} {obj.currency_id}"

    @admin.display(description=_("USD"), ordering="amount_usd")
    def amount_usd_display(self, obj):
        return usd(obj.amount_usd)

    @admin.display(description=_("for"))
    def for_years(self, obj):
        return ", ".join(str(share.year) for share in obj.years.all())

    @admin.display(description=_("earmarked to"))
    def earmark(self, obj):
        if obj.intervention_id:
            name = obj.intervention.title
        elif obj.objective_id:
            name = str(obj.objective.strategic_objective)
        else:
            return _("plan level")
        return format_html('<span title="{}">{}</span>', name, Truncator(name).chars(32))


@admin.register(GroupRollup)
class GroupRollupAdmin(ReadOnlyAdmin):
    """Read-only view of the grouped rollups, for checking what donors see."""

    list_display = [
        "dimension",
        "label",
        "required_usd",
        "received_usd",
        "pledged_usd",
        "gap_usd",
        "coverage_percent",
        "computed_at",
    ]
    list_filter = ["dimension"]
    search_fields = ["label", "key"]


from . import admin_fts, admin_rollups  # noqa: F401,E402  (the FTS import and rollup audit pages)
