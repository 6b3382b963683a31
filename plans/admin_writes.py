"""How the admin writes: through the same services as the API, Celery and the commands.

An admin page validates its forms, then calls services inside the admin's transaction: the
page's `save_model` locks the plan once (plans.services.plan_content_lock, which checks the
version the page was loaded with) and each inline formset hands its rows to the services with
that *edit*, so a whole page is one version of its plan. A rule a service enforces raises there,
with the service's words; the transaction is rolled back (nothing of the save is written) and the
page is shown again with what was typed and that message (`ServiceWritesAdminMixin`).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from nested_admin.formsets import NestedInlineFormSet

from crp_portal.concurrency import VersionConflict, VersionRequired
from funding import services as funding_services
from interventions import services as intervention_services
from interventions.services import INTERVENTION_FIELDS
from objectives import services as objective_services
from objectives.services import OBJECTIVE_FIELDS

from . import services as plan_services
from . import services_documents
from .admin_scoping import plan_of
from .models import Plan

SERVICE_ERRORS = (ValidationError, VersionConflict, VersionRequired)


def adopt(instance: models.Model, saved: models.Model) -> None:
    """Make a form's instance the row a service saved (same id and values), so inline formsets
    bound to it attach their rows to the saved row."""
    for field in saved._meta.concrete_fields:
        setattr(instance, field.attname, getattr(saved, field.attname))
    instance._state.adding = False
    instance._state.db = saved._state.db


class VersionedAdminForm(forms.ModelForm):
    """A model form that carries the version its page was loaded with (the service checks it)
    and shows a service's refusal as its errors."""

    # Versions start at 1; a forged number below is refused as a form error.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    service_error: Exception | None = None  # set on the second pass of a refused save

    def versioned(self) -> models.Model | None:
        """The row whose version guards this form: the edited row itself (None when adding)."""
        return self.instance if self.instance.pk else None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guarded = self.versioned()
        if guarded is not None:
            # The row's version now, also when the form shows an older version (history).
            self.fields["loaded_version"].initial = (
                type(guarded)
                ._default_manager.filter(pk=guarded.pk)
                .values_list("version", flat=True)
                .first()
            )

    def expected_version(self) -> int | None:
        """The version to check the save against (None when adding)."""
        if self.versioned() is None:
            return None
        return self.cleaned_data["loaded_version"]  # clean() refused a form without one

    def clean(self):
        data = super().clean()
        if self.versioned() is not None and data.get("loaded_version") is None:
            raise ValidationError(_("This form lost its version number; reload the page."))
        if self.service_error is not None:
            self._add_service_error(self.service_error)
        return data

    def _add_service_error(self, error: Exception) -> None:
        if isinstance(error, VersionConflict):
            self.add_error(None, ValidationError(error.conflict.html()))
        elif isinstance(error, VersionRequired):
            self.add_error(None, ValidationError(str(error)))
        elif hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)


class PlanContentForm(VersionedAdminForm):
    """An objective or intervention on its own page: its plan's version guards it, as on the
    plan's page, so edits of the same plan from either page never cross."""

    def versioned(self):
        return plan_of(self.instance) if self.instance.pk else None


@admin.action(
    permissions=["delete"], description=gettext_lazy("Delete selected %(verbose_name_plural)s")
)
def delete_selected(modeladmin, request, queryset):
    """Django's bulk delete, through the admin's delete_queryset (the services), all or none."""
    try:
        with transaction.atomic():
            return django_delete_selected(modeladmin, request, queryset)
    except ValidationError as error:
        for message in error.messages:
            modeladmin.message_user(request, message, messages.ERROR)
        return None


