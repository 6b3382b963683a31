"""One bad figure never freezes the rest (issue 11, item 3).

Figures that cannot be stored are refused at the write, naming the limit; coverage is stored
whatever ratio bounded figures give; and a plan (or group) whose recompute still fails (rows
written before the bounds, or by SQL) is recorded, logged and retried while every other plan and
group is recomputed. Overflow is a PostgreSQL DataError (SQLite does not overflow, and keeps
decimals as floats that cannot hold amounts near the bound), so those tests run on PostgreSQL.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

import pytest
from django.db import connection

from funding import selectors, services, tasks
from funding.models import (
    MAX_MONEY_USD,
    Contribution,
    GroupRollup,
    GroupRollupState,
    PlanRollup,
    Requirement,
)
from funding.tests.factories import ContributionFactory, DonorFactory, RequirementFactory
from plans.models import Plan
from plans.tests.factories import PlanFactory, Role, UserFactory, assign

D = Decimal
MOST = "99,999,999,999,999.99"
LONG_AGO = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    user = UserFactory(username="officer-tjk")
    assign(user, Role.FUNDING_OFFICER, "TJK")
    return user


def costed(amount: str = "1000.00", **plan) -> Requirement:
    requirement = RequirementFactory(
        intervention__objective__plan=PlanFactory(**plan), amount_usd=D(amount)
    )
    services.plan_rollup_recompute(plan_id=requirement.intervention.objective.plan_id)
    return requirement


def patch_requirements(api_client, intervention, rows):
    url = f"/api/v1/interventions/{intervention.pk}/"
    etag = api_client.get(url)["ETag"]
    return api_client.patch(url, {"requirements": rows}, format="json", HTTP_IF_MATCH=etag)


def messages(response) -> str:
    return str(response.json())


# Refused at the write -------------------------------------------------------------------------


@pytest.mark.postgres
def test_requirements_over_a_plans_total_are_refused_naming_the_limit(
    api_client, editor, on_postgres
):
    """The issue's draft with two requirements of 99,999,999,999,999.99: each fits its column,
    their sum does not. Refused with the limit, nothing written."""
    requirement = costed("1000.00", status=Plan.Status.DRAFT, end_year=2021)
    api_client.force_authenticate(editor)
    most = str(MAX_MONEY_USD)
    response = patch_requirements(
        api_client,
        requirement.intervention,
        [{"year": 2020, "amount_usd": most}, {"year": 2021, "amount_usd": most}],
    )
    assert response.status_code == 400, response.content
    assert "requirements" in response.json()
    assert f"a plan's total can be at most {MOST} USD" in messages(response)
    assert "199,999,999,999,999.98" in messages(response)
    assert list(Requirement.objects.values_list("year", "amount_usd")) == [(2020, D("1000.00"))]

    # One maximal requirement is fine; a second intervention of the same plan then is not.
    response = patch_requirements(
        api_client, requirement.intervention, [{"year": 2020, "amount_usd": most}]
    )
    assert response.status_code == 200, response.content
    other = RequirementFactory(
        intervention__objective=requirement.intervention.objective, amount_usd=D("1.00")
    )
    response = patch_requirements(
        api_client, other.intervention, [{"year": 2020, "amount_usd": "0.01"}]
    )
    assert response.status_code == 400, response.content
    assert f"at most {MOST} USD" in messages(response)
    assert Requirement.objects.get(pk=other.pk).amount_usd == D("1.00")


@pytest.mark.postgres
def test_the_admin_refuses_a_plan_total_too_large_in_the_same_words(client, demo, on_postgres):
    """The intervention page's requirement inline goes through requirements_replace: the page is
    shown again with the limit, and nothing is saved."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from crp_portal.tests.forms import form_data

    client.force_login(get_user_model().objects.get(username="editor.tjk"))
    plan = demo["tajikistan-crp-2020"]
    before = sorted(
        Requirement.objects.filter(intervention__objective__plan=plan).values_list(
            "pk", "amount_usd"
        )
    )
    intervention = (
        Requirement.objects.filter(intervention__objective__plan=plan).first().intervention
    )
    url = reverse("admin:interventions_intervention_change", args=[intervention.pk])
    data = form_data(client.get(url).content.decode(), "intervention_form")
    amount_field = next(k for k, v in data.items() if k.endswith("-amount_usd") and v[0])
    data[amount_field] = [str(MAX_MONEY_USD)]  # fits its column; the plan's total no longer does
    response = client.post(url, data)
    assert response.status_code == 200
    assert f"a plan&#x27;s total can be at most {MOST} USD" in response.content.decode()
    after = Requirement.objects.filter(intervention__objective__plan=plan)
    assert sorted(after.values_list("pk", "amount_usd")) == before


