"""Plan content in the reader's language (issue #15, item 5): the names of the translation
columns the services write, and which language a shown text is in.

The texts are registered for translation in each app's translation.py (django-modeltranslation):
`plan.title` reads the active language's column and falls back to English, the text every plan
has. A page must say when it fell back, so `shown_language` tells which one a reader gets.
"""

from __future__ import annotations

from django.db.models import Model, Q
from modeltranslation.utils import build_localized_fieldname

# The languages and the active one are the glue's (crp_portal/translated_columns.py: the API's
# ordering needs them too).
from crp_portal.translated_columns import ENGLISH, OTHER_LANGUAGES, active_language

# The texts of each level of a plan entered per language (each app's translation.py registers
# them; the services and the admin take their translations), which the page and the API's plan
# detail report the fallback of. Catalog names are translated too, but named, not counted.
PLAN_TEXTS = ("title", "vision_statement", "vision_narrative")
OBJECTIVE_TEXTS = ("people_description", "narrative")
INTERVENTION_TEXTS = ("title", "narrative")
ACTIVITY_TEXTS = ("text",)
# What fallback_state answers, in the API's words (texts_fallback): some, or all of them.
SOME, ALL = "some", "all"


def translation_fields(*names: str) -> tuple[str, ...]:
    """The columns of the translations of `names` (title -> title_fr, title_es, title_ar):
    what the services accept beside the English fields."""
    return tuple(build_localized_fieldname(n, code) for n in names for code in OTHER_LANGUAGES)


def text_search(field: str, word: str) -> Q:
    """Rows whose `field` contains `word` in any language: a reader of the French page sees
    the English of what is not translated, and may type English words; modeltranslation would
    look in the page language's column only (where an untranslated text is NULL)."""
    condition = Q()
    for code in (ENGLISH, *OTHER_LANGUAGES):
        condition |= Q(**{f"{build_localized_fieldname(field, code)}__icontains": word})
    return condition


def shown_language(instance: Model, field: str) -> str:
    """The language `instance.<field>` is shown in: the active one when it is translated, else
    English (modeltranslation's fallback)."""
    code = active_language()
    if code != ENGLISH and getattr(instance, build_localized_fieldname(field, code), None):
        return code
    return ENGLISH


def falls_back(instance: Model, field: str) -> bool:
    """Whether a reader in the active language gets this text in English instead: it has an
    English text and no translation."""
    return bool(getattr(instance, field)) and shown_language(instance, field) != active_language()


def fallback_state(texts: list[tuple[Model, str]]) -> str | None:
    """What a page should say of the language of these texts (instance, field): None when the
    reader gets each in the page's language, ALL when every one is in English instead, SOME
    when some are. Empty texts do not count."""
    shown = [(instance, field) for instance, field in texts if getattr(instance, field)]
    fallen = sum(falls_back(instance, field) for instance, field in shown)
    if not fallen:
        return None
    return SOME if fallen < len(shown) else ALL
