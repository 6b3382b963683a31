"""The plan page's error summary (issue #13, item 2): after a failed save, every error of the
page, nested rows included, listed at the top with a link to its field, so none hides in a
closed section (static/js/admin_errors.js opens the sections that hold one)."""

from __future__ import annotations

from dataclasses import dataclass

from django.forms.forms import NON_FIELD_ERRORS
from django.utils.text import capfirst


@dataclass(frozen=True)
class PageError:
    target: str  # the id of the field (or of the row) to go to
    where: str
    message: str


def _form_errors(form, where: str) -> list[PageError]:
    found = []
    for name, messages in form.errors.items():
        if name == NON_FIELD_ERRORS:  # about the whole row: its box (nested_admin's id)
            target, label = form.prefix or "content-main", where
        else:
            field = form.fields.get(name)
            target = form[name].auto_id if field is not None else "content-main"
            label = (
                f"{where} › {capfirst(field.label)}" if field is not None and field.label else where
            )
        found += [PageError(target, label.strip(" ›"), message) for message in messages]
    return found


def _formset_errors(formset, where: str, seen: set) -> list[PageError]:
    if formset.prefix in seen:
        return []
    seen.add(formset.prefix)
    name = capfirst(formset.model._meta.verbose_name)
    found = [
        PageError(f"{formset.prefix}-group", where or name, m) for m in formset.non_form_errors()
    ]
    for number, form in enumerate(formset.forms, start=1):
        row = f"{where} › {name} {number}" if where else f"{name} {number}"
        if form.errors:
            found += _form_errors(form, row)
        for nested in getattr(form, "nested_formsets", None) or []:
            found += _formset_errors(nested, row, seen)
    return found


def page_errors(form, formsets) -> list[PageError]:
    """Every error of a bound admin page: its form's, then each row's, in page order."""
    if not form.is_bound:
        return []
    found = _form_errors(form, "")
    seen: set = set()
    for formset in formsets:
        found += _formset_errors(formset, "", seen)
    return found


class ErrorSummaryAdminMixin:
    """Puts `error_summary` in the change page's context (templates: change_form.html)."""

    def render_change_form(self, request, context, *args, **kwargs):
        adminform = context.get("adminform")
        if adminform is not None:
            formsets = [
                admin_formset.formset for admin_formset in context.get("inline_admin_formsets", [])
            ]
            context["error_summary"] = page_errors(adminform.form, formsets)
        return super().render_change_form(request, context, *args, **kwargs)
