"""Which of the plans app's texts are entered per language (django-modeltranslation).

Each field gets a column per language (title_en, title_fr, …). English is the text every plan
has; an empty translation is stored as NULL (empty_values), so "not translated" is one value
and unique names (regions, catalogs) can leave theirs empty. Readers fall back to English.
"""

from modeltranslation.translator import TranslationOptions, register

from .history_records import track_history
from .models import CrossCuttingPriority, OperatingModality, Plan, Region
from .translated import PLAN_TEXTS


class ContentTranslation(TranslationOptions):
    empty_values = None


@register(Plan)
class PlanTranslation(ContentTranslation):
    fields = PLAN_TEXTS


track_history(
    Plan,
    # Rollup bookkeeping is derived data, written by UPDATE, and not part of what a plan says.
    excluded_fields=["funding_updated_at", "rollup_dirty_since"],
    m2m_fields=["countries", "modalities", "priorities"],
)


@register(Region)
class RegionTranslation(ContentTranslation):
    fields = ("name",)


@register(OperatingModality)
class OperatingModalityTranslation(ContentTranslation):
    fields = ("name",)


@register(CrossCuttingPriority)
class CrossCuttingPriorityTranslation(ContentTranslation):
    fields = ("name",)
