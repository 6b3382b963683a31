"""Rollup benchmark (PostgreSQL): full recompute vs a raw SQL floor, one plan, peak memory.

    make bench-rollups BENCH_ARGS="--plans 1000 --contributions 1000000"
    python bench/rollups.py --plans 20 --contributions 20000 --interventions-per-plan 20   # quick

Seeds synthetic data (funding.synthetic, seed --seed) into the database of DATABASE_URL in
--stages steps of contributions, and after each step measures in a fresh subprocess (so its peak
RSS is the recompute's, not the seeding's):
  (a) the full recompute of every plan's rollups (funding.rollup_sql: cold = rollup tables
      emptied first; warm = nothing changed) against one raw SQL SELECT computing the same
      totals (the floor), as a ratio — target <= 2x;
  (b) one plan's recompute (services.plan_rollup_recompute) after an edit: time and query count —
      target <= 50 ms, count independent of the number of plans;
  (c) peak memory: ru_maxrss of the measuring process and tracemalloc's peak during the full
      recompute — target flat as contributions grow.
See bench/README.md. Use a database of its own (it adds rows and empties rollup tables).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crp_portal.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

ROLLUP_TABLES = [
    "funding_planrollup",
    "funding_planyearrollup",
    "funding_objectiverollup",
    "funding_interventionrollup",
]


def setup() -> None:
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(
            "bench/rollups.py needs PostgreSQL: set DATABASE_URL=postgres://... to a database of "
            "its own (it refuses SQLite, whose figures would mean nothing for production)."
        )


def timed(fn, repeat: int = 3) -> float:
    """Median wall time of `repeat` runs, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(seed: int) -> dict:
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from funding import rollup_sql, services  # after django.setup(): a script
    from funding.models import Contribution  # after django.setup(): a script
    from plans.models import Plan  # after django.setup(): a script

    result: dict = {}
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM funding_contribution")
        result["contributions"] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM plans_plan")
        result["plans"] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM interventions_intervention")
        result["interventions"] = cursor.fetchone()[0]

    def floor() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(rollup_sql.floor_sql())
            while cursor.fetchmany(10_000):
                pass

    def full() -> None:
        with transaction.atomic():
            rollup_sql.full_recompute(now=timezone.now())

    floor()  # warm the caches once, so floor and recompute start alike
    result["floor_s"] = timed(floor)

    cold_times = []
    for _ in range(3):
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(ROLLUP_TABLES)}")
        started = time.perf_counter()
        full()
        cold_times.append(time.perf_counter() - started)
    result["full_cold_s"] = statistics.median(cold_times)
    result["full_warm_s"] = timed(full)

    tracemalloc.start()
    full()
    result["full_tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    result["groups_s"] = timed(services.group_rollups_recompute, repeat=1)

    # One plan of median size, after an edit of one of its contributions.
    plans = list(
        Plan.objects.filter(slug__startswith=f"synthetic-{seed}-")
        .annotate(n=Count("contributions"))
        .order_by("n", "pk")
        .values_list("pk", "n")
    )
    plan_id, plan_contributions = plans[len(plans) // 2]
    contribution = Contribution.objects.filter(plan_id=plan_id).exclude(intervention=None).first()
    times, queries = [], []
    for n in range(5):
        Contribution.objects.filter(pk=contribution.pk).update(
            amount_usd=contribution.amount_usd + n + 1
        )
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            services.plan_rollup_recompute(plan_id=plan_id)
            times.append(time.perf_counter() - started)
        queries.append(len(captured))
    Contribution.objects.filter(pk=contribution.pk).update(amount_usd=contribution.amount_usd)
    services.plan_rollup_recompute(plan_id=plan_id)
    result["one_plan_ms"] = statistics.median(times) * 1000
    result["one_plan_queries"] = max(queries)
    result["one_plan_contributions"] = plan_contributions
    result["ru_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def seed_stage(args, stage: int, count: int) -> None:
    from funding import synthetic  # after django.setup(): a script

    started = time.perf_counter()
    if stage == 0:
        synthetic.seed(
            plans=args.plans,
            contributions=count,
            seed=args.seed,
            interventions_per_plan=args.interventions_per_plan,
        )
    else:
        synthetic.add_contributions(seed=args.seed, contributions=count, salt=stage)
    print(f"  seeded {count:,} contributions in {time.perf_counter() - started:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--interventions-per-plan", type=int, default=100)
    parser.add_argument("--contributions", type=int, default=1_000_000)
    parser.add_argument("--stages", type=int, default=4, help="measure after each of N steps")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="measure the data already there")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    setup()
    if args.measure:
        print(json.dumps(measure(args.seed)))
        return

    from plans.models import Plan  # after django.setup(): a script

    if not args.reuse and Plan.objects.filter(slug__startswith=f"synthetic-{args.seed}-").exists():
        sys.exit(f"Synthetic data of seed {args.seed} is there already: --reuse it or --seed N.")
    rows = []
    stages = 1 if args.reuse else max(1, args.stages)
    per_stage = args.contributions // stages
    for stage in range(stages):
        if not args.reuse:
            count = per_stage if stage < stages - 1 else args.contributions - per_stage * stage
            seed_stage(args, stage, count)
        output = subprocess.run(
            [sys.executable, __file__, "--measure", "--seed", str(args.seed)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        row = json.loads(output.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"  {row['contributions']:>9,} contributions: full cold "
            f"{row['full_cold_s']:.2f} s, warm {row['full_warm_s']:.2f} s, floor "
            f"{row['floor_s']:.2f} s; one plan {row['one_plan_ms']:.1f} ms",
            flush=True,
        )
    report(rows)


def report(rows: list[dict]) -> None:
    last = rows[-1]
    print()
    print(
        f"Data: {last['plans']:,} plans, {last['interventions']:,} interventions, "
        f"{last['contributions']:,} contributions (PostgreSQL)"
    )
    print("(a) full recompute of every plan's rollups vs one raw SELECT of the same totals")
    for name in ("cold", "warm"):
        ratio = last[f"full_{name}_s"] / last["floor_s"]
        verdict = "meets" if ratio <= 2 else "MISSES"
        print(
            f"    {name:4}: {last[f'full_{name}_s']:.2f} s vs floor {last['floor_s']:.2f} s "
            f"= {ratio:.2f}x  ({verdict} the 2x target)"
        )
    print(f"    group rollups (6 dimensions, published plans): {last['groups_s']:.2f} s")
    print("(b) one plan's recompute after an edit")
    verdict = "meets" if last["one_plan_ms"] <= 50 else "MISSES"
    queries = sorted({r["one_plan_queries"] for r in rows})
    print(
        f"    {last['one_plan_ms']:.1f} ms ({verdict} the 50 ms target), "
        f"{last['one_plan_queries']} queries, plan with {last['one_plan_contributions']:,} "
        f"contributions; query counts across sizes: {queries}"
    )
    print("(c) peak memory of the measuring process as contributions grow")
    for r in rows:
        print(
            f"    {r['contributions']:>9,} contributions: ru_maxrss {r['ru_maxrss_mb']:.0f} MB, "
            f"tracemalloc peak during full recompute {r['full_tracemalloc_peak_mb']:.2f} MB"
        )


if __name__ == "__main__":
    main()
