"""python manage.py recompute_rollups [--plan SLUG | --all]: the same work the Celery jobs do."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from funding import services
from plans.models import Plan


class Command(BaseCommand):
    help = (
        "Recompute stored funding rollups from source rows: one plan (--plan SLUG) or every plan "
        "and the cross-plan groups (--all). Idempotent; writes only figures that changed."
    )

    def add_arguments(self, parser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--plan", metavar="SLUG", help="recompute this plan only")
        which.add_argument("--all", action="store_true", help="recompute every plan and group")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, plan: str | None, all: bool, no_progress: bool, **options) -> None:
        if plan:
            plan_id = Plan.objects.filter(slug=plan).values_list("pk", flat=True).first()
            if plan_id is None:
                raise CommandError(f"No plan with slug {plan!r}.")
            changed = services.plan_rollup_recompute(plan_id=plan_id)
            services.group_rollups_recompute()
            self.stdout.write(
                f"Plan {plan}: {'figures updated' if changed else 'already up to date'}."
            )
            return
        with tqdm(
            total=Plan.objects.count(),
            unit="plan",
            desc="Recomputing rollups",
            disable=no_progress,
            file=self.stderr,
        ) as bar:
            counts = services.plans_rollup_recompute_all(progress=bar.update)
        self.stdout.write(
            f"{counts['plans']} plans recomputed, {counts['changed']} with changed figures; "
            f"{counts['groups_written']} group rows written."
        )
