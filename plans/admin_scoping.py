"""Country scoping for admin pages: the admin asks the same queryset methods as the API and pages."""

from __future__ import annotations

from plans.models import Plan


class PlanScopedAdminMixin:
    """Rows belong to a plan (via `plan_lookup`): list what the user may see, change what they may edit."""

    plan_lookup = "plan"

    def _plan_of(self, obj) -> Plan | None:
        if self.plan_lookup == "pk":
            return obj
        for part in self.plan_lookup.split("__"):
            obj = getattr(obj, part, None) if obj is not None else None
        return obj

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.plan_lookup}__in": Plan.objects.visible_to(request.user)})

    def editable_plans(self, user):
        """Plans whose rows this admin lets the user change (editors: their countries)."""
        return Plan.objects.editable_by(user)

    def _may_edit(self, request, obj) -> bool:
        if request.user.is_superuser:
            return True
        if obj is None:
            return self.editable_plans(request.user).exists()
        plan = self._plan_of(obj)
        return plan is None or self.editable_plans(request.user).filter(pk=plan.pk).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A row can only be attached to (or moved into) a plan the user may edit: choosing
        # another country's plan, objective or intervention is "not a valid choice".
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and not request.user.is_superuser:
            lookup = PLAN_OF_RELATED.get(db_field.related_model._meta.label_lower)
            if lookup is not None:
                plans = self.editable_plans(request.user)
                field.queryset = field.queryset.filter(**{f"{lookup}__in": plans})
        return field


# How to reach the plan from a row a form may point at (see formfield_for_foreignkey).
PLAN_OF_RELATED = {
    "plans.plan": "pk",
    "objectives.objective": "plan",
    "interventions.intervention": "objective__plan",
}


def plan_of(obj) -> Plan | None:
    """The plan a plan-content row belongs to (a plan, objective, intervention or their child)."""
    if obj is None or isinstance(obj, Plan):
        return obj
    if hasattr(obj, "plan"):
        return obj.plan
    if hasattr(obj, "objective"):
        return obj.objective.plan
    return None


class PlanContentInlineMixin:
    """Inline rows of a plan are writable only when the page's plan is editable by the user."""

    def _parent_editable(self, request, obj) -> bool:
        if request.user.is_superuser:
            return True
        plan = plan_of(obj)
        if plan is None or plan.pk is None:
            return Plan.objects.editable_by(request.user).exists()
        return Plan.objects.editable_by(request.user).filter(pk=plan.pk).exists()

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._parent_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._parent_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._parent_editable(request, obj)
