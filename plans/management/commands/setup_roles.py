"""`manage.py setup_roles`: the permission groups of editors, reviewers and funding officers,
and every user with a role put in step with them (groups and staff status)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from plans.role_groups import roles_setup
from plans.roles import role_groups_sync


class Command(BaseCommand):
    help = (
        "Create or reset the role groups and their permissions, and bring every user with a role "
        "in step with them (groups, staff status). Idempotent."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        for group in roles_setup():
            self.stdout.write(f"{group.name}: {group.permissions.count()} permissions")
        users = get_user_model().objects.filter(role_assignments__isnull=False).distinct()
        for user in users:
            role_groups_sync(user=user)
        self.stdout.write(f"{len(users)} users with roles in step")
