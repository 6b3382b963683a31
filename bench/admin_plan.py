"""The plan admin page at real scale (issue #13, item 1): a plan of 150 interventions with 3
activities and 2 yearly requirements each, opened and saved (unchanged) in process with
Django's test client, on the plan page as it is (interventions listed and linked) against the
baseline measured in the same run: the same page with every intervention, activity and
requirement nested in the form, as before.

Usage (PostgreSQL; the bench plan is made once and reused):

    DATABASE_URL=postgres://.../crp_bench_admin python bench/admin_plan.py [--runs 5]
        [--interventions 150]

Prints, per layout: the fields the form posts, the page's size, median open and save times and
their query counts, and the ratios now / before. Before, the save is refused at Django's field
limit (TooManyFieldsSent); it is measured with the limit lifted, to have a figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crp_portal.settings")


def setup_django() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        sys.exit("bench/admin_plan.py needs PostgreSQL: set DATABASE_URL")
    call_command("migrate", verbosity=0, interactive=False)


def bench_plan(interventions: int):
    """The bench plan (made once): 4 objectives, `interventions` interventions with 3 activities
    and 2 yearly requirements each; and an administrator."""
    from django.contrib.auth import get_user_model

    from funding import services
    from funding.models import Requirement
    from interventions.models import Activity, Intervention, Sector
    from objectives.models import Objective, StrategicObjective
    from plans.models import Country, Plan

    slug = f"bench-admin-{interventions}"
    admin = get_user_model().objects.filter(username="bench-admin").first()
    if admin is None:
        admin = get_user_model().objects.create_superuser("bench-admin", "bench@example.org", "x")
    plan = Plan.objects.filter(slug=slug).first()
    if plan is not None:
        return plan, admin
    print(f"making {slug} ...", flush=True)
    plan = Plan.objects.create(
        slug=slug, title=f"Bench plan of {interventions} interventions", start_year=2024,
        end_year=2025,
    )  # fmt: skip
    plan.countries.set([Country.objects.get(iso3="TJK")])
    sos = list(StrategicObjective.objects.order_by("number")[:4])
    objectives = [Objective.objects.create(plan=plan, strategic_objective=so) for so in sos]
    sectors = list(Sector.objects.all()[:10])
    made = Intervention.objects.bulk_create(
        Intervention(
            objective=objectives[n % 4], title=f"Intervention {n}", position=n + 1,
            sector=sectors[n % len(sectors)],
        )
        for n in range(interventions)
    )  # fmt: skip
    Activity.objects.bulk_create(
        Activity(intervention=i, position=p, text=f"Activity {p} of {i.title}")
        for i in made
        for p in range(3)
    )
    Requirement.objects.bulk_create(
        Requirement(intervention=i, year=year, amount_usd=1000 + n)
        for n, i in enumerate(made)
        for year in (2024, 2025)
    )
    services.plan_rollup_recompute(plan_id=plan.pk)
    return plan, admin


def before_site():
    """The plan page as it was: every intervention nested under its objective, in the form."""
    from django.contrib.admin import AdminSite

    from plans.admin import PlanAdmin
    from plans.admin_inlines import InterventionInline, ObjectiveInline
    from plans.models import Plan

    class NestedObjectiveInline(ObjectiveInline):
        inlines = [InterventionInline]
        readonly_fields = ["funding"]
        fields = [f for f in ObjectiveInline.fields if f != "interventions_list"]

    class BeforePlanAdmin(PlanAdmin):
        inlines = [
            NestedObjectiveInline if inline is ObjectiveInline else inline
            for inline in PlanAdmin.inlines
        ]

    site = AdminSite(name="before")
    site.register(Plan, BeforePlanAdmin)
    return site


def bench_urls(site):
    from django.urls import include, path

    from crp_portal import urls as project

    module = types.ModuleType("bench_admin_urls")
    module.urlpatterns = [path("before/", site.urls), path("", include(project))]
    sys.modules["bench_admin_urls"] = module
    return "bench_admin_urls"


def measure(client, url: str, runs: int, *, lift_limit: bool) -> dict:
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    from crp_portal.tests.forms import form_data

    opens, saves, open_queries, save_queries = [], [], 0, 0
    fields = size = 0
    for _ in range(runs):
        connection.queries_log.clear()  # its window is 9,000 queries: the old save needs more
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url, secure=True)
        opens.append(time.perf_counter() - started)
        assert page.status_code == 200, page.status_code
        open_queries, size = len(queries), len(page.content)
        data = form_data(page.content.decode(), "plan_form")
        fields = sum(len(v) for v in data.values())
        limit = None if lift_limit else 1000
        with override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=limit):
            connection.queries_log.clear()
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                saved = client.post(url, data, secure=True)
            saves.append(time.perf_counter() - started)
        assert saved.status_code == 302, (saved.status_code, saved.content[:500])
        save_queries = len(queries)
    return {
        "fields": fields,
        "kb": size / 1024,
        "open_ms": statistics.median(opens) * 1000,
        "open_queries": open_queries,
        "save_ms": statistics.median(saves) * 1000,
        "save_queries": save_queries,
    }


def refused_at_the_default_limit(client, url: str) -> int:
    from crp_portal.tests.forms import form_data

    data = form_data(client.get(url, secure=True).content.decode(), "plan_form")
    return client.post(url, data, secure=True).status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--interventions", type=int, default=150)
    args = parser.parse_args()
    setup_django()
    from django.test import Client, override_settings
    from django.urls import reverse

    plan, admin = bench_plan(args.interventions)
    site = before_site()
    from django.conf import settings

    # Plain static storage: the manifest exists only after collectstatic (a deployment step).
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    storages = {**settings.STORAGES, "staticfiles": plain}
    with override_settings(ROOT_URLCONF=bench_urls(site), ALLOWED_HOSTS=["*"], STORAGES=storages):
        client = Client()
        client.force_login(admin)
        now_url = reverse("admin:plans_plan_change", args=[plan.pk])
        before_url = reverse("before:plans_plan_change", args=[plan.pk])
        status = refused_at_the_default_limit(client, before_url)
        before = measure(client, before_url, args.runs, lift_limit=True)
        now = measure(client, now_url, args.runs, lift_limit=False)
    print(f"\nPlan admin page, {args.interventions} interventions (3 activities, 2 requirements "
          f"each), medians of {args.runs}, in process:")  # fmt: skip
    print(f"before: the save at Django's field limit answers {status} (TooManyFieldsSent)\n")
    print("| layout | fields posted | page | open | open queries | save | save queries |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, row in (("before (nested)", before), ("now (listed)", now)):
        print(
            f"| {name} | {row['fields']:,} | {row['kb']:,.0f} KB | {row['open_ms']:,.0f} ms | "
            f"{row['open_queries']} | {row['save_ms']:,.0f} ms | {row['save_queries']} |"
        )
    print(
        f"\nnow / before: open {now['open_ms'] / before['open_ms']:.2f}x, "
        f"save {now['save_ms'] / before['save_ms']:.2f}x (target: open under 1 s)"
    )


if __name__ == "__main__":
    main()
