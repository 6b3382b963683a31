"""`manage.py setup_roles`: the permission groups of editors, reviewers and funding officers."""

from django.core.management.base import BaseCommand
from django.db import transaction

from plans.role_groups import roles_setup


class Command(BaseCommand):
    help = "Create or reset the role groups and their permissions. Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        for group in roles_setup():
            self.stdout.write(f"{group.name}: {group.permissions.count()} permissions")
