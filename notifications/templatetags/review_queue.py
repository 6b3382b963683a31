"""{% plans_waiting_for_review user as plans %}: the admin home's "waiting for your review"."""

from django import template
from django.db.models import Max, Q

from plans.models import Plan

register = template.Library()

# The admin home shows this many; the link below it lists them all.
SHOWN = 20


@register.simple_tag
def plans_waiting_for_review(user) -> list[Plan]:
    return list(
        Plan.objects.reviewable_by(user)
        .filter(status=Plan.Status.IN_REVIEW)
        # When it was submitted: its last step into review (not its last save).
        .annotate(
            submitted_at=Max(
                "transitions__at", filter=Q(transitions__to_status=Plan.Status.IN_REVIEW)
            )
        )
        .order_by("submitted_at", "pk")[:SHOWN]
    )
