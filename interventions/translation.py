"""Which of the interventions app's texts are entered per language (see plans/translation.py)."""

from modeltranslation.translator import register

from plans.history_records import track_history
from plans.translated import ACTIVITY_TEXTS, INTERVENTION_TEXTS
from plans.translation import ContentTranslation

from .models import Activity, Intervention, PlanType, Sector


@register(Intervention)
class InterventionTranslation(ContentTranslation):
    fields = INTERVENTION_TEXTS


track_history(Intervention, m2m_fields=["plan_types"])


@register(Activity)
class ActivityTranslation(ContentTranslation):
    fields = ACTIVITY_TEXTS


track_history(Activity)


@register(Sector)
class SectorTranslation(ContentTranslation):
    fields = ("name",)


@register(PlanType)
class PlanTypeTranslation(ContentTranslation):
    fields = ("name",)
