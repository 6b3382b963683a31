"""python manage.py seed_synthetic --plans N --contributions M --seed S: synthetic test data."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from funding import services, synthetic


class Command(BaseCommand):
    help = (
        "Generate realistic, reproducible plans, objectives, interventions, yearly requirements, "
        "donors and contributions (several currencies and statuses) for tests and benchmarks, "
        "then recompute the rollups. The same --seed gives the same data."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--plans", type=int, required=True)
        parser.add_argument("--contributions", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--interventions-per-plan", type=int, default=100, help="default 100")
        parser.add_argument("--donors", type=int, default=150)
        parser.add_argument("--no-recompute", action="store_true", help="leave rollups empty")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **opts) -> None:
        for name in ("plans", "contributions", "interventions_per_plan", "donors"):
            if opts[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} must not be negative.")
        if opts["plans"] == 0 and opts["contributions"]:
            raise CommandError("Contributions need plans: give --plans.")
        started = time.monotonic()
        with tqdm(
            total=opts["contributions"],
            unit="contribution",
            disable=opts["no_progress"],
            file=self.stderr,
        ) as bar:

            def progress(what: str, n: int) -> None:
                if what == "contributions":
                    bar.update(n)
                else:
                    bar.set_description(f"{what}: {n}")

            try:
                result = synthetic.seed(
                    plans=opts["plans"],
                    contributions=opts["contributions"],
                    seed=opts["seed"],
                    interventions_per_plan=opts["interventions_per_plan"],
                    donors=opts["donors"],
                    progress=progress,
                )
            except ValueError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(
            f"Created {result.plans} plans, {result.objectives} objectives, "
            f"{result.interventions} interventions, {result.activities} activities, "
            f"{result.requirements} requirements, "
            f"{result.donors} donors, {result.contributions} contributions "
            f"in {time.monotonic() - started:.1f} s."
        )
        if not opts["no_recompute"]:
            started = time.monotonic()
            counts = services.plans_rollup_recompute_all()
            self.stdout.write(
                f"Rollups of {counts['plans']} plans recomputed "
                f"in {time.monotonic() - started:.1f} s."
            )
