"""Keep each user's permission groups in step with their role assignments, however those change
(the role services, the admin's inline on the user page, a data fix in the shell)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from crp_portal import pagecache

from .models import OperationalPresence, Plan, PlanDocument, PlanYear, RoleAssignment
from .roles import role_groups_sync


@receiver([post_save, post_delete], sender=RoleAssignment, dispatch_uid="role_groups_sync")
def role_assignment_changed(sender, instance: RoleAssignment, **kwargs) -> None:
    user = type(instance).user.field.related_model.objects.filter(pk=instance.user_id).first()
    if user is not None:  # gone already when the user itself is being deleted
        role_groups_sync(user=user)


# Public pages and cached API answers show plans, their years and presence: retire them on change.
pagecache.retire_pages_on_change(
    Plan, PlanYear, OperationalPresence, PlanDocument, through=(Plan.countries.through,)
)
