"""Admin for sectors, plan types, and one intervention with its activities and requirements."""

from __future__ import annotations

import nested_admin
from django.contrib import admin
from django.utils.translation import gettext as _

from funding import services as funding_services
from plans.admin_display import RollupFiguresMixin
from plans.admin_errors import ErrorSummaryAdminMixin
from plans.admin_history import ScopedHistoryAdmin
from plans.admin_inlines import ActivityInline, RequirementInline
from plans.admin_scoping import PlanScopedAdminMixin
from plans.admin_translations import CatalogAdmin, TranslationsFieldsetMixin
from plans.admin_writes import PlanContentForm, ServiceWritesAdminMixin, adopt
from plans.services import plan_content_lock
from plans.translated import INTERVENTION_TEXTS, translation_fields

from . import services
from .models import Intervention, PlanType, Sector


@admin.register(Sector)
class SectorAdmin(CatalogAdmin):
    catalog_fields = ("name", "slug", "dac_code", "retired_on")
    list_display = ["name", "slug", "dac_code", "retired_on"]
    list_filter = ["retired_on"]
    search_fields = ["name", "dac_code"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(PlanType)
class PlanTypeAdmin(CatalogAdmin):
    catalog_fields = ("name", "slug", "retired_on")
    list_display = ["name", "slug", "retired_on"]
    list_filter = ["retired_on"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class InterventionAdminForm(PlanContentForm):
    class Meta:
        model = Intervention
        fields = [
            "objective",
            "position",
            "title",
            "sector",
            "country",
            "plan_types",
            "narrative",
            "people_targeted",
            *translation_fields(*INTERVENTION_TEXTS),
        ]


@admin.register(Intervention)
class InterventionAdmin(
    TranslationsFieldsetMixin,
    ErrorSummaryAdminMixin,
    ServiceWritesAdminMixin,
    RollupFiguresMixin,
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
    autocomplete_fields = ["objective", "sector", "country", "plan_types"]
    readonly_fields = ["funding"]

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/admin_errors.js"]  # sections holding an error open themselves

    inlines = [ActivityInline, RequirementInline]

    def save_model(self, request, obj, form, change):
        """One edit of the intervention's plan through funding.services.intervention_save (the
        API's write too), which moves it with its earmarked money when its objective changes;
        its activities and requirements below are handed to their services."""
        data = form.cleaned_data
        fields = {name: data[name] for name in services.INTERVENTION_FIELDS if name in data}
        saved_row = (
            Intervention.objects.select_related("objective").get(pk=obj.pk) if change else None
        )
        plan_id = saved_row.objective.plan_id if change else data["objective"].plan_id
        edit = plan_content_lock(
            plan_id=plan_id,
            actor=request.user,
            reason=(_("Intervention changed: %s") if change else _("Intervention added: %s"))
            % data.get("title", obj),
            expected_version=form.expected_version(),
            row=saved_row,
            yours=data,
        )
        saved = funding_services.intervention_save(
            intervention=saved_row,
            objective=data.get("objective"),
            plan_types=data.get("plan_types"),
            actor=request.user,
            edit=edit,
            **fields,
        )
        adopt(obj, saved)
        # Moved to another plan: its rows below take that plan's own lock (another version).
        request._plan_edit = edit if saved.objective.plan_id == edit.pk else None
        request._plan_checked = edit

    def service_delete(self, request, obj):
        services.intervention_delete(intervention=obj, actor=request.user)
