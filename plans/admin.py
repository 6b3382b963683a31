"""Editors' admin for plans: one page holds a plan's years, objectives, interventions, activities
and yearly requirements (nested inlines), with the computed figures read-only beside them."""

from __future__ import annotations

import datetime

import nested_admin
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crp_portal.concurrency import VersionConflict
from objectives.selectors import people_targeted_warnings
from plan_history.history import parse_moment, plan_as_of, plan_child_changes
from plan_history.restore import moment_label, plan_restore, plan_restore_preview
from plans.admin_display import ReadOnlyAdmin, RollupFiguresMixin
from plans.admin_errors import ErrorSummaryAdminMixin
from plans.admin_history import ScopedHistoryAdmin
from plans.admin_inlines import (
    ContextIndicatorInline,
    DocumentInline,
    ObjectiveInline,
    OperationalPresenceInline,
    PlanYearInline,
)
from plans.admin_scoping import PlanScopedAdminMixin
from plans.admin_translations import CatalogAdmin, TranslatedWidgetsMixin, translations_fieldset
from plans.admin_workflow import WorkflowAdminMixin
from plans.admin_writes import (
    ServiceWritesAdminMixin,
    VersionedAdminForm,
    adopt,
)

from . import (
    admin_catalogs,  # noqa: F401  (registers the ways-of-working catalogs)
    services,
)
from .models import (
    Country,
    Plan,
    PlanTransition,
    Region,
    RoleAssignment,
)
from .roles import role_scope_errors
from .translated import PLAN_TEXTS, translation_fields


