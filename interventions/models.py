"""Interventions: what a plan will do under each objective, by sector, with its activities."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from objectives.models import Objective
from plans.models import ChangeStampedModel, Country, Plan, TimeStampedModel

if TYPE_CHECKING:
    from simple_history.manager import HistoryManager


class Sector(ChangeStampedModel):
    """A thematic area, e.g. "Mental health and psychosocial support"."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120, unique=True)
    # Retired entries stay on the interventions that use them; new content cannot choose them.
    retired_on = models.DateField(null=True, blank=True)
    # The IATI export's sector code (issue 14, item 5). Several sectors may share one DAC code;
    # a sector without one is exported in the reporting organisation's own vocabulary (99).
    # null, not "": the API shows "no code" as null like every other unknown (DESIGN).
    dac_code = models.CharField(  # noqa: DJ001
        _("DAC code"),
        max_length=5,
        null=True,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{5}\Z", _("Enter the 5-digit OECD DAC purpose code."))],
        help_text=_(
            "OECD DAC 5-digit purpose code (CRS), e.g. 72010; empty when none fits (the IATI "
            "export then uses the organisation's own vocabulary)."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PlanType(ChangeStampedModel):
    """A tag shown as "Plan types" on an intervention (e.g. within an inter-agency HRP)."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=160, unique=True)
    # Retired entries stay on the interventions that use them; new content cannot choose them.
    retired_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InterventionQuerySet(models.QuerySet):
    def visible_to(self, user) -> InterventionQuerySet:
        return self.filter(objective__plan__in=Plan.objects.visible_to(user))

    def editable_by(self, user) -> InterventionQuerySet:
        return self.filter(objective__plan__in=Plan.objects.editable_by(user))


class Intervention(ChangeStampedModel, TimeStampedModel):
    """One line of work under an objective; its requirements are the only typed money."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="interventions")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300)
    sector = models.ForeignKey(
        Sector, null=True, blank=True, on_delete=models.PROTECT, related_name="interventions"
    )
    plan_types = models.ManyToManyField(PlanType, blank=True, related_name="interventions")
    narrative = models.TextField(blank=True)
    people_targeted = models.PositiveIntegerField(null=True, blank=True)
    # Where the work is, when its plan covers several countries: by-country and by-region groups
    # count its requirement and its earmarked money there, not once per country of the plan.
    # One of its plan's countries (checked by the services). Ref: #12, item 3.
    country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interventions",
        help_text=_("The country it is in, for a plan covering several countries."),
    )

    objects = InterventionQuerySet.as_manager()
    # Plan types are part of what an intervention says: recorded, so a restore brings them back.
    # History: recorded with its translations, so registered in translation.py (after them).
    history: ClassVar[HistoryManager]

    class Meta:
        ordering = ["objective", "position", "id"]
        indexes = [models.Index(fields=["objective", "position"], name="intervention_order_idx")]

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    """An ordered line of an intervention."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="activities"
    )
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("activity"))

    # History: recorded with its translations, so registered in translation.py (after them).
    history: ClassVar[HistoryManager]

    class Meta:
        ordering = ["intervention", "position", "id"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["intervention", "position"], name="activity_order_idx")]

    def __str__(self) -> str:
        return self.text[:80]
