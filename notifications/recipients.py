"""Who a workflow step concerns: the reviewers of a submitted plan, the editors of a returned or
published one. Roles scope by country (and reviewers by region), as Plan.objects.reviewable_by
and editable_by do for one user; here it is the same rule asked the other way round, for a
plan, in one query."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from plans.models import Plan, Role, RoleAssignment


def _holders(plan: Plan, role: str, *, by_region: bool) -> QuerySet:
    countries = plan.countries.values("pk")
    covers = Q(countries__in=countries)
    if by_region:
        covers |= Q(regions__countries__in=countries)
    assignments = RoleAssignment.objects.filter(covers, role=role).values("user")
    return get_user_model().objects.filter(pk__in=assignments)


def reviewers_of(plan: Plan) -> QuerySet:
    return _holders(plan, Role.REVIEWER, by_region=True)


def editors_of(plan: Plan) -> QuerySet:
    return _holders(plan, Role.EDITOR, by_region=False)


def who_hears(users: QuerySet, *, actor_id: int | None) -> QuerySet:
    """Of these users, those to e-mail: active, with an address, not the one who took the step,
    and not having turned workflow e-mails off."""
    return (
        users.filter(is_active=True)
        .exclude(email="")
        .exclude(pk=actor_id)
        .exclude(notification_preference__workflow_emails=False)
        .order_by("pk")
    )
