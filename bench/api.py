"""Partner API benchmark (issue 4): Django + DRF against a raw-SQL floor, then gunicorn under load.

Usage (PostgreSQL; the database is filled with synthetic plans when it has fewer than --plans):

    DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/api.py [--plans 300]
        [--runs 40] [--duration 30] [--connections 16] [--port 8740]

1. p50 of GET /api/v1/plans/?page_size=100 and of one nested plan detail, in process (Django test
   client, no network), each against the floor of raw SQL returning the same fields plus
   json.dumps; printed as ratios (target <= 1.5x).
2. gunicorn (2 workers) on 127.0.0.1:PORT under a closed-loop load of N connections (threads with
   keep-alive) for D seconds over a mix of list and detail URLs: requests/s, p50, p95, errors
   (target p95 <= 200 ms, 0 errors).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crp_portal.settings")


def setup_django():
    import django

    django.setup()
    from django.conf import settings

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        sys.exit("bench/api.py needs PostgreSQL: set DATABASE_URL")
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def seed(n_plans: int, interventions_per_plan: int, seed_number: int) -> None:
    """seed_synthetic data (funding.synthetic), unless the database already has enough plans."""
    from funding import services, synthetic  # after django.setup(): a script
    from plans.models import Plan  # after django.setup(): a script

    existing = Plan.objects.filter(slug__startswith="synthetic-").count()
    if existing >= n_plans:
        return
    print(f"seed_synthetic: {n_plans} plans ...", flush=True)
    synthetic.seed(
        plans=n_plans,
        contributions=n_plans * 100,
        seed=seed_number,
        interventions_per_plan=interventions_per_plan,
    )
    services.plans_rollup_recompute_all()
    services.group_rollups_recompute()


# --- In-process: DRF vs the raw-SQL floor --------------------------------------------------

LIST_SQL = """
SELECT p.slug, p.title, p.kind, p.status, p.start_year, p.end_year, p.vision_statement,
       p.published_at, p.updated_at, p.funding_updated_at,
       r.required_usd, r.received_usd, r.pledged_usd, r.gap_usd, r.coverage_percent,
       (SELECT json_agg(json_build_object('code', c.iso3, 'name', c.name) ORDER BY c.name)
          FROM plans_plan_countries pc JOIN plans_country c ON c.id = pc.country_id
         WHERE pc.plan_id = p.id) AS countries
  FROM plans_plan p LEFT JOIN funding_planrollup r ON r.plan_id = p.id
 WHERE p.status = 'published'
 ORDER BY p.start_year DESC, p.slug LIMIT 100
