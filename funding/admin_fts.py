"""The FTS import in the admin (issue #14, item 4): upload saved pages (run by a Celery worker),
read each run's report, map FTS global clusters to sectors, and assign the flows that matched
no plan."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from crp_portal.tables import error_messages
from plans.admin_display import ReadOnlyAdmin, usd
from plans.models import Plan

from .models import FtsClusterSector, FtsImportRun, FtsUnmatchedFlow
from .services.fts_imports import fts_flow_assign
from .services.fts_queue import fts_import_queue

MAX_PAGES_BYTES = 2_000_000  # the request body limit; bigger sets: manage.py import_fts


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PagesField(forms.FileField):
    """Several files at once; each must be UTF-8 JSON text (FTS's pages)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        cleaned = [super(PagesField, self).clean(f, initial) for f in files]
        if sum(f.size for f in cleaned) > MAX_PAGES_BYTES:
            raise ValidationError(
                _("At most 2 MB at once here; import bigger sets with manage.py.")
            )
        pages = []
        for upload in cleaned:
            try:
                pages.append((upload.name, upload.read().decode("utf-8")))
            except UnicodeDecodeError as error:
                raise ValidationError(
                    _("%(name)s is not a text (JSON) file.") % {"name": upload.name}
                ) from error
        return pages


class FtsUploadForm(forms.ModelForm):
    pages = PagesField(
        label=_("Pages saved from FTS"),
        help_text=_(
            "JSON pages of FTS's public flow API (/v1/public/fts/flow), one or several. A "
            "worker imports them; the report appears here."
        ),
    )

    class Meta:
        model = FtsImportRun
        fields = ["dry_run"]


@admin.register(FtsImportRun)
class FtsImportRunAdmin(admin.ModelAdmin):
    """Each upload is a run: its status and report. Adding one is the upload."""

    form = FtsUploadForm
    list_display = ["created_at", "requested_by", "files", "dry_run", "status"]
    list_filter = ["status", "dry_run"]
    readonly_fields = ["requested_by", "files", "status", "report", "created_at", "finished_at"]

    def get_fields(self, request, obj=None):
        return ["pages", "dry_run"] if obj is None else [*self.readonly_fields, "dry_run"]

    def has_change_permission(self, request, obj=None):
        return False  # a run is a record of what happened

    def save_model(self, request, obj, form, change):
        run = fts_import_queue(
            pages=form.cleaned_data["pages"],
            dry_run=form.cleaned_data["dry_run"],
            actor=request.user,
        )
        obj.pk = run.pk  # the admin's "added" message and redirect point at the queued run

    def save_related(self, request, form, formsets, change):
        pass  # nothing related: the service wrote the run

    def response_add(self, request, obj, post_url_continue=None):
        messages.info(request, _("The import is queued; its report appears on its run."))
        return redirect("admin:funding_ftsimportrun_change", obj.pk)


@admin.register(FtsClusterSector)
class FtsClusterSectorAdmin(admin.ModelAdmin):
    list_display = ["global_cluster", "sector"]
    search_fields = ["global_cluster", "sector__name"]
    autocomplete_fields = ["sector"]


class AssignForm(forms.Form):
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.exclude(status=Plan.Status.ARCHIVED).order_by("slug"),
        label=_("Plan"),
        help_text=_("The flow's usage year and date must be within the plan's years."),
    )


@admin.register(FtsUnmatchedFlow)
class FtsUnmatchedFlowAdmin(ReadOnlyAdmin):
    """Flows to us that the import could not place, with the reason; assign them to a plan."""

    list_display = ["flow_id", "reason", "donor", "location", "usage_years", "status", "usd"]
    list_filter = ["status"]
    search_fields = ["flow_id", "donor", "location", "reason"]
    actions = ["assign_to_plan"]

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("funding.change_ftsunmatchedflow")  # for the action

    def changelist_view(self, request, extra_context=None):
        # Wide rows (the reason first): the app navigation gives way, as on contributions.
        extra_context = {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("USD"), ordering="amount_usd")
    def usd(self, obj):
        return usd(obj.amount_usd)

    @admin.action(description=_("Assign to a plan…"), permissions=["change"])
    def assign_to_plan(self, request, queryset):
        form = AssignForm(request.POST if "plan" in request.POST else None)
        if form.is_bound and form.is_valid():
            plan = form.cleaned_data["plan"]
            for unmatched in list(queryset):
                try:
                    fts_flow_assign(unmatched=unmatched, plan=plan, actor=request.user)
                except (ValidationError, PermissionDenied) as error:
                    words = (
                        error_messages(error)
                        if isinstance(error, ValidationError)
                        else [str(error)]
                    )
                    messages.error(
                        request,
                        _("Flow %(id)s: %(why)s")
                        % {"id": unmatched.flow_id, "why": " ".join(words)},
                    )
                else:
                    messages.success(
                        request,
                        _("Flow %(id)s recorded on %(plan)s.")
                        % {"id": unmatched.flow_id, "plan": plan.slug},
                    )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Assign FTS flows to a plan"),
            "flows": queryset,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/funding/ftsunmatchedflow/assign.html", context)
