"""Rollup triggers, coalescing marks, group coverage, sweep, audit and commands (tasks inline)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funding import selectors, services, tasks
from funding.models import (
    Contribution,
    Currency,
    ExchangeRate,
    GroupRollup,
    InterventionRollup,
    ObjectiveRollup,
    PlanRollup,
    PlanYearRollup,
    RollupDiscrepancy,
)
from funding.tests.factories import ContributionFactory, ExchangeRateFactory, RequirementFactory
from interventions.tests.factories import InterventionFactory
from objectives.tests.factories import ObjectiveFactory
from plans.models import Plan
from plans.tests.factories import PlanFactory

D = Decimal


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit():` runs the block's on-commit hooks (enqueues: inline here) at its end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def rollup(plan: Plan) -> PlanRollup:
    return PlanRollup.objects.get(plan=plan)


def costed_plan(amount: str = "1000.00", **kwargs) -> Plan:
    requirement = RequirementFactory(
        intervention__objective__plan=PlanFactory(**kwargs), amount_usd=D(amount)
    )
    plan = requirement.intervention.objective.plan
    services.plan_rollup_recompute(plan_id=plan.pk)
    services.group_rollups_recompute()
    return plan


def test_contribution_and_requirement_edits_update_the_stored_rollup(db, commit):
    plan = costed_plan("1000.00")
    with commit():
        contribution = ContributionFactory(plan=plan, amount=D("250.00"))
    assert (rollup(plan).required_usd, rollup(plan).received_usd) == (D("1000.00"), D("250.00"))
    assert rollup(plan).coverage_percent == D("25.00")

    requirement = plan.objectives.get().interventions.get().requirements.get()
    requirement.amount_usd = D("500.00")
    with commit():
        requirement.save()
    assert rollup(plan).coverage_percent == D("50.00")

    with commit():
        services.contribution_delete(contribution=contribution)
    assert rollup(plan).received_usd == D("0.00")
    with commit():
        requirement.delete()
    assert rollup(plan).required_usd is None  # not yet costed, never 0
    assert rollup(plan).gap_usd is None
    plan.refresh_from_db()
    assert plan.rollup_dirty_since is None
    assert plan.funding_updated_at is not None


def test_only_the_edit_that_turns_a_plan_dirty_enqueues(
    db, settings, django_capture_on_commit_callbacks
):
    plan = costed_plan(status=Plan.Status.DRAFT)  # a draft: no group rollups to refresh
    with django_capture_on_commit_callbacks() as callbacks:
        for _ in range(5):
            services.plan_mark_dirty(plan_id=plan.pk)
    assert len(callbacks) == 1  # one recompute for the burst; the plan is dirty meanwhile
    plan.refresh_from_db()
    assert plan.rollup_dirty_since is not None


def test_recompute_with_nothing_changed_writes_nothing(db, commit):
    plan = costed_plan()
    with commit():
        ContributionFactory(plan=plan)
    computed_at = rollup(plan).computed_at
    assert services.plan_rollup_recompute(plan_id=plan.pk) is False
    assert rollup(plan).computed_at == computed_at
    with CaptureQueriesContext(connection) as queries:
        services.plan_rollup_recompute(plan_id=plan.pk)
    writes = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    # Only the recompute counter's cache write and no row: the year-rollup DELETE matches none.
    assert all(sql.startswith("DELETE") for sql in writes), writes


def test_one_plan_recompute_query_count_does_not_grow_with_plans(db):
    plan = costed_plan()
    ContributionFactory(plan=plan)

    def count() -> int:
        services.plan_mark_dirty(plan_id=plan.pk)
        with CaptureQueriesContext(connection) as queries:
            services.plan_rollup_recompute(plan_id=plan.pk)
        return len(queries)

    count()  # the first recompute writes the new contribution's figures
    before = count()
    for _ in range(5):
        ContributionFactory(plan=costed_plan())
    assert count() == before


def test_correcting_a_contribution_onto_another_plan_updates_both(db, commit):
    first, second = costed_plan(), costed_plan()
    with commit():
        contribution = ContributionFactory(plan=first, amount=D("300.00"))
    assert rollup(first).received_usd == D("300.00")
    with commit():
        services.contribution_record(
            contribution=contribution,
            donor=contribution.donor,
            plan=second,
            amount=D("300.00"),
            currency=contribution.currency,
            status=contribution.status,
            contributed_on=contribution.contributed_on,
        )
    assert rollup(first).received_usd == D("0.00")
    assert rollup(second).received_usd == D("300.00")


def test_intervention_move_takes_its_earmarked_money_and_updates_both_plans(db, commit):
    source = costed_plan("1000.00")
    intervention = source.objectives.get().interventions.get()
    with commit():
        ContributionFactory(plan=source, intervention=intervention, amount=D("400.00"))
        ContributionFactory(plan=source, amount=D("100.00"))  # unearmarked: stays
        target_objective = ObjectiveFactory(plan=PlanFactory())

    with commit():
        services.intervention_move(intervention=intervention, objective=target_objective)

    moved = Contribution.objects.get(intervention=intervention)
    assert (moved.plan_id, moved.objective_id) == (target_objective.plan_id, target_objective.pk)
    assert (rollup(source).required_usd, rollup(source).received_usd) == (None, D("100.00"))
    target = rollup(target_objective.plan)
    assert (target.required_usd, target.received_usd) == (D("1000.00"), D("400.00"))
    assert ObjectiveRollup.objects.get(objective=target_objective).received_usd == D("400.00")
    assert InterventionRollup.objects.get(intervention=intervention).coverage_percent == D("40.00")


def test_intervention_move_refuses_requirements_outside_the_new_period(db):
    source = costed_plan()  # 2020
    intervention = source.objectives.get().interventions.get()
    later = ObjectiveFactory(plan=PlanFactory(start_year=2023, end_year=2024))
    with pytest.raises(ValidationError, match="is outside the plan's period"):
        services.intervention_move(intervention=intervention, objective=later)
    intervention.refresh_from_db()
    assert intervention.objective.plan_id == source.pk


def test_exchange_rate_edit_changes_no_recorded_contribution(db, commit):
    """DESIGN: the USD amount is fixed when recorded; a later rate edit re-marks no plan."""
    rate = ExchangeRateFactory()  # CHF 0.999 from 2020-01-01
    plan = costed_plan("2000000.00")
    with commit():
        ContributionFactory(
            plan=plan, amount=D("1000000.00"), currency=Currency.objects.get(code="CHF")
        )
    assert rollup(plan).received_usd == D("1001001.00")
    rate.units_per_usd = D("0.5")
    with commit():
        rate.save()
    ExchangeRate.objects.create(
        currency_id="CHF", rate_on=datetime.date(2020, 2, 1), units_per_usd=2
    )
    plan.refresh_from_db()
    assert plan.rollup_dirty_since is None
    assert Contribution.objects.get(plan=plan).amount_usd == D("1001001.00")
    assert rollup(plan).received_usd == D("1001001.00")


def test_publishing_and_unpublishing_refresh_group_rollups(db, commit):
    plan = costed_plan("1000.00", status=Plan.Status.DRAFT)
    with commit():
        ContributionFactory(plan=plan, amount=D("100.00"))
    assert not GroupRollup.objects.filter(dimension="country", key="TJK").exists()

    plan.status = Plan.Status.PUBLISHED
    with commit():
        plan.save()
    group = GroupRollup.objects.get(dimension="country", key="TJK")
    assert (group.required_usd, group.received_usd) == (D("1000.00"), D("100.00"))

    plan.status = Plan.Status.ARCHIVED  # a past plan still counts for its years
    with commit():
        plan.save()
    group = GroupRollup.objects.get(dimension="country", key="TJK")
    assert (group.required_usd, group.received_usd) == (D("1000.00"), D("100.00"))

    plan.status = Plan.Status.WITHDRAWN
    with commit():
        plan.save()
    assert not GroupRollup.objects.filter(dimension="country", key="TJK").exists()
    assert not services.group_rollups_are_stale()


def test_group_coverage_leaves_out_money_of_uncosted_plans(db, commit):
    costed = costed_plan("100.00")
    with commit():
        uncosted = PlanFactory()  # TJK too, no requirement: "not yet costed"
        ContributionFactory(plan=costed, amount=D("50.00"))
        ContributionFactory(plan=uncosted, amount=D("1000.00"))

    group = GroupRollup.objects.get(dimension="country", key="TJK")
    assert group.required_usd == D("100.00")
    assert group.received_usd == D("1050.00")  # all the money is shown...
    assert group.received_costed_usd == D("50.00")
    assert group.coverage_percent == D("50.00")  # ...but only the costed plan's counts
    assert group.gap_usd == D("50.00")
    fresh = {g.key: g.figures for g in selectors.group_figures("country")}["TJK"]
    assert fresh.coverage_percent == D("50.00")


def test_group_coverage_by_sector_counts_costed_interventions_only(db, commit):
    plan = costed_plan("200.00")
    costed = plan.objectives.get().interventions.get()
    with commit():
        uncosted = InterventionFactory(objective=costed.objective, sector=costed.sector)
        ContributionFactory(plan=plan, intervention=costed, amount=D("50.00"))
        ContributionFactory(plan=plan, intervention=uncosted, amount=D("500.00"))
    group = GroupRollup.objects.get(dimension="sector", key=costed.sector.slug)
    assert (group.received_usd, group.coverage_percent) == (D("550.00"), D("25.00"))


def test_sweep_recomputes_plans_left_dirty(db, commit):
    plan = costed_plan("1000.00")
    with commit():
        ContributionFactory(plan=plan, amount=D("10.00"))
    # As after a save while the broker was down: source changed, plan dirty, nothing queued.
    Contribution.objects.filter(plan=plan).update(amount_usd=D("20.00"))
    Plan.objects.filter(pk=plan.pk).update(
        rollup_dirty_since=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    assert tasks.sweep_dirty_plans.apply().get() == {"plans": 1, "groups": 0, "failed": 0}
    assert rollup(plan).received_usd == D("20.00")
    plan.refresh_from_db()
    assert plan.rollup_dirty_since is None


def test_audit_records_every_difference_and_repairs_it(db, caplog, commit):
    plan = costed_plan("1000.00")
    with commit():
        ContributionFactory(plan=plan, amount=D("10.00"))
    PlanRollup.objects.filter(plan=plan).update(received_usd=D("0.00"))  # a lost trigger
    GroupRollup.objects.filter(dimension="country", key="TJK").delete()

    audit_id = tasks.audit_rollups.apply().get()

    diffs = RollupDiscrepancy.objects.filter(audit_id=audit_id)
    plan_diff = diffs.get(scope="plan")
    assert (plan_diff.field, plan_diff.stored, plan_diff.fresh) == ("received_usd", "0.00", "10.00")
    assert plan_diff.plan_was_dirty is False
    assert diffs.filter(scope="group", scope_key="country=TJK").exists()
    assert rollup(plan).received_usd == D("10.00")
    assert GroupRollup.objects.filter(dimension="country", key="TJK").exists()
    assert any(
        r.levelname == "ERROR" and "on plans not marked dirty" in r.getMessage()
        for r in caplog.records
    )
    # Repaired: the next audit finds nothing.
    assert not RollupDiscrepancy.objects.filter(audit_id=tasks.audit_rollups.apply().get()).exists()


def test_audit_admin_is_read_only(db, superuser, client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from funding import admin_rollups  # noqa: F401  (registers the models, as funding/admin does)

    client.force_login(superuser)
    assert client.get("/admin/funding/rollupaudit/").status_code == 200
    assert client.get("/admin/funding/rollupaudit/add/").status_code == 403


def test_recompute_rollups_command(db, commit):
    plan = costed_plan("1000.00")
    with commit():
        ContributionFactory(plan=plan, amount=D("10.00"))
    PlanRollup.objects.filter(plan=plan).update(received_usd=D("0.00"))
    out = io.StringIO()
    call_command("recompute_rollups", "--plan", plan.slug, stdout=out)
    assert "figures updated" in out.getvalue()
    assert rollup(plan).received_usd == D("10.00")

    PlanYearRollup.objects.filter(plan=plan).delete()
    out = io.StringIO()
    call_command("recompute_rollups", "--all", "--no-progress", stdout=out)
    assert "1 with changed figures" in out.getvalue()
    assert PlanYearRollup.objects.filter(plan=plan, year=2020).exists()

    with pytest.raises(CommandError, match="No plan"):
        call_command("recompute_rollups", "--plan", "no-such-plan")


def _fingerprint() -> list:
    return sorted(
        PlanRollup.objects.filter(plan__slug__startswith="synthetic-").values_list(
            "plan__slug", "required_usd", "received_usd", "pledged_usd"
        )
    )


def test_seed_synthetic_is_reproducible_and_consistent(db):
    args = ["--plans", "4", "--contributions", "300", "--seed", "5"]
    call_command(
        "seed_synthetic",
        *args,
        "--interventions-per-plan",
        "6",
        "--no-progress",
        stdout=io.StringIO(),
    )
    first = _fingerprint()
    assert len(first) == 4
    assert Contribution.objects.count() == 300
    assert Contribution.objects.values("currency").distinct().count() > 2
    assert Contribution.objects.values("status").distinct().count() == 3
    with pytest.raises(CommandError, match="already exist"):
        call_command("seed_synthetic", *args, "--no-progress", stdout=io.StringIO())
    # Every contribution's USD amount follows the rate stored on it (DESIGN's rule).
    for c in Contribution.objects.all()[:50]:
        assert c.amount_usd == services.usd_amount(amount=c.amount, units_per_usd=c.units_per_usd)
    assert services.rollups_audit().discrepancy_count == 0

    Contribution.objects.all().delete()
    Plan.objects.filter(slug__startswith="synthetic-").delete()
    call_command(
        "seed_synthetic",
        *args,
        "--interventions-per-plan",
        "6",
        "--no-progress",
        stdout=io.StringIO(),
    )
    assert _fingerprint() == first


def test_full_set_based_recompute_matches_the_per_plan_path(db, on_postgres):
    from funding import synthetic

    synthetic.seed(plans=6, contributions=2000, seed=11, interventions_per_plan=8)
    for plan_id in Plan.objects.values_list("pk", flat=True):
        services.plan_rollup_recompute(plan_id=plan_id)
    assert services.plans_rollup_recompute_all()["changed"] == 0  # both paths agree exactly

    InterventionRollup.objects.update(received_usd=D("1.00"))
    PlanYearRollup.objects.create(
        plan=Plan.objects.first(),
        year=1999,
        received_usd=D("5.00"),
        computed_at=rollup(Plan.objects.first()).computed_at,
    )
    counts = services.plans_rollup_recompute_all()
    assert counts["changed"] > 0
    assert not PlanYearRollup.objects.filter(year=1999).exists()
    audit = services.rollups_audit()
    assert audit.discrepancy_count == 0


def test_rollup_benchmark_refuses_sqlite():
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "bench" / "rollups.py"
    env = {**os.environ, "DATABASE_URL": "sqlite:///:memory:"}
    done = subprocess.run(
        [sys.executable, str(script), "--plans", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "needs PostgreSQL" in done.stderr
