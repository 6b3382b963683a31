"""Admin of the catalogs plans choose their ways of working from (key operating modalities,
cross-cutting priorities): administrators only, written by plans.services_catalogs like the
API's catalog writes. Entries are retired, never deleted (issue #15, item 2)."""

from __future__ import annotations

from django.contrib import admin

from .admin_translations import CatalogAdmin
from .models import CrossCuttingPriority, OperatingModality


class PlanCatalogAdmin(CatalogAdmin):
    catalog_fields = ("slug", "name", "position", "retired_on")
    list_display = ["name", "slug", "position", "retired_on"]
    list_filter = ["retired_on"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def has_delete_permission(self, request, obj=None):
        return False  # retire an entry instead: the plans that chose it keep their meaning


admin.site.register(OperatingModality, PlanCatalogAdmin)
admin.site.register(CrossCuttingPriority, PlanCatalogAdmin)
