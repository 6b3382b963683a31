"""The English column of each translated field, beside the field's own (django-modeltranslation).

modeltranslation adds title_en, title_fr, … beside title and reads English from title_en: a
migration that adds the columns runs `english_from_original` so existing plans keep their text
(with the historical app registry: no model imports here), and diffs leave the copy out.
"""

from __future__ import annotations

from django.conf import settings
from django.db import migrations
from django.db.models import Model
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname


def english_from_original(app_label: str, fields: dict[str, tuple[str, ...]]):
    """A RunPython operation: for each model and its historical model (when it has one), set
    <field>_en to <field> in one UPDATE, so past versions read as they did."""

    def forwards(apps, schema_editor):
        for model_name, names in fields.items():
            for name in (model_name, f"historical{model_name}"):
                _copy(apps, schema_editor, app_label, name, names)

    return migrations.RunPython(forwards, migrations.RunPython.noop)


def _copy(apps, schema_editor, app_label: str, model_name: str, names: tuple[str, ...]) -> None:
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError:  # a catalog: no history
        return
    table = schema_editor.quote_name(model._meta.db_table)
    sets = ", ".join(
        f"{schema_editor.quote_name(n + '_en')} = {schema_editor.quote_name(n)}" for n in names
    )
    schema_editor.execute(f"UPDATE {table} SET {sets}")


def english_copies(model: type[Model]) -> frozenset[str]:
    """The columns that repeat a translated field's English (title_en beside title): one
    change of a title is one change, so diffs and conflict reports leave these out. `model`
    may be the historical model of a translated one."""
    model = getattr(model, "instance_type", model)  # simple_history's link to the tracked model
    try:
        options = translator.get_options_for_model(model)
    except NotRegistered:
        return frozenset()
    return frozenset(
        build_localized_fieldname(name, settings.MODELTRANSLATION_DEFAULT_LANGUAGE)
        for name in options.fields
    )
