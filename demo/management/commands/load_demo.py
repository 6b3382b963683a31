"""`manage.py load_demo`: the two seed plans, demo funding and demo users. Idempotent."""

from django.core.management.base import BaseCommand

from demo import loader
from funding import services


class Command(BaseCommand):
    help = "Load the Pakistan 2020–2021 and Tajikistan 2020 plans with demo funding and users."

    def handle(self, *args, **options):
        plans = loader.demo_load()
        for plan in plans:  # fresh figures even when no queue is running
            services.plan_rollup_recompute(plan_id=plan.pk)
        services.group_rollups_recompute()  # the dashboard's and summary's groups, too
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(plans)} demo plans."))
        self.stdout.write("Demo logins (http://127.0.0.1:8000/admin/):")
        for user in loader.DEMO_USERS:
            self.stdout.write(f"  {user.username:<12} {user.password:<20} {user.description}")
