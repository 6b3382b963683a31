"""Plan content and catalog names in French, Spanish and Arabic, in the admin (issue #15, item 5).

The admin speaks English (its addresses carry no language prefix), so a form's `title` is the
English text; each translation is its own field (title_fr, …), saved by the same service as
the English. Left empty, the public pages show the English and say so. Arabic boxes are written
right to left.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.fields import TranslationField
from modeltranslation.translator import translator

from .services_catalogs import catalog_entry_save
from .translated import translation_fields


class TranslatedWidgetsMixin:
    """Each translation box says its language to the browser (spelling, direction, fonts)."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if formfield is not None and isinstance(db_field, TranslationField):
            language = db_field.language
            formfield.widget.attrs.update(lang=language, dir="rtl" if language == "ar" else "ltr")
        return formfield


class TranslationsFieldsetMixin(TranslatedWidgetsMixin):
    """For an admin listing its form's fields (no `fieldsets`): the translations go in a
    collapsed section of their own below the English, which stays as it was."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        columns = translation_columns(self.model)  # type: ignore[attr-defined]
        names = [name for _title, options in fieldsets for name in options["fields"]]
        translations = [n for n in names if n in columns]
        if not translations:
            return fieldsets
        return [
            *[
                (
                    title,
                    {**options, "fields": [n for n in options["fields"] if n not in translations]},
                )
                for title, options in fieldsets
            ],
            translations_fieldset(translations),
        ]


def translation_columns(model) -> set[str]:
    """The model's translation columns (title_fr, …; title_en too)."""
    return {f.name for f in model._meta.get_fields() if isinstance(f, TranslationField)}


def translations_fieldset(fields) -> tuple:
    """A collapsed fieldset of these translation fields (title_fr, title_es, title_ar, …)."""
    return (
        _("Translations (French, Spanish, Arabic)"),
        {
            "classes": ["collapse"],
            "fields": list(fields),
            "description": _(
                "Left empty, a text is shown in English on the French, Spanish and Arabic "
                "pages, which say so."
            ),
        },
    )


class CatalogAdmin(TranslatedWidgetsMixin, admin.ModelAdmin):
    """A catalog (regions, sectors, plan types, target groups, strategic objectives, ways of
    working): changed by administrators only and saved by catalog_entry_save, as the API's
    catalog writes are, with its names in each language."""

    catalog_fields: tuple[str, ...] = ()

    def get_fields(self, request, obj=None):
        # The names its translation.py registers (a name, or a strategic objective's title).
        translated = translator.get_options_for_model(self.model).fields
        return [*self.catalog_fields, *translation_fields(*translated)]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        readonly = set(self.get_readonly_fields(request, obj))
        saved = catalog_entry_save(
            actor=request.user,
            model=type(obj),
            entry=obj if change else None,
            **{
                name: form.cleaned_data[name]
                for name in self.get_fields(request, obj)
                if name in form.cleaned_data and name not in readonly
            },
        )
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        pass  # no related rows: the entry is the whole write