def test_an_amount_too_large_to_store_is_refused_in_one_message(api_client, editor):
    requirement = costed("1000.00")
    api_client.force_authenticate(editor)
    response = patch_requirements(
        api_client, requirement.intervention, [{"year": 2020, "amount_usd": "100000000000000.00"}]
    )
    assert response.status_code == 400, response.content
    assert response.json()["requirements"] == {
        "0": {"amount_usd": [f"Give at most {MOST} USD: larger amounts cannot be stored."]}
    }


@pytest.mark.postgres
def test_money_over_a_plans_total_is_refused_naming_the_limit(api_client, officer, on_postgres):
    plan = PlanFactory(slug="tjk")
    ContributionFactory(plan=plan, amount=MAX_MONEY_USD)
    api_client.force_authenticate(officer)
    body = {
        "donor": DonorFactory(name="Switzerland").pk,
        "plan": "tjk",
        "amount": "0.01",
        "currency": "USD",
        "status": "paid",
        "contributed_on": "2020-02-01",
    }
    response = api_client.post("/api/v1/contributions/", body, format="json")
    assert response.status_code == 400, response.content
    assert "amount" in response.json()
    assert "This plan's received money would total 100,000,000,000,000.00 USD; a plan's " in (
        messages(response)
    )
    assert Contribution.objects.count() == 1
    # A pledge counts in another total, which still has room.
    response = api_client.post(
        "/api/v1/contributions/", {**body, "status": "pledged"}, format="json"
    )
    assert response.status_code == 201, response.content
    # Correcting the pledge into paid money would pass the received total: refused as well.
    pledge = Contribution.objects.get(status="pledged")
    response = api_client.patch(
        f"/api/v1/contributions/{pledge.pk}/",
        {"status": "paid"},
        format="json",
        HTTP_IF_MATCH=api_client.get(f"/api/v1/contributions/{pledge.pk}/")["ETag"],
    )
    assert response.status_code == 400, response.content
    assert f"at most {MOST} USD" in messages(response)
    assert Contribution.objects.get(pk=pledge.pk).status == "pledged"


def test_a_contribution_whose_usd_amount_cannot_be_stored_is_refused(api_client, officer):
    from funding.tests.factories import ExchangeRateFactory

    PlanFactory(slug="tjk")
    ExchangeRateFactory(units_per_usd=D("0.5"))  # CHF: 2 USD per franc
    api_client.force_authenticate(officer)
    body = {
        "donor": DonorFactory(name="Switzerland").pk,
        "plan": "tjk",
        "amount": "60000000000000.00",
        "currency": "CHF",
        "status": "paid",
        "contributed_on": "2020-02-01",
    }
    response = api_client.post("/api/v1/contributions/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["amount"] == [
        "At 0.50000000 CHF per USD this is 120,000,000,000,000.00 USD; one contribution can be"
        f" at most {MOST} USD."
    ]
    assert Contribution.objects.count() == 0


# Stored whatever the ratio --------------------------------------------------------------------


