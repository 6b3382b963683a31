"""Review and publishing: the only way a plan's status changes (draft → in review → published →
archived, a reviewer's un-archive back to published, a reviewer's withdrawal out of public view
and return of a withdrawn plan to its editors), each step checked against the actor's role and
recorded as a PlanTransition.

Kept apart from plans/services.py (content writes) so the workflow has one small home.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crp_portal.concurrency import version_check

from .history_records import record_as
from .models import Plan, PlanTransition

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

S = Plan.Status


def _may(*, plan: Plan, actor, may: str) -> bool:
    """Whether the actor edits ("edit") or reviews ("review") this plan."""
    allowed = (
        Plan.objects.editable_by(actor) if may == "edit" else Plan.objects.reviewable_by(actor)
    )
    return allowed.filter(pk=plan.pk).exists()


def plan_required_total(*, plan: Plan) -> Decimal | None:
    """Σ of the plan's yearly requirements, from the requirement rows (None: nothing costed).
    Read through reverse relations: plans imports no app to its right (the domain order). Each
    requirement is one row of the objective → intervention → requirement join, so the sum is not
    multiplied."""
    return plan.objectives.aggregate(total=Sum("interventions__requirements__amount_usd"))["total"]


def plan_transition_check_permitted(*, name: str, plan: Plan, actor) -> None:
    """PermissionDenied unless the actor may take step `name` on this plan at all: checked
    before anything else is read from an outsider's request, so a refusal says only that."""
    _step, _label, _from, may = TRANSITIONS[name]
    if not _may(plan=plan, actor=actor, may=may):
        raise PermissionDenied(_("You may not do this to %(plan)s.") % {"plan": plan})


def _transition(
    *,
    plan: Plan,
    actor,
    allowed_from: tuple[str, ...],
    to_status: str,
    may: str,
    comment: str = "",
) -> Plan:
    # Lock the row so two reviewers clicking at once make one transition, not two.
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    if not _may(plan=locked, actor=actor, may=may):
        raise PermissionDenied(_("You may not do this to %(plan)s.") % {"plan": locked})
    if locked.status not in allowed_from:
        raise ValidationError(
            _("%(plan)s is %(status)s; this step needs it to be %(needed)s.")
            % {
                "plan": locked,
                "status": locked.get_status_display().lower(),
                "needed": _(" or ").join(str(S(s).label).lower() for s in allowed_from),
            }
        )
    from_status = locked.status
    now = timezone.now()
    locked.status = to_status
    update_fields = ["status", "version", "updated_at"]
    if to_status == S.PUBLISHED:
        if locked.published_at is None:
            # Its first publication: what it required then stays, so that its page can say
            # "revised from $X" once the requirements change (issue #12, item 5).
            locked.first_published_required_usd = plan_required_total(plan=locked)
            update_fields.append("first_published_required_usd")
        locked.published_at = now
        locked.last_updated_on = timezone.localdate(now)
        update_fields += ["published_at", "last_updated_on"]
    locked.version += 1  # the row is locked: no one else can bump it meanwhile
    record_as(
        locked,
        user=actor,
        # In words on the history page: "In review → Published: …".
        reason=f"{Plan.Status(from_status).label} → {Plan.Status(to_status).label}"
        + (f": {comment}" if comment else ""),
    )
    # update_fields includes "status": the rollups receiver refreshes public figures on it.
    locked.save(update_fields=update_fields)
    locked.refresh_from_db()
    PlanTransition.objects.create(
        plan=locked,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        at=now,
        comment=comment,
    )
    return locked


@transaction.atomic
def plan_submit(*, plan: Plan, actor, comment: str = "") -> Plan:
    """An editor of the plan's countries sends a draft for review."""
    return _transition(
        plan=plan,
        actor=actor,
        allowed_from=(S.DRAFT,),
        to_status=S.IN_REVIEW,
        may="edit",
        comment=comment.strip(),
    )


@transaction.atomic
def plan_publish(*, plan: Plan, actor, comment: str = "") -> Plan:
    """A reviewer of the plan's countries publishes it: the public sees it from now on."""
    return _transition(
        plan=plan,
        actor=actor,
        allowed_from=(S.IN_REVIEW,),
        to_status=S.PUBLISHED,
        may="review",
        comment=comment.strip(),
    )


