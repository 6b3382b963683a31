"""Workflow e-mails: composing and sending them for one step, and a user's opt-out.

A step (plans.services_workflow) records a PlanTransition; after its commit the receiver queues
`notifications.tasks.send_transition_emails`, which calls `transition_emails_send` here. The
save never waits on mail: if the queue is down the sweep (beat) sends what is unsent.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from plans.models import Plan, PlanTransition

from .models import NotificationPreference, TransitionEmail
from .recipients import editors_of, reviewers_of, who_hears

S = Plan.Status

# (from, to) → (who hears, template). Archiving and un-archiving tell no one: the plan stays
# public. A withdrawal does: it takes the editors' plan off the site.
STEPS = {
    (S.DRAFT, S.IN_REVIEW): (reviewers_of, "submitted"),
    (S.IN_REVIEW, S.DRAFT): (editors_of, "returned"),
    (S.WITHDRAWN, S.DRAFT): (editors_of, "returned"),
    (S.IN_REVIEW, S.PUBLISHED): (editors_of, "published"),
    (S.PUBLISHED, S.WITHDRAWN): (editors_of, "withdrawn"),
    (S.ARCHIVED, S.WITHDRAWN): (editors_of, "withdrawn"),
}

# The sweep sends what a lost enqueue left unsent, but not news older than this.
SWEEP_WINDOW = datetime.timedelta(days=1)


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _messages(transition: PlanTransition) -> list[mail.EmailMessage]:
    step = STEPS.get((transition.from_status, transition.to_status))
    if step is None:
        return []
    audience, template = step
    plan = transition.plan
    context = {
        "plan": plan,
        "transition": transition,
        "actor": (transition.actor.get_full_name() or transition.actor.get_username())
        if transition.actor
        else "An administrator",
        "admin_url": _absolute(reverse("admin:plans_plan_change", args=[plan.pk])),
        "public_url": _absolute(reverse("plans:detail", args=[plan.slug])),
        "preferences_url": _absolute(reverse("notification-preferences")),
    }
    subject = render_to_string(f"notifications/email/{template}_subject.txt", context)
    body = render_to_string(f"notifications/email/{template}.txt", context)
    return [
        mail.EmailMessage(" ".join(subject.split()), body, to=[user.email])
        for user in who_hears(audience(plan), actor_id=transition.actor_id)
    ]


def transition_emails_send(*, transition_id: int) -> int:
    """E-mail everyone a workflow step concerns, once. Returns how many were sent (0 when the
    step was told already, concerns no one, or is gone)."""
    with transaction.atomic():
        transition = (
            PlanTransition.objects.select_for_update(of=("self",))
            .select_related("plan", "actor")
            .filter(pk=transition_id)
            .first()
        )
        if transition is None or TransitionEmail.objects.filter(transition=transition).exists():
            return 0
        messages = _messages(transition)
        if messages:
            with mail.get_connection() as connection:
                connection.send_messages(messages)
        TransitionEmail.objects.create(
            transition=transition, sent_at=timezone.now(), recipients=len(messages)
        )
    return len(messages)


def transitions_unsent(*, now: datetime.datetime | None = None) -> list[int]:
    """Recent steps whose e-mails have not gone out (their enqueue was lost)."""
    since = (now or timezone.now()) - SWEEP_WINDOW
    return list(
        PlanTransition.objects.filter(at__gte=since, emails_sent__isnull=True)
        .order_by("at")
        .values_list("pk", flat=True)
    )


def notification_preference_set(*, user, workflow_emails: bool) -> NotificationPreference:
    """Turn a user's workflow e-mails on or off (only their own: the view passes request.user)."""
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, defaults={"workflow_emails": workflow_emails}
    )
    return preference


def workflow_emails_on(user) -> bool:
    return not NotificationPreference.objects.filter(user=user, workflow_emails=False).exists()