@pytest.mark.postgres
def test_a_cent_requirement_against_money_stores_its_huge_coverage(
    api_client, editor, on_postgres, django_capture_on_commit_callbacks
):
    """The issue's case: PATCHed to 0.01 against money, coverage 658,000,000 % (numeric(9,2)
    overflowed: DataError, the plan stayed dirty)."""
    requirement = costed("1000.00")
    plan = requirement.intervention.objective.plan
    ContributionFactory(plan=plan, intervention=requirement.intervention, amount=D("65800.00"))
    services.plan_rollup_recompute(plan_id=plan.pk)
    services.group_rollups_recompute()
    api_client.force_authenticate(editor)
    with django_capture_on_commit_callbacks(execute=True):  # the recompute runs (inline) here
        response = patch_requirements(
            api_client, requirement.intervention, [{"year": 2020, "amount_usd": "0.01"}]
        )
    assert response.status_code == 200, response.content
    plan.refresh_from_db()
    assert plan.rollup_dirty_since is None
    body = api_client.get(f"/api/v1/plans/{plan.slug}/").json()
    assert (body["funding_required"], body["coverage_percent"]) == ("0.01", "658000000.00")
    detail = api_client.get(f"/api/v1/interventions/{requirement.intervention.pk}/").json()
    assert detail["coverage_percent"] == "658000000.00"
    services.group_rollups_recompute()
    assert GroupRollup.objects.get(dimension="country", key="TJK").coverage_percent == D(
        "658000000.00"
    )


@pytest.mark.postgres
def test_the_largest_ratio_bounded_figures_give_is_stored(on_postgres):
    """A plan of the most money with a cent required: coverage 10¹⁸ %, stored and read back."""
    requirement = costed("0.01")
    plan = requirement.intervention.objective.plan
    ContributionFactory(plan=plan, amount=MAX_MONEY_USD)
    ContributionFactory(plan=plan, amount=MAX_MONEY_USD, status=Contribution.Status.PLEDGED)
    assert services.plan_rollup_recompute(plan_id=plan.pk) is True
    assert PlanRollup.objects.get(plan=plan).coverage_percent == D("999999999999999900.00")
    services.group_rollups_recompute()
    assert GroupRollup.objects.get(dimension="country", key="TJK").received_usd == MAX_MONEY_USD


# A failing plan or group is isolated ----------------------------------------------------------


def broken_plan() -> Plan:
    """A published plan whose requirements add up past what a plan rollup can hold, as rows
    written before the bounds (or by SQL) would: bulk_create skips the services."""
    plan = PlanFactory(slug="broken", end_year=2021)
    intervention = RequirementFactory(intervention__objective__plan=plan).intervention
    Requirement.objects.filter(intervention=intervention).delete()
    Requirement.objects.bulk_create(
        [
            Requirement(intervention=intervention, year=year, amount_usd=MAX_MONEY_USD)
            for year in (2020, 2021)
        ]
    )
    Plan.objects.filter(pk=plan.pk).update(rollup_dirty_since=LONG_AGO)
    return plan


def stale(plan: Plan, received: str) -> None:
    """As after a save while the broker was down: the source changed, the plan left dirty."""
    Contribution.objects.filter(plan=plan).update(amount_usd=D(received))
    Plan.objects.filter(pk=plan.pk).update(rollup_dirty_since=LONG_AGO)


@pytest.mark.postgres
def test_a_plan_that_cannot_be_stored_never_stops_the_sweep(on_postgres, caplog):
    from funding.models import RollupFailure

    first, second = (costed("1000.00").intervention.objective.plan for _ in range(2))
    for plan in (first, second):
        ContributionFactory(plan=plan, amount=D("10.00"))
        services.plan_rollup_recompute(plan_id=plan.pk)
    services.group_rollups_recompute()
    bad = broken_plan()
    stale(first, "20.00")
    stale(second, "30.00")
    services.group_rollups_mark_dirty()

    with caplog.at_level(logging.ERROR, logger="funding"):
        result = tasks.sweep_dirty_plans.apply(kwargs={"grace_seconds": 0}).get()
    assert result == {"plans": 2, "groups": 1, "failed": 1}
    assert PlanRollup.objects.get(plan=first).received_usd == D("20.00")
    assert PlanRollup.objects.get(plan=second).received_usd == D("30.00")
    # The groups were recomputed all the same, and agree with a fresh computation.
    assert not services.group_rollups_are_stale()
    tjk = GroupRollup.objects.get(dimension="country", key="TJK")
    fresh = {g.key: g.figures for g in selectors.group_figures("country")}["TJK"]
    assert (tjk.received_usd, tjk.required_usd) == (fresh.received, fresh.required)
    assert tjk.received_usd == D("50.00")
    # The bad plan: left dirty, recorded and logged.
    bad.refresh_from_db()
    assert bad.rollup_dirty_since is not None
    failure = RollupFailure.objects.get(scope="plan", scope_key=str(bad.pk))
    assert (failure.plan, failure.attempts) == (bad, 1)
    assert "DataError" in failure.error and "overflow" in failure.error
    assert any(
        f"plan {bad.pk} failed" in r.getMessage() for r in caplog.records if r.levelname == "ERROR"
    )

    # Retried at every sweep, counted; the task on its own does not raise either.
    assert tasks.sweep_dirty_plans.apply(kwargs={"grace_seconds": 0}).get()["failed"] == 1
    tasks.recompute_plan_rollup.apply(kwargs={"plan_id": bad.pk}, throw=True)
    assert RollupFailure.objects.get(scope="plan").attempts == 3

    # Repaired (one requirement removed): the next sweep recomputes it and forgets the failure.
    Requirement.objects.filter(intervention__objective__plan=bad, year=2021).delete()
    Plan.objects.filter(pk=bad.pk).update(rollup_dirty_since=LONG_AGO)
    result = tasks.sweep_dirty_plans.apply(kwargs={"grace_seconds": 0}).get()
    assert result == {"plans": 1, "groups": 0, "failed": 0}
    assert PlanRollup.objects.get(plan=bad).required_usd == MAX_MONEY_USD
    assert not RollupFailure.objects.exists()