"""


def _money(v):
    return None if v is None else f"{v:.2f}"


def floor_list() -> bytes:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM plans_plan WHERE status = 'published'")
        count = cursor.fetchone()[0]
        cursor.execute(LIST_SQL)
        cols = [c[0] for c in cursor.description]
        rows = []
        for row in cursor.fetchall():
            d = dict(zip(cols, row, strict=True))
            for k in ("required_usd", "received_usd", "pledged_usd", "gap_usd", "coverage_percent"):
                d[k] = _money(d[k])
            for k in ("published_at", "updated_at", "funding_updated_at"):
                d[k] = d[k].isoformat() if d[k] else None
            d["countries"] = (
                json.loads(d["countries"]) if isinstance(d["countries"], str) else d["countries"]
            )
            rows.append(d)
    return json.dumps({"count": count, "results": rows}).encode()


def floor_detail(slug: str) -> bytes:
    """The same nested fields as the plan detail, one raw query per level."""
    from django.db import connection

    def fetch(sql, params):
        cursor.execute(sql, params)
        cols = [c[0] for c in cursor.description]
        return [dict(zip(cols, r, strict=True)) for r in cursor.fetchall()]

    def clean(d):
        return {
            k: (
                _money(v)
                if isinstance(v, Decimal)
                else v.isoformat()
                if hasattr(v, "isoformat")
                else v
            )
            for k, v in d.items()
        }

    with connection.cursor() as cursor:
        plan = fetch(
            "SELECT p.*, r.required_usd, r.received_usd, r.pledged_usd, r.gap_usd, r.coverage_percent "
            "FROM plans_plan p LEFT JOIN funding_planrollup r ON r.plan_id = p.id WHERE p.slug = %s",
            [slug],
        )[0]
        pid = plan["id"]
        plan["countries"] = fetch(
            "SELECT c.iso3 AS code, c.name FROM plans_plan_countries pc JOIN plans_country c ON c.id = pc.country_id WHERE pc.plan_id = %s",
            [pid],
        )
        years = fetch(
            "SELECT y.year, y.people_in_need, y.people_targeted, y.entities_targeted FROM plans_planyear y WHERE y.plan_id = %s ORDER BY y.year",
            [pid],
        )
        yr = {
            r["year"]: r
            for r in fetch("SELECT * FROM funding_planyearrollup WHERE plan_id = %s", [pid])
        }
        plan["years"] = [
            clean(
                {
                    **y,
                    **{
                        k: yr.get(y["year"], {}).get(k)
                        for k in (
                            "required_usd",
                            "received_usd",
                            "pledged_usd",
                            "gap_usd",
                            "coverage_percent",
                        )
                    },
                }
            )
            for y in years
        ]
        objectives = fetch(
            "SELECT o.id, o.people_description, o.narrative, o.people_targeted, o.entities_targeted, o.updated_at, "
            "so.number, so.title, r.required_usd, r.received_usd, r.pledged_usd, r.gap_usd, r.coverage_percent "
            "FROM objectives_objective o JOIN objectives_strategicobjective so ON so.id = o.strategic_objective_id "
            "LEFT JOIN funding_objectiverollup r ON r.objective_id = o.id WHERE o.plan_id = %s ORDER BY so.number",
            [pid],
        )
        oids = [o["id"] for o in objectives] or [0]
        groups = fetch(
            "SELECT ot.objective_id, t.slug, t.name FROM objectives_objective_target_groups ot JOIN objectives_targetgroup t ON t.id = ot.targetgroup_id WHERE ot.objective_id = ANY(%s)",
            [oids],
        )
        interventions = fetch(
            "SELECT i.id, i.objective_id, i.position, i.title, i.narrative, i.people_targeted, i.updated_at, "
            "s.slug AS sector_slug, s.name AS sector_name, r.required_usd, r.received_usd, r.pledged_usd, r.gap_usd, r.coverage_percent "
            "FROM interventions_intervention i LEFT JOIN interventions_sector s ON s.id = i.sector_id "
            "LEFT JOIN funding_interventionrollup r ON r.intervention_id = i.id WHERE i.objective_id = ANY(%s) ORDER BY i.position, i.id",
            [oids],
        )
        iids = [i["id"] for i in interventions] or [0]
        types = fetch(
            "SELECT it.intervention_id, t.slug, t.name FROM interventions_intervention_plan_types it JOIN interventions_plantype t ON t.id = it.plantype_id WHERE it.intervention_id = ANY(%s)",
            [iids],
        )
        acts = fetch(
            "SELECT id, intervention_id, position, text FROM interventions_activity WHERE intervention_id = ANY(%s) ORDER BY position, id",
            [iids],
        )
        reqs = fetch(
            "SELECT intervention_id, year, amount_usd FROM funding_requirement WHERE intervention_id = ANY(%s) ORDER BY year",
            [iids],
        )
        plan["operational_presence"] = [
            clean(p)
            for p in fetch(
                "SELECT c.iso3, c.name, p.international_staff, p.national_staff, p.field_offices, p.as_of_on, p.as_of_precision FROM plans_operationalpresence p JOIN plans_country c ON c.id = p.country_id WHERE p.plan_id = %s",
                [pid],
            )
        ]
    by = {}
    for a in acts:
        by.setdefault(("a", a["intervention_id"]), []).append(clean(a))
    for r in reqs:
        by.setdefault(("r", r["intervention_id"]), []).append(clean(r))
    for t in types:
        by.setdefault(("t", t["intervention_id"]), []).append(t)
    for g in groups:
        by.setdefault(("g", g["objective_id"]), []).append(g)
    for i in interventions:
        i.update(
            activities=by.get(("a", i["id"]), []),
            requirements=by.get(("r", i["id"]), []),
            plan_types=by.get(("t", i["id"]), []),
        )
        by.setdefault(("i", i["objective_id"]), []).append(clean(i))
    for o in objectives:
        o.update(target_groups=by.get(("g", o["id"]), []), interventions=by.get(("i", o["id"]), []))
    plan["objectives"] = [
        clean({k: v for k, v in o.items() if k not in ("target_groups", "interventions")})
        | {"target_groups": o["target_groups"], "interventions": o["interventions"]}
        for o in objectives
    ]
    return json.dumps(
        clean({k: v for k, v in plan.items() if not isinstance(v, list)})
        | {k: v for k, v in plan.items() if isinstance(v, list)}
    ).encode()


def p50(fn, runs: int) -> float:
    fn()  # warm up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_p50(fn, floor, runs: int) -> tuple[float, float]:
    """p50 of both, run alternately so that both see the same machine load."""
    fn(), floor()  # warm up
    a, b = [], []
    for _ in range(runs):
        for f, times in ((fn, a), (floor, b)):
            start = time.perf_counter()
            f()
            times.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b)


def in_process(runs: int, slug: str) -> None:
    from django.conf import settings
    from django.test import Client

    # Many requests from one client in a few seconds: lift the limits; the load run keeps the
    # limiter in the path (with a limit it cannot reach) to count its cost.
    settings.API_THROTTLE_RATES = {"anon": None, "partner": None}
    # The work of rendering an answer, not the shared cache of anonymous answers.
    settings.API_ANSWER_CACHE = False

    client = Client()

    def api(url):
        def go():
            response = client.get(url, secure=True)  # production settings: HTTPS only
            assert response.status_code == 200, response.status_code
            return response.content

        return go

    cases = [
        ("GET /api/v1/plans/?page_size=100", api("/api/v1/plans/?page_size=100"), floor_list),
        (f"GET /api/v1/plans/{slug}/", api(f"/api/v1/plans/{slug}/"), lambda: floor_detail(slug)),
    ]
    print(f"\n== In process (Django test client), p50 of {runs} runs")
    for name, fn, floor in cases:
        api_s, floor_s = interleaved_p50(fn, floor, runs)
        print(
            f"{name:45s} api {api_s * 1000:7.1f} ms   raw SQL + json.dumps {floor_s * 1000:6.1f} ms   ratio {api_s / floor_s:5.2f}x"
        )


# --- gunicorn under load -------------------------------------------------------------------


PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def load(port: int, duration: float, connections: int, slugs: list[str], cache: bool) -> None:
    env = {
        **os.environ,
        "DEBUG": "false",
        "API_ANSWER_CACHE": "true" if cache else "false",
        # As behind the TLS-terminating proxy of production: requests say they came as HTTPS.
        "SECURE_PROXY_SSL_HEADER": "true",
        "API_THROTTLE_ANON": "10000000/min",  # the load is one IP; measure the API, not the limit
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "crp_portal.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--access-logfile",
            "-" if False else "/dev/null",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/api/v1/regions/", headers=PROXY_HEADERS)
                c.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        urls = [
            "/api/v1/plans/?page_size=100",
            "/api/v1/plans/?page_size=20&country=PAK",
            "/api/v1/contributions/?page_size=50",
            "/api/v1/funding/summary/?group_by=country",
            "/api/v1/interventions/?page_size=50",
        ] + [f"/api/v1/plans/{s}/" for s in slugs[:20]]
        latencies: list[float] = []
        errors = [0]
        lock = threading.Lock()
        stop = time.monotonic() + duration

        def worker(seed: int):
            rng = random.Random(seed)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            mine, bad = [], 0
            while time.monotonic() < stop:
                url = rng.choice(urls)
                start = time.perf_counter()
                try:
                    conn.request("GET", url, headers=PROXY_HEADERS)
                    response = conn.getresponse()
                    response.read()
                    if response.status != 200:
                        bad += 1
                except (OSError, http.client.HTTPException):
                    bad += 1
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                mine.append(time.perf_counter() - start)
            with lock:
                latencies.extend(mine)
                errors[0] += bad

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - began
        latencies.sort()
        q = statistics.quantiles(latencies, n=100)
        print(
            f"\n== gunicorn, 2 workers, 127.0.0.1:{port}, {connections} connections, {duration:.0f} s, "
            f"answer cache {'on (production)' if cache else 'off (every answer rendered)'}"
        )
        print(
            f"requests {len(latencies)}   requests/s {len(latencies) / elapsed:.1f}   "
            f"p50 {q[49] * 1000:.1f} ms   p95 {q[94] * 1000:.1f} ms   errors {errors[0]}"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plans", type=int, default=300)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8740)
    parser.add_argument("--interventions-per-plan", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()
    setup_django()
    seed(args.plans, args.interventions_per_plan, args.seed)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics after bulk inserts
    from plans.models import Plan  # after django.setup(): a script

    published = Plan.objects.filter(slug__startswith="synthetic-", status=Plan.Status.PUBLISHED)
    slugs = list(published.order_by("slug").values_list("slug", flat=True)[:50])
    from interventions.models import Intervention  # after django.setup(): a script

    detail = slugs[0]
    size = Intervention.objects.filter(objective__plan__slug=detail).count()
    print(
        f"data: {Plan.objects.count()} plans, {Intervention.objects.count()} interventions; "
        f"the detail measured ({detail}) has {size} interventions"
    )
    in_process(args.runs, detail)
    if not args.skip_load:
        for cache in (True, False):
            load(args.port, args.duration, args.connections, slugs, cache)


if __name__ == "__main__":
    main()
