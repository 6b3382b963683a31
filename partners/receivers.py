"""Tombstones for the partner API: every deleted plan, objective, intervention, contribution or
donor leaves a Deletion row, and so does a plan withdrawn from publication, so that an
`updated_since` sync learns of it (GET /api/v1/deletions/)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from crp_portal import pagecache
from funding.models import Contribution, Currency, Donor, ExchangeRate
from interventions.models import Intervention, PlanType, Sector
from objectives.models import Objective, StrategicObjective, TargetGroup
from plans.models import Country, Plan, Region

from . import services
from .models import Deletion

# Deletions are listed by the API: retire its cached answers when one is recorded. So are the
# catalogs, whose names the plans' rows show (a renamed sector changes its interventions).
pagecache.retire_pages_on_change(
    Deletion,
    Country,
    Region,
    StrategicObjective,
    TargetGroup,
    Sector,
    PlanType,
    ExchangeRate,
    Currency,
)


def _was_public(plan: Plan) -> bool:
    return plan.is_public or plan.published_at is not None


def _plan(plan_id: int | None) -> tuple[str, bool]:
    """(slug, was public) of a plan. Django deletes children before their plan, so during a
    cascade the plan row is still there; if not, the slug is unknown and the row not public."""
    plan = Plan.objects.filter(pk=plan_id).only("slug", "status", "published_at").first()
    return (plan.slug, _was_public(plan)) if plan else ("", False)


@receiver(post_delete, sender=Plan, dispatch_uid="deletion_plan")
def plan_deleted(sender, instance: Plan, **kwargs) -> None:
    services.deletion_record(
        kind=Deletion.Kind.PLAN,
        object_id=instance.pk,
        lookup=instance.slug,
        plan_slug=instance.slug,
        public=_was_public(instance),
    )


@receiver(post_save, sender=Plan, dispatch_uid="deletion_plan_withdrawn")
def plan_saved(sender, instance: Plan, created: bool, **kwargs) -> None:
    """A once-published plan that is no longer public (withdrawn) is gone for anonymous clients.
    An archived plan is still public: no tombstone."""
    if created or instance.is_public or instance.published_at is None:
        return
    already = Deletion.objects.filter(
        kind=Deletion.Kind.PLAN,
        object_id=instance.pk,
        reason=Deletion.Reason.WITHDRAWN,
        deleted_at__gte=instance.published_at,
    ).exists()
    if not already:
        services.deletion_record(
            kind=Deletion.Kind.PLAN,
            object_id=instance.pk,
            lookup=instance.slug,
            plan_slug=instance.slug,
            public=True,
            reason=Deletion.Reason.WITHDRAWN,
        )


@receiver(post_delete, sender=Objective, dispatch_uid="deletion_objective")
def objective_deleted(sender, instance: Objective, **kwargs) -> None:
    slug, public = _plan(instance.plan_id)
    services.deletion_record(
        kind=Deletion.Kind.OBJECTIVE, object_id=instance.pk, plan_slug=slug, public=public
    )


@receiver(post_delete, sender=Intervention, dispatch_uid="deletion_intervention")
def intervention_deleted(sender, instance: Intervention, **kwargs) -> None:
    plan_id = (
        Objective.objects.filter(pk=instance.objective_id).values_list("plan_id", flat=True).first()
    )
    slug, public = _plan(plan_id)
    services.deletion_record(
        kind=Deletion.Kind.INTERVENTION, object_id=instance.pk, plan_slug=slug, public=public
    )


@receiver(post_delete, sender=Contribution, dispatch_uid="deletion_contribution")
def contribution_deleted(sender, instance: Contribution, **kwargs) -> None:
    slug, public = _plan(instance.plan_id)
    services.deletion_record(
        kind=Deletion.Kind.CONTRIBUTION, object_id=instance.pk, plan_slug=slug, public=public
    )


@receiver(post_delete, sender=Donor, dispatch_uid="deletion_donor")
def donor_deleted(sender, instance: Donor, **kwargs) -> None:
    services.deletion_record(kind=Deletion.Kind.DONOR, object_id=instance.pk, public=True)


# Catalog entries are public whatever the plans: an (unused) entry deleted leaves a tombstone.
CATALOG_KINDS = {
    Country: Deletion.Kind.COUNTRY,
    Region: Deletion.Kind.REGION,
    StrategicObjective: Deletion.Kind.STRATEGIC_OBJECTIVE,
    TargetGroup: Deletion.Kind.TARGET_GROUP,
    Sector: Deletion.Kind.SECTOR,
    PlanType: Deletion.Kind.PLAN_TYPE,
    ExchangeRate: Deletion.Kind.EXCHANGE_RATE,
}


def catalog_entry_deleted(sender, instance, **kwargs) -> None:
    services.deletion_record(
        kind=CATALOG_KINDS[sender],
        object_id=instance.pk,
        lookup=instance.iso3 if sender is Country else "",
        public=True,
    )


for _model in CATALOG_KINDS:
    post_delete.connect(
        catalog_entry_deleted, sender=_model, dispatch_uid=f"deletion_{_model._meta.label_lower}"
    )