@pytest.mark.postgres
def test_the_full_recompute_and_the_audit_isolate_a_failing_plan(on_postgres):
    from funding.models import RollupFailure

    good = costed("1000.00").intervention.objective.plan
    ContributionFactory(plan=good, amount=D("10.00"))
    services.plan_rollup_recompute(plan_id=good.pk)
    bad = broken_plan()
    stale(good, "20.00")

    counts = services.plans_rollup_recompute_all()
    assert (counts["changed"], counts["failed"]) == (1, 1)
    assert PlanRollup.objects.get(plan=good).received_usd == D("20.00")
    assert RollupFailure.objects.get(scope="plan").plan == bad

    stale(good, "40.00")
    audit = services.rollups_audit()
    assert audit.finished_at is not None
    assert PlanRollup.objects.get(plan=good).received_usd == D("40.00")
    assert RollupFailure.objects.get(scope="plan").attempts == 2


@pytest.mark.postgres
def test_a_group_that_cannot_be_stored_never_stops_the_others(on_postgres):
    """No data left can overflow a group (its sums are wider), so the group row is broken on
    purpose: a CHECK that refuses the PAK country group, a real PostgreSQL error."""
    from funding.models import RollupFailure

    tjk = costed("1000.00").intervention.objective.plan
    pak = costed("1000.00", countries=["PAK"]).intervention.objective.plan
    services.group_rollups_recompute()
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE funding_grouprollup ADD CONSTRAINT test_refuse_pak "
            "CHECK (NOT (dimension = 'country' AND key = 'PAK')) NOT VALID"
        )
    for plan in (tjk, pak):
        ContributionFactory(plan=plan, amount=D("100.00"))
        services.plan_rollup_recompute(plan_id=plan.pk)
    services.group_rollups_mark_dirty()

    result = tasks.sweep_dirty_plans.apply(kwargs={"grace_seconds": 0}).get()
    assert result["groups"] == 1
    assert GroupRollup.objects.get(dimension="country", key="TJK").received_usd == D("100.00")
    assert GroupRollup.objects.get(dimension="country", key="PAK").received_usd == D("0.00")
    year = GroupRollup.objects.get(dimension="year", key="2020")
    assert year.received_usd == D("200.00")  # both plans: a group without PAK in its key
    failure = RollupFailure.objects.get(scope="group")
    assert failure.scope_key == "country=PAK" and "IntegrityError" in failure.error
    # Left stale, so the next sweep retries it; not re-enqueued in a loop.
    assert services.group_rollups_are_stale()
    assert GroupRollupState.objects.get().computed_edits < GroupRollupState.objects.get().edits

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE funding_grouprollup DROP CONSTRAINT test_refuse_pak")
    assert tasks.sweep_dirty_plans.apply(kwargs={"grace_seconds": 0}).get()["groups"] == 1
    assert GroupRollup.objects.get(dimension="country", key="PAK").received_usd == D("100.00")
    assert not services.group_rollups_are_stale()
    assert not RollupFailure.objects.exists()
