"""{% plans_waiting_for_review user as plans %}: the admin home's "waiting for your review"."""

from django import template

from plans.models import Plan

register = template.Library()

# The admin home shows this many; the link below it lists them all.
SHOWN = 20


@register.simple_tag
def plans_waiting_for_review(user) -> list[Plan]:
    return list(
        Plan.objects.reviewable_by(user)
        .filter(status=Plan.Status.IN_REVIEW)
        .order_by("updated_at")[:SHOWN]
    )
