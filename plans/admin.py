"""Editors' admin for plans: one page holds a plan's years, objectives, interventions, activities
and yearly requirements (nested inlines), with the computed figures read-only beside them."""

from __future__ import annotations

import nested_admin
from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from crp_portal.admin_display import figures_table, one_line
from crp_portal.admin_scoping import (
    PlanContentInlineMixin,
    PlanScopedAdminMixin,
    check_countries_editable,
)
from funding.models import Requirement
from interventions.models import Activity, Intervention
from objectives.models import Objective
from objectives.selectors import people_targeted_warnings

from .models import Country, OperationalPresence, Plan, PlanYear, Region, RoleAssignment


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["name", "iso3", "iso2", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name", "iso3", "iso2"]
    autocomplete_fields = ["region"]

    def has_add_permission(self, request):
        return False  # countries come from the ISO list (`manage.py load_catalogs`)


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = set()
        for start, end in Plan.objects.values_list("start_year", "end_year").distinct():
            years.update(range(start, end + 1))
        return [(str(y), str(y)) for y in sorted(years, reverse=True)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.covering_year(int(self.value()))
        return queryset


class RequirementInline(PlanContentInlineMixin, nested_admin.NestedTabularInline):
    model = Requirement
    extra = 0
    fields = ["year", "amount_usd"]
    verbose_name = _("yearly requirement (USD)")
    verbose_name_plural = _("yearly requirements (USD) — the only place money required is typed")


class ActivityInline(PlanContentInlineMixin, nested_admin.NestedTabularInline):
    model = Activity
    extra = 0
    fields = ["position", "text"]
    formfield_overrides = {
        Activity._meta.get_field("text").__class__: {
            "widget": forms.Textarea(attrs={"rows": 2, "cols": 90})
        }
    }


class InterventionInline(PlanContentInlineMixin, nested_admin.NestedStackedInline):
    model = Intervention
    extra = 0
    fields = [
        ("position", "title"),
        ("sector", "people_targeted"),
        "plan_types",
        "narrative",
        "funding",
    ]
    readonly_fields = ["funding"]
    autocomplete_fields = ["sector", "plan_types"]
    inlines = [ActivityInline, RequirementInline]
    classes = ["collapse"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("rollup", "sector")

    @admin.display(description=_("Funding (computed)"))
    def funding(self, obj):
        return figures_table(getattr(obj, "rollup", None)) if obj.pk else "—"


class ObjectiveInline(PlanContentInlineMixin, nested_admin.NestedStackedInline):
    model = Objective
    extra = 0
    fields = [
        "strategic_objective",
        ("people_targeted", "entities_targeted"),
        "target_groups",
        "people_description",
        "narrative",
        "funding",
    ]
    readonly_fields = ["funding"]
    autocomplete_fields = ["strategic_objective", "target_groups"]
    inlines = [InterventionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("rollup", "strategic_objective")

    @admin.display(description=_("Funding (computed)"))
    def funding(self, obj):
        return figures_table(getattr(obj, "rollup", None)) if obj.pk else "—"


class PlanYearInline(PlanContentInlineMixin, nested_admin.NestedTabularInline):
    model = PlanYear
    extra = 0
    fields = ["year", "people_in_need", "people_targeted", "entities_targeted"]
    verbose_name = _("year's figures")
    verbose_name_plural = _("figures per year (people targeted overlap: they do not add up)")


class OperationalPresenceInline(PlanContentInlineMixin, nested_admin.NestedTabularInline):
    model = OperationalPresence
    extra = 0
    fields = [
        "country",
        "international_staff",
        "national_staff",
        "field_offices",
        "as_of_on",
        "as_of_precision",
    ]
    autocomplete_fields = ["country"]


class PlanAdminForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = [
            "title",
            "slug",
            "kind",
            "status",
            "countries",
            "start_year",
            "end_year",
            "vision_statement",
            "vision_narrative",
        ]
        widgets = {"vision_statement": forms.Textarea(attrs={"rows": 2, "cols": 90})}

    def clean_countries(self):
        countries = self.cleaned_data.get("countries") or []
        check_countries_editable(self.request_user, countries)
        return countries


@admin.register(Plan)
class PlanAdmin(PlanScopedAdminMixin, nested_admin.NestedModelAdmin):
    plan_lookup = "pk"
    form = PlanAdminForm
    list_display = [
        "title",
        "status",
        "kind",
        "period",
        "country_codes",
        "funding_required",
        "updated_at",
    ]
    list_filter = [
        "status",
        "kind",
        ("countries__region", admin.RelatedOnlyFieldListFilter),
        YearFilter,
        ("countries", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["rollup"]
    search_fields = ["title", "slug", "countries__name", "countries__iso3"]
    autocomplete_fields = ["countries"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["funding", "checks", "updated_at", "funding_updated_at", "published_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "status", "countries"]}),
        (_("Period"), {"fields": [("start_year", "end_year")]}),
        (_("Vision"), {"fields": ["vision_statement", "vision_narrative"]}),
        (
            _("Figures (computed, read-only)"),
            {"fields": ["funding", "checks", "updated_at", "funding_updated_at", "published_at"]},
        ),
    ]
    inlines = [PlanYearInline, ObjectiveInline, OperationalPresenceInline]

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        return PlanScopedAdminMixin.get_queryset(self, request).prefetch_related("countries")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.request_user = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields.append("status")  # status moves by the review workflow, not by typing
        return fields

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    @admin.display(description=_("period"))
    def period(self, obj):
        return obj.period_label

    @admin.display(description=_("countries"))
    def country_codes(self, obj):
        return ", ".join(c.iso3 for c in obj.countries.all())

    @admin.display(description=_("required · coverage"), ordering="rollup__required_usd")
    def funding_required(self, obj):
        return one_line(getattr(obj, "rollup", None))

    @admin.display(description=_("Funding"))
    def funding(self, obj):
        return figures_table(getattr(obj, "rollup", None)) if obj and obj.pk else "—"

    @admin.display(description=_("Checks"))
    def checks(self, obj):
        if not obj or not obj.pk:
            return "—"
        warnings = people_targeted_warnings(plan=obj)
        return " ".join(warnings) if warnings else _("No warnings.")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":  # shown above the form, before the editor saves again
            plan = self.get_object(request, object_id)
            for warning in people_targeted_warnings(plan=plan) if plan else []:
                messages.warning(request, warning)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "all_countries"]
    list_filter = ["role", "all_countries"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user", "countries", "regions"]