@admin.register(Region)
class RegionAdmin(CatalogAdmin):
    catalog_fields = ("name", "slug")
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
        # The years of the plans this user may see (the list's own rows): a hidden draft's
        # years would tell an editor of other countries that it exists. Ref: issue 11, item 9.
        years = set()
        visible = model_admin.get_queryset(request).order_by()
        for start, end in visible.values_list("start_year", "end_year").distinct():
            years.update(range(start, end + 1))
        return [(str(y), str(y)) for y in sorted(years, reverse=True)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.covering_year(int(self.value()))
        return queryset


class PlanAdminForm(VersionedAdminForm):
    class Meta:
        model = Plan
        fields = [
            "title",
            "slug",
            "kind",
            "countries",
            "start_year",
            "end_year",
            "vision_statement",
            "vision_narrative",
            "modalities",
            "priorities",
            "last_updated_on",
            *translation_fields(*PLAN_TEXTS),
        ]
        widgets = {
            "vision_statement": forms.Textarea(attrs={"rows": 2, "cols": 90}),
            **{
                name: forms.Textarea(attrs={"rows": 2, "cols": 90})
                for name in translation_fields("vision_statement")
            },
            "modalities": forms.CheckboxSelectMultiple,
            "priorities": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty (or unchanged), the save dates the plan today: the last content change.
        if "last_updated_on" in self.fields:  # absent from a read-only view of the plan
            self.fields["last_updated_on"].required = False

    def validate_unique(self):
        # The code's uniqueness is the service's rule (plans.services.SLUG_UNAVAILABLE): the
        # model form's own check would answer "Plan with this Slug already exists." for a draft
        # this editor cannot see.
        exclude = self._get_validation_exclusions() | {"slug"}
        try:
            self.instance.validate_unique(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)


@admin.register(Plan)
class PlanAdmin(
    TranslatedWidgetsMixin,
    ErrorSummaryAdminMixin,
    WorkflowAdminMixin,
    ServiceWritesAdminMixin,
    RollupFiguresMixin,
    PlanScopedAdminMixin,
    ScopedHistoryAdmin,
    nested_admin.NestedModelAdmin,
):
    plan_lookup = "pk"
    form = PlanAdminForm
    list_display = [
        "title",
        "status",
        "kind",
        "period",
        "country_codes",
        "funding_line",
        "last_updated_on",
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
    # Status moves only through the review workflow (buttons below the form), never by typing.
    readonly_fields = [
        "status",
        "funding",
        "checks",
        "updated_at",
        "funding_updated_at",
        "published_at",
        "first_published_required_usd",
    ]
    object_history_template = "admin/plans/plan/object_history.html"
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "status", "countries", "loaded_version"]}),
        (_("Period"), {"fields": [("start_year", "end_year")]}),
        (_("Vision"), {"fields": ["vision_statement", "vision_narrative"]}),
        translations_fieldset(translation_fields(*PLAN_TEXTS)),
        (_("Ways of working"), {"fields": ["modalities", "priorities"]}),
        (_("Public page"), {"fields": ["last_updated_on"]}),
        (
            _("Figures (computed, read-only)"),
            {
                "fields": [
                    "funding",
                    "checks",
                    "updated_at",
                    "funding_updated_at",
                    "published_at",
                    "first_published_required_usd",
                ]
            },
        ),
    ]
    inlines = [
        PlanYearInline,
        ContextIndicatorInline,
        ObjectiveInline,
        OperationalPresenceInline,
        DocumentInline,
    ]

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/admin_errors.js"]  # sections holding an error open themselves

    def view_on_site(self, obj):
        """ "View on site": the public page, for a public plan only (others have none). A
        callable, not Plan.get_absolute_url, so the admin's /r/ shortcut does not redirect
        anyone to a draft's address."""
        if not obj.is_public:
            return None
        return reverse("plans:detail", args=[obj.slug])

    def get_inline_instances(self, request, obj=None):
        """Section headers carry their counts ("Objectives (4)")."""
        instances = super().get_inline_instances(request, obj)
        if obj is not None:
            for inline in instances:
                count = inline.get_queryset(request).filter(plan=obj).count()
                # Before a gloss: "figures per year (2) — people targeted overlap: …"
                head, dash, gloss = str(inline.verbose_name_plural).partition(" — ")
                inline.verbose_name_plural = f"{head} ({count}){dash}{gloss}"
        return instances

    def get_queryset(self, request):
        return PlanScopedAdminMixin.get_queryset(self, request).prefetch_related("countries")

    def save_model(self, request, obj, form, change):
        """The plan through plans.services, as one edit (one version) with the rows below it,
        which save_related hands to their services."""
        data = form.cleaned_data
        fields = {name: data[name] for name in services.PLAN_CONTENT_FIELDS if name in data}
        if fields.get("last_updated_on") is None:
            fields.pop("last_updated_on", None)  # not typed: the services date the edit today
        if change:
            edit = services.plan_content_lock(
                plan_id=obj.pk,
                actor=request.user,
                reason=_("Plan changed"),
                expected_version=form.expected_version(),
                yours=data,
                record=False,  # plan_update saves the plan's fields with the next version
            )
            changed = {name: v for name, v in fields.items() if name in form.changed_data}
            services.plan_update(
                plan=edit,
                actor=request.user,
                edit=edit,
                countries=data["countries"] if "countries" in form.changed_data else None,
                **{n: data[n] for n in services.PLAN_CHOICES if n in form.changed_data},
                **changed,
            )
        else:
            created = services.plan_create(
                actor=request.user, countries=data.get("countries") or [], **fields
            )
            edit = services.plan_content_lock(
                plan_id=created.pk, actor=request.user, reason=_("Plan added")
            )
        adopt(obj, edit)
        request._plan_edit = edit

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def service_delete(self, request, obj):
        services.plan_delete(plan=obj, actor=request.user)

    @admin.display(description=_("period"))
    def period(self, obj):
        return obj.period_label

    @admin.display(description=_("countries"))
    def country_codes(self, obj):
        return ", ".join(c.iso3 for c in obj.countries.all())

    @admin.display(description=_("Checks"))
    def checks(self, obj):
        if not obj or not obj.pk:
            return "—"
        warnings = people_targeted_warnings(plan=obj)
        return " ".join(warnings) if warnings else _("No warnings.")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        plan = self.get_object(request, unquote(object_id))
        if plan is not None:
            extra_context = {**(extra_context or {}), **self.workflow_context(request, plan)}
        if request.method == "GET" and plan is not None:  # shown above the form
            for warning in people_targeted_warnings(plan=plan):
                messages.warning(request, warning)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        plan = self._scoped_object(request, object_id)
        extra_context = {**(extra_context or {}), "child_changes": plan_child_changes(plan=plan)}
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """Restore the whole plan — fields, countries and every row of its page — to a recorded
        version, through plan_history.restore, after a page showing what would change.
        (simple-history's own revert would bring back the plan row alone.)"""
        plan = self._scoped_object(request, object_id)
        if not str(version_id).isdigit():
            raise Http404
        record = (
            Plan.history.filter(id=plan.pk, history_id=int(version_id))
            .select_related("history_user")
            .first()
        )
        if record is None:
            raise Http404
        may_restore = self.has_change_permission(request, plan)
        if request.method == "POST":
            if not may_restore:
                raise PermissionDenied
            return self._restore(request, plan, record)
        preview = plan_restore_preview(
            plan=plan, history_id=record.history_id, actor=request.user if may_restore else None
        )
        context = {
            **self.admin_site.each_context(request),
            **(extra_context or {}),
            "opts": self.model._meta,
            "title": _("Restore %(plan)s to an earlier version") % {"plan": plan},
            "plan": plan,
            "record": record,
            "moment": moment_label(record.history_date),
            "moment_iso": preview.at.isoformat(),
            "preview": preview,
            "may_restore": may_restore,
        }
        return TemplateResponse(request, "admin/plans/plan/restore.html", context)

    def _restore(self, request, plan, record):
        loaded = request.POST.get("loaded_version", "")
        if not loaded.isdigit():
            messages.error(request, _("This form lost its version number; reload the page."))
            return HttpResponseRedirect(request.path)
        try:  # PermissionDenied propagates: a 403
            restored = plan_restore(
                plan=plan,
                actor=request.user,
                history_id=record.history_id,
                expected_version=int(loaded),
            )
        except VersionConflict as conflict:
            messages.error(request, conflict.conflict.message())
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if restored.version == int(loaded):
                messages.info(request, _("Nothing to restore: the plan already says that."))
            else:
                messages.success(
                    request,
                    _("%(plan)s is restored to the version of %(moment)s (now version %(v)s).")
                    % {
                        "plan": restored,
                        "moment": moment_label(record.history_date),
                        "v": restored.version,
                    },
                )
            return HttpResponseRedirect(reverse("admin:plans_plan_change", args=[plan.pk]))
        return HttpResponseRedirect(request.path)  # back to the page, which says what changed

    def get_urls(self):
        as_of = path(
            "<path:object_id>/as-of/",
            self.admin_site.admin_view(self.as_of_view),
            name="plans_plan_as_of",
        )
        return [as_of, *super().get_urls()]

    def as_of_view(self, request, object_id):
        """What did this plan say at a moment: the snapshot read from the change history."""
        plan = self._scoped_object(request, object_id)
        at_text = request.GET.get("at", "")
        at = parse_moment(at_text) if at_text else timezone.now()
        snapshot, error = None, None
        if at is None:
            error = _("Give the moment as an ISO date or datetime, e.g. 2024-05-01T12:00Z.")
        else:
            snapshot = plan_as_of(plan_id=plan.pk, at=at)
            if snapshot is None:
                error = _("This plan did not exist at that moment.")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("%(plan)s as of a date") % {"plan": plan},
            "plan": plan,
            "at_text": at_text or at.isoformat(),
            # The date and time picker's value, in UTC to the minute ("" when unreadable).
            "at_input": (at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M") if at else ""),
            "snapshot": snapshot,
            "error": error,
        }
        return TemplateResponse(request, "admin/plans/plan/as_of.html", context)