@transaction.atomic
def plan_return(*, plan: Plan, actor, comment: str) -> Plan:
    """A reviewer sends a plan in review (or a withdrawn one) back to its editors as a draft,
    saying what to fix."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what the editors should change.")})
    return _transition(
        plan=plan,
        actor=actor,
        allowed_from=(S.IN_REVIEW, S.WITHDRAWN),
        to_status=S.DRAFT,
        may="review",
        comment=comment.strip(),
    )


@transaction.atomic
def plan_archive(*, plan: Plan, actor, comment: str = "") -> Plan:
    """A reviewer (or an admin) archives a published plan: a past plan, still public (under
    "Past plans"), its figures still counted for the years it covered, its content read-only."""
    return _transition(
        plan=plan,
        actor=actor,
        allowed_from=(S.PUBLISHED,),
        to_status=S.ARCHIVED,
        may="review",
        comment=comment.strip(),
    )


@transaction.atomic
def plan_unarchive(*, plan: Plan, actor, comment: str) -> Plan:
    """A reviewer (or an admin) brings an archived plan back to published, saying why: the only
    way its content and funding can change again (plans.services.plan_check_not_archived)."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say why the plan comes back from the archive.")})
    return _transition(
        plan=plan,
        actor=actor,
        allowed_from=(S.ARCHIVED,),
        to_status=S.PUBLISHED,
        may="review",
        comment=comment.strip(),
    )


@transaction.atomic
def plan_withdraw(*, plan: Plan, actor, comment: str) -> Plan:
    """A reviewer takes a published or archived plan out of public view, saying why: its page
    answers "not found", its figures leave every total, partners see it in the deletions feed."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say why the plan is withdrawn from public view.")})
    return _transition(
        plan=plan,
        actor=actor,
        allowed_from=(S.PUBLISHED, S.ARCHIVED),
        to_status=S.WITHDRAWN,
        may="review",
        comment=comment.strip(),
    )


class _Step(Protocol):
    """A workflow step's service, as the admin and the tests call it."""

    def __call__(self, *, plan: Plan, actor: Any, comment: str) -> Plan: ...


# name: (service, button label, statuses it starts from, "edit" or "review" permission)
TRANSITIONS: dict[str, tuple[_Step, StrPromise, tuple[str, ...], str]] = {
    "submit": (plan_submit, gettext_lazy("Submit for review"), (S.DRAFT,), "edit"),
    "publish": (plan_publish, gettext_lazy("Publish"), (S.IN_REVIEW,), "review"),
    "return": (
        plan_return,
        gettext_lazy("Return to editors"),
        (S.IN_REVIEW, S.WITHDRAWN),
        "review",
    ),
    "archive": (plan_archive, gettext_lazy("Archive"), (S.PUBLISHED,), "review"),
    "unarchive": (plan_unarchive, gettext_lazy("Un-archive"), (S.ARCHIVED,), "review"),
    "withdraw": (
        plan_withdraw,
        gettext_lazy("Withdraw from public view"),
        (S.PUBLISHED, S.ARCHIVED),
        "review",
    ),
}


def plan_transitions_allowed(*, plan: Plan, user) -> list[str]:
    """Names of the steps this user may take on this plan now (for the admin's buttons)."""
    names = []
    editable = Plan.objects.editable_by(user).filter(pk=plan.pk).exists()
    reviewable = Plan.objects.reviewable_by(user).filter(pk=plan.pk).exists()
    for name, (_service, _label, from_statuses, may) in TRANSITIONS.items():
        ok = editable if may == "edit" else reviewable
        if ok and plan.status in from_statuses:
            names.append(name)
    return names


@transaction.atomic
def plan_transition(
    *, name: str, plan: Plan, actor, comment: str = "", expected_version: int | None = None
) -> Plan:
    """Take the workflow step `name` (a key of TRANSITIONS) as the admin's buttons do, refusing
    it first when `expected_version` (the API's If-Match) is not the plan's version: a step
    taken on a plan someone changed meanwhile would publish what the reviewer never read."""
    if name not in TRANSITIONS:
        raise ValueError(f"no workflow step {name!r}")
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    step, _label, _from, may = TRANSITIONS[name]
    if _may(plan=locked, actor=actor, may=may):
        # Only then: an outsider learns nothing of versions; the step itself words the refusal.
        version_check(locked, current=locked.version, expected=expected_version)
    return step(plan=locked, actor=actor, comment=comment)
