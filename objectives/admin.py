"""Admin for the strategic-objective catalog and for one objective with its interventions."""

from __future__ import annotations

import nested_admin
from django.contrib import admin

from crp_portal.concurrency import PlanContentVersionedAdminMixin
from plans.admin import InterventionInline
from plans.admin_display import RollupFiguresMixin
from plans.admin_history import ScopedHistoryAdmin
from plans.admin_scoping import PlanScopedAdminMixin

from .models import Objective, StrategicObjective, TargetGroup


@admin.register(StrategicObjective)
class StrategicObjectiveAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "retired_on"]
    search_fields = ["title"]
    list_filter = ["retired_on"]

    def get_readonly_fields(self, request, obj=None):
        # Catalog entries are retired, never renumbered: the number is fixed once saved.
        return ["number"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(Objective)
class ObjectiveAdmin(
    RollupFiguresMixin,
    PlanContentVersionedAdminMixin,
    PlanScopedAdminMixin,
    ScopedHistoryAdmin,
    nested_admin.NestedModelAdmin,
):
    list_display = ["__str__", "plan", "strategic_objective", "people_targeted", "funding_line"]
    list_filter = ["strategic_objective", "plan__status", "plan__countries"]
    list_select_related = ["plan", "strategic_objective", "rollup"]
    search_fields = ["plan__title", "plan__slug", "strategic_objective__title"]
    autocomplete_fields = ["plan", "strategic_objective", "target_groups"]
    readonly_fields = ["funding"]
    inlines = [InterventionInline]
