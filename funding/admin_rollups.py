"""Admin for the rollup audit: read-only. Imported by funding/admin.py (the lead's module)."""

from __future__ import annotations

from django.contrib import admin

from plans.admin_display import ReadOnlyAdmin

from .models import GroupRollupState, RollupAudit, RollupDiscrepancy, RollupFailure


class RollupDiscrepancyInline(admin.TabularInline):
    model = RollupDiscrepancy
    fields = ("scope", "scope_key", "plan", "plan_was_dirty", "field", "stored", "fresh")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RollupAudit)
class RollupAuditAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "finished_at", "rows_checked", "discrepancy_count")
    date_hierarchy = "started_at"
    inlines = [RollupDiscrepancyInline]


@admin.register(RollupDiscrepancy)
class RollupDiscrepancyAdmin(ReadOnlyAdmin):
    list_display = (
        "audit",
        "scope",
        "scope_key",
        "plan",
        "field",
        "stored",
        "fresh",
        "plan_was_dirty",
    )
    list_filter = ("plan_was_dirty", "scope", "field")
    search_fields = ("scope_key", "plan__slug", "plan__title")
    list_select_related = ("audit", "plan")


@admin.register(GroupRollupState)
class GroupRollupStateAdmin(ReadOnlyAdmin):
    list_display = ("id", "edits", "computed_edits", "computed_at")


@admin.register(RollupFailure)
class RollupFailureAdmin(ReadOnlyAdmin):
    """Rollups that could not be recomputed; the sweep retries them each minute."""

    list_display = ("scope", "scope_key", "plan", "attempts", "first_failed_at", "last_failed_at")
    list_filter = ("scope",)
    search_fields = ("scope_key", "plan__slug", "error")
    list_select_related = ("plan",)
