"""Which of the objectives app's texts are entered per language (see plans/translation.py)."""

from modeltranslation.translator import register

from plans.history_records import track_history
from plans.translated import OBJECTIVE_TEXTS
from plans.translation import ContentTranslation

from .models import Objective, StrategicObjective, TargetGroup


@register(Objective)
class ObjectiveTranslation(ContentTranslation):
    fields = OBJECTIVE_TEXTS


track_history(Objective, m2m_fields=["target_groups"])


@register(StrategicObjective)
class StrategicObjectiveTranslation(ContentTranslation):
    fields = ("title",)


@register(TargetGroup)
class TargetGroupTranslation(ContentTranslation):
    fields = ("name",)
