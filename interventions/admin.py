"""Admin for sectors, plan types, and one intervention with its activities and requirements."""

from __future__ import annotations

import nested_admin
from django.contrib import admin

from crp_portal.concurrency import PlanContentVersionedAdminMixin, PlanContentVersionedForm
from funding import services as funding_services
from plans.admin import ActivityInline, RequirementInline
from plans.admin_display import RollupFiguresMixin
from plans.admin_history import ScopedHistoryAdmin
from plans.admin_scoping import PlanScopedAdminMixin

from .models import Intervention, PlanType, Sector


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(PlanType)
class PlanTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class InterventionAdminForm(PlanContentVersionedForm):
    class Meta:
        model = Intervention
        fields = [
            "objective",
            "position",
            "title",
            "sector",
            "plan_types",
            "narrative",
            "people_targeted",
        ]

    def clean(self):
        data = super().clean()
        objective = data.get("objective")
        if self.instance.pk and objective and objective.pk != self.instance.objective_id:
            # Moving takes its earmarked money along: check it here so the editor sees why not.
            funding_services.intervention_move_check(
                intervention=self.instance, objective=objective
            )
        return data


@admin.register(Intervention)
class InterventionAdmin(
    RollupFiguresMixin,
    PlanContentVersionedAdminMixin,
    PlanScopedAdminMixin,
    ScopedHistoryAdmin,
    nested_admin.NestedModelAdmin,
):
    form = InterventionAdminForm
    plan_lookup = "objective__plan"
    list_display = ["title", "objective", "sector", "funding_line"]
    list_filter = ["sector", "objective__strategic_objective", "objective__plan__countries"]
    list_select_related = ["objective__plan", "objective__strategic_objective", "sector", "rollup"]
    search_fields = ["title", "narrative", "objective__plan__title"]
    autocomplete_fields = ["objective", "sector", "plan_types"]
    readonly_fields = ["funding"]
    inlines = [ActivityInline, RequirementInline]

    def save_model(self, request, obj, form, change):
        if change and "objective" in form.changed_data:
            destination = obj.objective
            obj.objective_id = form.initial["objective"]  # the service moves it, with its money
            funding_services.intervention_move(intervention=obj, objective=destination)
        super().save_model(request, obj, form, change)