@admin.register(PlanTransition)
class PlanTransitionAdmin(ReadOnlyAdmin):
    """The review log, read-only: transitions are made by the workflow buttons on a plan."""

    list_display = ["at", "plan", "from_status", "to_status", "actor", "comment"]
    list_filter = ["to_status"]
    list_select_related = ["plan", "actor"]
    search_fields = ["plan__title", "plan__slug", "comment"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(plan__in=Plan.objects.visible_to(request.user))


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "countries", "regions", "all_countries"]

    def clean(self):
        data = super().clean()
        if data.get("role"):
            errors = role_scope_errors(
                role=data["role"],
                countries=data.get("countries") or [],
                regions=data.get("regions") or [],
                all_countries=data.get("all_countries", False),
            )
            if errors:
                raise ValidationError(errors)
        return data


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """Who may do what where. Saving also puts the user in the role's permission group
    (plans.receivers)."""

    form = RoleAssignmentForm
    list_display = ["user", "role", "all_countries", "scope"]
    list_filter = ["role", "all_countries"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user", "countries", "regions"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("countries", "regions")

    @admin.display(description=_("where"))
    def scope(self, obj):
        if obj.all_countries:
            return _("all countries")
        parts = [c.iso3 for c in obj.countries.all()] + [r.name for r in obj.regions.all()]
        return ", ".join(parts) or "—"


class RoleAssignmentInline(admin.StackedInline):
    model = RoleAssignment
    form = RoleAssignmentForm
    extra = 0
    autocomplete_fields = ["countries", "regions"]
    fields = ["role", "countries", "regions", "all_countries"]


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users with their roles on the same page (editor, reviewer, funding officer, and where)."""

    # Group membership follows the roles (plans.receivers): no need to tick groups by hand.
    inlines = [RoleAssignmentInline]
