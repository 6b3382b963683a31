"""The most a plan may add up to: every total must fit the columns that store it.

A plan's rollups are parts of its totals (years, objectives and interventions sum to the plan),
so refusing at the write any amount or plan total over MAX_MONEY_USD means no plan rollup can
overflow when it is recomputed; the group rollups are wider (GROUP_MONEY). Ref: issue 11, item 3.
Exact on PostgreSQL; SQLite (laptops only) keeps decimals as floats, which cannot hold amounts
near the bound to the cent anyway.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from ..models import MAX_MONEY_USD, Contribution, Requirement


def _over(total: Decimal | None, what: str, field: str | None) -> None:
    if total is not None and total > MAX_MONEY_USD:
        message = _(
            "This plan's %(what)s would total %(total)s USD; a plan's total can be at most "
            "%(most)s USD."
        ) % {"what": what, "total": f"{total:,.2f}", "most": f"{MAX_MONEY_USD:,}"}
        raise ValidationError({field: message} if field else message)


def plan_requirements_check(*, plan_id: int, field: str | None = "requirements") -> None:
    """ValidationError (on `field`) if the plan's requirements add up to more than the most a
    plan's total can be. Call after the writes, in their transaction, which the error rolls back."""
    total = Requirement.objects.filter(intervention__objective__plan_id=plan_id).aggregate(
        total=Sum("amount_usd")
    )["total"]
    _over(total, _("requirements"), field)


def plan_contributions_check(*, plan_id: int, field: str | None = "amount") -> None:
    """As plan_requirements_check, for the plan's received and its pledged money."""
    totals = Contribution.objects.filter(plan_id=plan_id).aggregate(
        received=Sum("amount_usd", filter=Q(status__in=Contribution.RECEIVED_STATUSES)),
        pledged=Sum("amount_usd", filter=Q(status=Contribution.Status.PLEDGED)),
    )
    _over(totals["received"], _("received money"), field)
    _over(totals["pledged"], _("pledged money"), field)


def plan_totals_check(*, plan_id: int, field: str | None = None) -> None:
    """Both checks, for writes that bring requirements and money at once (moves, restores)."""
    plan_requirements_check(plan_id=plan_id, field=field)
    plan_contributions_check(plan_id=plan_id, field=field)
