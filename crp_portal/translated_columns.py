"""Translated columns (django-modeltranslation), as the glue needs them: the languages, the
English copy, and reading and sorting by the text a reader is shown.

modeltranslation adds title_en, title_fr, … beside title and reads English from title_en: a
migration that adds the columns runs `english_from_original` so existing plans keep their text
(with the historical app registry: no model imports here), and diffs leave the copy out
(`english_copies`). No domain app is imported: the API's ordering uses this too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import migrations
from django.db.models import F, Model, OrderBy, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import translation
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname

ENGLISH = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
# The languages a text can be translated into, in the switcher's order.
OTHER_LANGUAGES = tuple(code for code, _name in settings.LANGUAGES if code != ENGLISH)


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
    return frozenset(build_localized_fieldname(name, ENGLISH) for name in options.fields)


def active_language() -> str:
    """The active language if texts can be in it, else English (a request in English, a task)."""
    code = (translation.get_language() or ENGLISH).split("-")[0]
    return code if code in OTHER_LANGUAGES else ENGLISH


def translated_text(path: str) -> Coalesce:
    """A translated text ("title", or across a relation: "sector__name") in the active
    language, else its English, as an ORM expression: what modeltranslation's descriptor gives
    an instance. modeltranslation leaves values() across relations on the original column, and
    rewrites order_by("title") to the page language's column, where what is not translated is
    NULL: these read and sort by the text the reader is shown."""
    english = F(build_localized_fieldname(path, ENGLISH))
    code = active_language()
    text = TextField()  # the columns are each language's own field class: say what comes out
    if code == ENGLISH:
        return Coalesce(english, Value(""), output_field=text)
    translated = NullIf(F(build_localized_fieldname(path, code)), Value(""), output_field=text)
    return Coalesce(translated, english, Value(""), output_field=text)


def shown_ordering(model: type[Model], term: str) -> str | OrderBy:
    """An order_by term ("title", "-name") of `model` as the reader's text sorts: a translated
    field by the text shown (translated_text), anything else as given."""
    name = term.lstrip("-")
    try:
        translated = name in translator.get_options_for_model(model).fields
    except NotRegistered:
        translated = False
    if not translated:
        return term
    expression = translated_text(name)
    return expression.desc() if term.startswith("-") else expression.asc()
