"""Admin of the catalogs plans choose their ways of working from (key operating modalities,
cross-cutting priorities): administrators only, written by plans.services_catalogs like the
API's catalog writes. Entries are retired, never deleted (issue #15, item 2)."""

from __future__ import annotations

from django.contrib import admin

from .models import CrossCuttingPriority, OperatingModality
from .services_catalogs import catalog_entry_save

CATALOG_FIELDS = ("slug", "name", "position", "retired_on")


class PlanCatalogAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "retired_on"]
    list_filter = ["retired_on"]
    search_fields = ["name"]
    fields = list(CATALOG_FIELDS)
    prepopulated_fields = {"slug": ["name"]}

    def has_delete_permission(self, request, obj=None):
        return False  # retire an entry instead: the plans that chose it keep their meaning

    def save_model(self, request, obj, form, change):
        saved = catalog_entry_save(
            actor=request.user,
            model=type(obj),
            entry=obj if change else None,
            **{name: form.cleaned_data[name] for name in CATALOG_FIELDS},
        )
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        pass  # no related rows: the entry is the whole write


admin.site.register(OperatingModality, PlanCatalogAdmin)
admin.site.register(CrossCuttingPriority, PlanCatalogAdmin)