class ServiceWritesAdminMixin:
    """A ModelAdmin whose saves and deletes are service calls (`service_delete` per row), with
    a refused save shown on the page again, nothing written and nothing typed lost."""

    actions = [delete_selected]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SERVICE_ERRORS as error:
            if request.method != "POST":
                raise
            # The admin's transaction is rolled back. Show the page again with the POST data,
            # the form refusing with the service's message.
            request._service_error = error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        error = getattr(request, "_service_error", None)
        if error is None:
            return form
        return type(form.__name__, (form,), {"service_error": error})

    def save_related(self, request, form, formsets, change):
        # No form.save_m2m(): the services set the rows' many-to-many fields.
        for formset in formsets:
            self.save_formset(request, form, formset, change)
        checked = getattr(request, "_plan_checked", None) or getattr(request, "_plan_edit", None)
        if checked is not None:  # the page's edit is complete: the rules across its rows
            plan_services.plan_content_check(plan=checked)

    def save_formset(self, request, form, formset, change):
        formset.actor = request.user
        formset.edit = getattr(request, "_plan_edit", None)
        formset.save()

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:  # rolled back: nothing deleted
            for message in error.messages:
                self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(request.path.rsplit("/delete/", 1)[0] + "/change/")

    def get_deleted_objects(self, objs, request):
        # The delete service decides: it checks who may delete (plan_content_lock) and refuses
        # rows that money protects in its words, the same the API and the plan page say.
        # Django's collector would ask delete rights on derived rows (rollups) and list
        # protected ones on its own "Cannot delete" page.
        deleted, counts, _perms_needed, _protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), []

    def delete_model(self, request, obj):
        self.service_delete(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.service_delete(request, obj)

    def service_delete(self, request, obj) -> None:
        raise NotImplementedError


class ServiceFormSet(NestedInlineFormSet):
    """An inline formset whose rows are written by services, with the page's edit (set by
    ServiceWritesAdminMixin.save_formset): `create_row`, `update_row`, `delete_row` per form."""

    actor = None
    edit: Plan | None = None

    def save(self, commit=True):
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        if getattr(self.instance, "_deleted_on_page", False):
            return []  # its parent was deleted on this page, and its rows with it
        for form in self.initial_forms:
            if self._should_delete_form(form):
                form.instance._deleted_on_page = True
                self.delete_row(form.instance)
                self.deleted_objects.append(form.instance)
            elif form.has_changed():
                self.update_row(form)
                self.changed_objects.append((form.instance, form.changed_data))
        for form in self.extra_forms:
            if form.has_changed() and not self._should_delete_form(form):
                self.create_row(form)
                self.new_objects.append(form.instance)
        return [*self.new_objects, *(obj for obj, _fields in self.changed_objects)]

    def create_row(self, form) -> None:
        raise NotImplementedError

    def update_row(self, form) -> None:
        raise NotImplementedError

    def delete_row(self, instance) -> None:
        raise NotImplementedError


class RowsReplacedFormSet(ServiceFormSet):
    """Rows a service replaces as a whole (years, presence, activities, requirements): one call
    with every kept row when any changed."""

    def save(self, commit=True):
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        if getattr(self.instance, "_deleted_on_page", False):
            return []
        kept = []
        for form in self.forms:
            if self._should_delete_form(form):
                if form.instance.pk:
                    self.deleted_objects.append(form.instance)
            elif form in self.initial_forms:
                kept.append(form)
                if form.has_changed():
                    self.changed_objects.append((form.instance, form.changed_data))
            elif form.has_changed():
                kept.append(form)
                self.new_objects.append(form.instance)
        if self.new_objects or self.changed_objects or self.deleted_objects:
            self.replace([form.cleaned_data for form in kept])
        return []

    def replace(self, rows: list[dict]) -> None:
        raise NotImplementedError


def _pick(data: dict, names) -> dict:
    return {name: data[name] for name in names if name in data}


class PlanYearFormSet(RowsReplacedFormSet):
    def replace(self, rows):
        plan_services.plan_years_replace(
            plan=self.instance,
            rows=[_pick(row, ("year", *plan_services.PLAN_YEAR_FIGURES)) for row in rows],
            actor=self.actor,
            edit=self.edit,
        )


class PresenceFormSet(RowsReplacedFormSet):
    def replace(self, rows):
        plan_services.presences_replace(
            plan=self.instance,
            rows=[_pick(row, ("country", *plan_services.PRESENCE_FIGURES)) for row in rows],
            actor=self.actor,
            edit=self.edit,
        )


class IndicatorFormSet(RowsReplacedFormSet):
    def replace(self, rows):
        plan_services.indicators_replace(
            plan=self.instance,
            rows=[_pick(row, ("kind", *plan_services.INDICATOR_FIELDS)) for row in rows],
            actor=self.actor,
            edit=self.edit,
        )


class ActivityFormSet(RowsReplacedFormSet):
    def replace(self, rows):
        ordered = sorted(enumerate(rows), key=lambda pair: (pair[1].get("position") or 0, pair[0]))
        intervention_services.activities_replace(
            intervention=self.instance,
            texts=[_pick(row, intervention_services.ACTIVITY_FIELDS) for _i, row in ordered],
            actor=self.actor,
            edit=self.edit,
        )


class RequirementFormSet(RowsReplacedFormSet):
    def replace(self, rows):
        funding_services.requirements_replace(
            intervention=self.instance,
            rows=[_pick(row, ("year", "amount_usd")) for row in rows],
            actor=self.actor,
            edit=self.edit,
        )


class ObjectiveFormSet(ServiceFormSet):
    def _fields(self, form) -> dict:
        data = form.cleaned_data
        return {
            "strategic_objective": data["strategic_objective"],
            "target_groups": data.get("target_groups", []),
            **_pick(data, OBJECTIVE_FIELDS),
        }

    def create_row(self, form):
        saved = objective_services.objective_create(
            plan=self.instance, actor=self.actor, edit=self.edit, **self._fields(form)
        )
        adopt(form.instance, saved)

    def update_row(self, form):
        saved = objective_services.objective_update(
            objective=form.instance, actor=self.actor, edit=self.edit, **self._fields(form)
        )
        adopt(form.instance, saved)

    def delete_row(self, instance):
        objective_services.objective_delete(objective=instance, actor=self.actor, edit=self.edit)


class InterventionFormSet(ServiceFormSet):
    def _fields(self, form) -> dict:
        data = form.cleaned_data
        return {"plan_types": data.get("plan_types", []), **_pick(data, INTERVENTION_FIELDS)}

    def create_row(self, form):
        saved = funding_services.intervention_save(
            objective=self.instance, actor=self.actor, edit=self.edit, **self._fields(form)
        )
        adopt(form.instance, saved)

    def update_row(self, form):
        saved = funding_services.intervention_save(
            intervention=form.instance, actor=self.actor, edit=self.edit, **self._fields(form)
        )
        adopt(form.instance, saved)

    def delete_row(self, instance):
        intervention_services.intervention_delete(
            intervention=instance, actor=self.actor, edit=self.edit
        )


class ServiceInlineMixin:
    """An inline whose rows the services write (its `formset` a ServiceFormSet). Django's own
    check of deleting protected rows is skipped: the delete service refuses it, in the words the
    API and the list's bulk delete use too (one message per rule)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.hand_clean_DELETE = _service_decides
        return formset


def _service_decides(form) -> None:
    return None


class DocumentFormSet(ServiceFormSet):
    """A plan's documents section: each row through plans.services_documents (its file checked
    there, in the words the other callers get)."""

    def _fields(self, form) -> dict:
        return _pick(form.cleaned_data, services_documents.DOCUMENT_FIELDS)

    def create_row(self, form):
        saved = services_documents.document_save(
            plan=self.instance, actor=self.actor, edit=self.edit, **self._fields(form)
        )
        adopt(form.instance, saved)

    def update_row(self, form):
        saved = services_documents.document_save(
            plan=self.instance,
            document=form.instance,
            actor=self.actor,
            edit=self.edit,
            **self._fields(form),
        )
        adopt(form.instance, saved)

    def delete_row(self, instance):
        services_documents.document_delete(document=instance, actor=self.actor, edit=self.edit)
