"""Public pages benchmark: queries and render time per page, uncached vs from the page cache.

Usage (a scratch database; everything it writes is rolled back):
    DATABASE_URL=postgres://... REDIS_URL=redis://.../N .venv/bin/python bench/public_pages.py --plans 200

Prints, for each page, the SQL queries of an uncached render, the median uncached and cached
times, and the ratio uncached / cached (the baseline is the uncached render).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crp_portal.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from crp_portal import pagecache  # noqa: E402

PAGES = [
    "/",
    "/plans/",
    "/plans/?region=asia-and-the-pacific&sort=coverage",
    "/plans/?format=csv",
    "/funding/",
    "/funding/?country=TJK",
]


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    from plans.tests.public_data import many_plans  # after django.setup(): a script

    storage = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    try:
        with (
            transaction.atomic(),
            override_settings(
                STORAGES={"default": storage, "staticfiles": storage}, ALLOWED_HOSTS=["testserver"]
            ),
        ):
            plans = many_plans(args.plans)
            pages = [*PAGES, f"/plans/{plans[0].slug}/"]
            client = Client()
            print(f"{args.plans} published plans, {args.repeat} runs each (median)")
            print(f"{'page':55} {'queries':>7} {'uncached ms':>12} {'cached ms':>10} {'ratio':>7}")
            for url in pages:
                cold, warm = [], []
                for _ in range(args.repeat):
                    pagecache.pages_bump()
                    with CaptureQueriesContext(connection) as queries:
                        start = time.perf_counter()
                        assert client.get(url).status_code == 200
                        cold.append(time.perf_counter() - start)
                    count = len(queries)  # before the next request resets the query log
                    start = time.perf_counter()
                    assert client.get(url)["X-Page-Cache"] == "hit"
                    warm.append(time.perf_counter() - start)
                c, w = statistics.median(cold) * 1000, statistics.median(warm) * 1000
                print(f"{url:55} {count:>7} {c:>12.1f} {w:>10.2f} {c / w:>6.0f}x")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
