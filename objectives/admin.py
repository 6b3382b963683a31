"""Admin for the strategic-objective catalog and for one objective with its interventions."""

from __future__ import annotations

import nested_admin
from django.contrib import admin
from django.utils.translation import gettext as _

from plans.admin_display import RollupFiguresMixin
from plans.admin_errors import ErrorSummaryAdminMixin
from plans.admin_history import ScopedHistoryAdmin
from plans.admin_inlines import INTERVENTIONS_LISTED, interventions_table
from plans.admin_scoping import PlanScopedAdminMixin
from plans.admin_translations import CatalogAdmin, TranslationsFieldsetMixin
from plans.admin_writes import PlanContentForm, ServiceWritesAdminMixin, adopt
from plans.services import plan_content_lock
from plans.translated import OBJECTIVE_TEXTS, translation_fields

from . import services
from .models import Objective, StrategicObjective, TargetGroup


@admin.register(StrategicObjective)
class StrategicObjectiveAdmin(CatalogAdmin):
    catalog_fields = ("number", "title", "retired_on")
    list_display = ["number", "title", "retired_on"]
    search_fields = ["title"]
    list_filter = ["retired_on"]

    def get_readonly_fields(self, request, obj=None):
        # Catalog entries are retired, never renumbered: the number is fixed once saved.
        return ["number"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TargetGroup)
class TargetGroupAdmin(CatalogAdmin):
    catalog_fields = ("name", "slug")
    list_display = ["name", "slug"]
    search_fields = ["name"]


class ObjectiveAdminForm(PlanContentForm):
    class Meta:
        model = Objective
        fields = [
            "plan",
            "strategic_objective",
            "people_targeted",
            "entities_targeted",
            "target_groups",
            "people_description",
            "narrative",
            *translation_fields(*OBJECTIVE_TEXTS),
        ]


@admin.register(Objective)
class ObjectiveAdmin(
    TranslationsFieldsetMixin,
    ErrorSummaryAdminMixin,
    ServiceWritesAdminMixin,
    RollupFiguresMixin,
    PlanScopedAdminMixin,
    ScopedHistoryAdmin,
    nested_admin.NestedModelAdmin,
):
    form = ObjectiveAdminForm
    list_display = ["__str__", "plan", "strategic_objective", "people_targeted", "funding_line"]
    list_filter = ["strategic_objective", "plan__status", "plan__countries"]
    list_select_related = ["plan", "strategic_objective", "rollup"]
    search_fields = ["plan__title", "plan__slug", "strategic_objective__title"]
    autocomplete_fields = ["plan", "strategic_objective", "target_groups"]
    # Its interventions are listed and linked, each edited on its own page (issue #13, item 1):
    # nested here, an objective of 150 interventions would post past Django's field limit.
    readonly_fields = ["funding", "interventions_list"]

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/admin_errors.js"]  # sections holding an error open themselves

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(INTERVENTIONS_LISTED)

    @admin.display(description=_("Interventions"))
    def interventions_list(self, obj):
        return interventions_table(obj)

    def get_readonly_fields(self, request, obj=None):
        # An objective stays in its plan (objectives.services.objective_update).
        return [*super().get_readonly_fields(request, obj), *(["plan"] if obj else [])]

    def save_model(self, request, obj, form, change):
        """One edit of the objective's plan, through objectives.services, with the
        interventions below it (save_related hands them to their services)."""
        data = form.cleaned_data
        fields = {name: data[name] for name in services.OBJECTIVE_FIELDS if name in data}
        plan_id = Objective.objects.get(pk=obj.pk).plan_id if change else data["plan"].pk
        edit = plan_content_lock(
            plan_id=plan_id,
            actor=request.user,
            reason=(_("Objective changed: %s") if change else _("Objective added: %s"))
            % data.get("strategic_objective", obj),
            expected_version=form.expected_version(),
            row=obj if change else None,
            yours=data,
        )
        if change:
            saved = services.objective_update(
                objective=obj,
                actor=request.user,
                edit=edit,
                strategic_objective=data.get("strategic_objective"),
                target_groups=data.get("target_groups"),
                **fields,
            )
        else:
            saved = services.objective_create(
                plan=edit,
                actor=request.user,
                edit=edit,
                strategic_objective=data["strategic_objective"],
                target_groups=data.get("target_groups") or [],
                **fields,
            )
        adopt(obj, saved)
        request._plan_edit = edit

    def service_delete(self, request, obj):
        services.objective_delete(objective=obj, actor=request.user)
