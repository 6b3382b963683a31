"""Celery tasks sending the workflow e-mails. Both are idempotent (TransitionEmail)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_transition_emails(*, transition_id: int) -> int:
    return services.transition_emails_send(transition_id=transition_id)


@shared_task
def sweep_unsent_transition_emails() -> int:
    """Every few minutes (beat): send what a lost enqueue (broker down) left unsent."""
    return sum(
        services.transition_emails_send(transition_id=pk) for pk in services.transitions_unsent()
    )
