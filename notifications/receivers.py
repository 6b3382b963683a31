"""A workflow step queues its e-mails once it is committed: never before (a rolled-back step
tells no one) and never inside the save (mail never blocks or breaks it)."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from crp_portal import queueing
from plans.models import PlanTransition

from . import tasks


@receiver(post_save, sender=PlanTransition, dispatch_uid="transition_emails")
def transition_recorded(sender, instance: PlanTransition, created: bool, **kwargs) -> None:
    if created:
        transition_id = instance.pk
        transaction.on_commit(
            lambda: queueing.enqueue(tasks.send_transition_emails, transition_id=transition_id)
        )
