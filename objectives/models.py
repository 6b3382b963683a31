"""Objectives: the organisation-wide strategic catalog and each plan's objectives under it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plans.models import ChangeStampedModel, Plan, TimeStampedModel

if TYPE_CHECKING:
    from simple_history.manager import HistoryManager


class StrategicObjective(ChangeStampedModel):
    """A numbered entry of the organisation's catalog. Retired, never renumbered."""

    number = models.PositiveSmallIntegerField(unique=True, validators=[MinValueValidator(1)])
    title = models.CharField(max_length=200, unique=True)
    retired_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="strategic_objective_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class TargetGroup(ChangeStampedModel):
    """A primary target group, e.g. "Internally displaced persons"."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ObjectiveQuerySet(models.QuerySet):
    def visible_to(self, user) -> ObjectiveQuerySet:
        return self.filter(plan__in=Plan.objects.visible_to(user))

    def editable_by(self, user) -> ObjectiveQuerySet:
        return self.filter(plan__in=Plan.objects.editable_by(user))


class Objective(ChangeStampedModel, TimeStampedModel):
    """One plan's objective under a strategic objective, with its own people-targeted figure."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="objectives")
    strategic_objective = models.ForeignKey(
        StrategicObjective, on_delete=models.PROTECT, related_name="objectives"
    )
    people_description = models.TextField(
        _("description of people and entities targeted"), blank=True
    )
    target_groups = models.ManyToManyField(TargetGroup, blank=True, related_name="objectives")
    narrative = models.TextField(blank=True)
    people_targeted = models.PositiveIntegerField(null=True, blank=True)
    entities_targeted = models.PositiveIntegerField(null=True, blank=True)

    objects = ObjectiveQuerySet.as_manager()
    # Target groups are part of what an objective says: recorded, so a restore brings them back.
    # History: recorded with its translations, so registered in translation.py (after them).
    history: ClassVar[HistoryManager]

    class Meta:
        ordering = ["plan", "strategic_objective__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "strategic_objective"],
                name="objective_one_per_strategic_objective",
                violation_error_message=_(
                    "This plan already has an objective under that strategic objective."
                ),
            ),
        ]

    def __str__(self) -> str:
        # "Objective 2 — Driving solutions to displacement": what editors call it (issue #13).
        so = self.strategic_objective
        return f"Objective {so.number} — {so.title}"
