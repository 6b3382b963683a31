"""Who hears of the review workflow by e-mail, and which steps have been told."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models import PlanTransition


class NotificationPreference(models.Model):
    """A user's choice about workflow e-mails. No row means the default: e-mails on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    workflow_emails = models.BooleanField(
        _("e-mail me about plans in review"),
        default=True,
        help_text=_(
            "Reviewers: when a plan of your countries is submitted. Editors: when your plan is "
            "returned or published."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: workflow e-mails {'on' if self.workflow_emails else 'off'}"


class TransitionEmail(models.Model):
    """A workflow step whose e-mails went out: the task and the sweep skip it (at least once,
    at most one retry: a worker killed between sending and this row sends again)."""

    transition = models.OneToOneField(
        PlanTransition, on_delete=models.CASCADE, related_name="emails_sent"
    )
    sent_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.transition}: {self.recipients} e-mails"
