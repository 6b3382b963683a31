"""Usage years (issue #12, item 4): a contribution is for one year of its plan or split across
several, as FTS splits a multi-year flow into one child per usage year; a plan year's money is
what is for that year, whatever the contribution's date. Through the services, the API, the
admin and the import file, with the plan-year rollups (SQL on PostgreSQL) and the ORM figures.
"""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crp_portal.tests.forms import form_data
from funding import services
from funding.models import Contribution, ContributionYear, Currency, PlanYearRollup
from funding.selectors import plan_figures
from funding.tests.factories import ContributionFactory, DonorFactory, ExchangeRateFactory
from partners import sync_sql
from plans.models import Plan
from plans.tests.factories import PlanFactory, Role, UserFactory, assign

pytestmark = pytest.mark.django_db

CHF = "CHF"


@pytest.fixture
def plan() -> Plan:
    plan = PlanFactory(slug="pak", countries=["PAK"], start_year=2020, end_year=2022)
    ExchangeRateFactory(units_per_usd=Decimal("0.937"))  # CHF per USD from 2020-01-01
    return plan


@pytest.fixture
def officer():
    user = UserFactory(username="officer-pak")
    assign(user, Role.FUNDING_OFFICER, "PAK")
    return user


def _record(plan, years=None, amount="100000.00", **overrides) -> Contribution:
    fields = {
        "donor": DonorFactory(name="Switzerland"),
        "plan": plan,
        "amount": Decimal(amount),
        "currency": Currency.objects.get(code=CHF),
        "status": Contribution.Status.PAID,
        "contributed_on": datetime.date(2020, 11, 20),
        **overrides,
    }
    return services.contribution_record(years=years, **fields)


def _shares(contribution) -> list[tuple[int, Decimal, Decimal]]:
    return list(contribution.years.values_list("year", "amount", "amount_usd"))


def _year_figures(plan) -> dict[int, tuple[Decimal, Decimal]]:
    services.plan_rollup_recompute(plan_id=plan.pk)
    return {
        r.year: (r.received_usd, r.pledged_usd) for r in PlanYearRollup.objects.filter(plan=plan)
    }


def test_a_new_contribution_is_for_the_year_of_its_date(plan):
    contribution = _record(plan)
    assert _shares(contribution) == [(2020, Decimal("100000.00"), contribution.amount_usd)]


def test_a_split_counts_each_part_in_its_year_and_the_parts_add_up_to_the_cent(plan):
    # Three thirds at 0.937 CHF per USD: each part rounds, the parts still make the whole.
    contribution = _record(
        plan,
        amount="100000.00",
        years=[
            (2021, Decimal("33333.33")),
            (2020, Decimal("33333.33")),
            (2022, Decimal("33333.34")),
        ],
    )
    shares = _shares(contribution)
    assert [year for year, _a, _u in shares] == [2020, 2021, 2022]
    assert sum(usd for _y, _a, usd in shares) == contribution.amount_usd == Decimal("106723.59")
    pledge = _record(
        plan, amount="9370.00", status=Contribution.Status.PLEDGED, years=[(2022, None)]
    )
    figures = _year_figures(plan)
    assert figures[2020] == (shares[0][2], Decimal("0.00"))
    assert figures[2021] == (shares[1][2], Decimal("0.00"))
    assert figures[2022] == (shares[2][2], pledge.amount_usd)
    # The stored rollups (SQL on PostgreSQL) and the ORM computation from source rows agree,
    # and the years add up to the plan's whole period.
    computed = plan_figures(plan=plan)
    assert {y: (f.received, f.pledged) for y, f in computed.by_year.items()} == figures
    assert sum(received for received, _p in figures.values()) == computed.plan.received


@pytest.mark.parametrize(
    ("years", "message"),
    [
        ([(2019, Decimal("100000.00"))], "Year 2019 is outside the plan's period 2020–2022."),
        (
            [(2020, Decimal("50000.00")), (2020, Decimal("50000.00"))],
            "Year 2020 is given twice.",
        ),
        (
            [(2020, Decimal("50000.00")), (2021, Decimal("40000.00"))],
            "The years' amounts add up to 90,000.00, not to the contribution's 100,000.00.",
        ),
        ([(2020, Decimal("50000.00")), (2021, None)], "Give the amount for 2021"),
        ([(2020, Decimal("-1.00")), (2021, Decimal("100001.00"))], "The amount for 2020 is neg"),
        ([], "Give at least one year the contribution is for."),
    ],
)
def test_a_bad_split_is_refused_in_one_message_and_nothing_is_written(plan, years, message):
    with pytest.raises(ValidationError) as refused:
        _record(plan, years=years)
    assert list(refused.value.message_dict) == ["years"]
    assert refused.value.message_dict["years"][0].startswith(message)
    assert not Contribution.objects.exists() and not ContributionYear.objects.exists()


def test_a_correction_keeps_the_years_or_says_what_to_give(plan, officer):
    single = _record(plan, years=[(2021, None)])
    corrected = services.contribution_correct(
        contribution=single, actor=officer, amount=Decimal("120000.00")
    )
    assert _shares(corrected) == [(2021, Decimal("120000.00"), corrected.amount_usd)]
    assert corrected.version == 2

    split = _record(plan, years=[(2020, Decimal("60000.00")), (2021, Decimal("40000.00"))])
    moved = services.contribution_correct(
        contribution=split, actor=officer, contributed_on=datetime.date(2021, 1, 5)
    )
    assert [y for y, _a, _u in _shares(moved)] == [2020, 2021]  # a new date keeps the years
    with pytest.raises(ValidationError) as refused:
        services.contribution_correct(contribution=split, actor=officer, amount=Decimal("1.00"))
    assert refused.value.message_dict["years"] == [
        "This contribution is split across 2020, 2021; give the years it is for again, with "
        "amounts adding up to 1.00."
    ]
    assert Contribution.objects.get(pk=split.pk).amount == Decimal("100000.00")
    # Re-split with the same amount: only the years change, and that is a new version.
    before = Contribution.objects.get(pk=split.pk).version
    resplit = services.contribution_correct(contribution=split, actor=officer, years=[(2022, None)])
    assert [y for y, _a, _u in _shares(resplit)] == [2022] and resplit.version == before + 1
    # Recorded again unchanged: no new version, no rewrite of its years.
    ids = list(resplit.years.values_list("pk", flat=True))
    again = services.contribution_correct(contribution=resplit, actor=officer, years=[(2022, None)])
    assert (
        again.version == resplit.version and list(again.years.values_list("pk", flat=True)) == ids
    )


def test_a_plan_period_cannot_shrink_past_the_years_its_money_is_for(plan, officer):
    from plans import services as plan_services

    _record(plan, years=[(2020, Decimal("50000.00")), (2022, Decimal("50000.00"))])
    with pytest.raises(ValidationError) as refused:
        plan_services.plan_update(plan=plan, actor=UserFactory(is_superuser=True), end_year=2021)
    assert refused.value.message_dict == {
        "end_year": ["Year 2022 is outside the plan's period 2020–2021."]
    }


def test_the_api_records_shows_and_filters_the_years(api_client, plan, officer):
    plan.status = Plan.Status.PUBLISHED
    plan.save()
    api_client.force_authenticate(officer)
    body = {
        "donor": DonorFactory(name="Switzerland").pk,
        "plan": "pak",
        "amount": "93700.00",
        "currency": CHF,
        "status": "committed",
        "contributed_on": "2020-12-01",
        "years": [{"year": 2020, "amount": "37480.00"}, {"year": 2021, "amount": "56220.00"}],
    }
    response = api_client.post("/api/v1/contributions/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["years"] == [
        {"year": 2020, "amount": "37480.00", "amount_usd": "40000.00"},
        {"year": 2021, "amount": "56220.00", "amount_usd": "60000.00"},
    ]
    pk = response.json()["id"]
    bad = api_client.post(
        "/api/v1/contributions/",
        {**body, "years": [{"year": 2031, "amount": "93700.00"}]},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["years"] == ["Year 2031 is outside the plan's period 2020–2022."]
    assert Contribution.objects.count() == 1
    api_client.force_authenticate(None)
    ids = {
        year: [
            c["id"] for c in api_client.get(f"/api/v1/contributions/?year={year}").json()["results"]
        ]
        for year in (2020, 2021, 2022)
    }
    assert ids == {2020: [pk], 2021: [pk], 2022: []}


def test_changing_only_the_years_resurfaces_the_contribution_for_sync(plan, officer):
    contribution = _record(plan, years=[(2020, None)])
    long_ago = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    sync_sql.stamps_set(Contribution.objects.filter(pk=contribution.pk), long_ago)
    services.contribution_correct(contribution=contribution, actor=officer, years=[(2021, None)])
    assert Contribution.objects.get(pk=contribution.pk).changed_at > long_ago


def test_the_admin_takes_the_years_in_words(admin_client, plan):
    contribution = _record(plan)
    url = reverse("admin:funding_contribution_change", args=[contribution.pk])
    page = admin_client.get(url).content.decode()
    data = form_data(page, "contribution_form")
    assert data["years"] == ["2020"]
    response = admin_client.post(url, {**data, "years": ["2020: 25,000; 2021: 75,000"]})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [(y, a) for y, a, _u in _shares(contribution)] == [
        (2020, Decimal("25000.00")),
        (2021, Decimal("75000.00")),
    ]
    data = form_data(admin_client.get(url).content.decode(), "contribution_form")
    assert data["years"] == ["2020: 25,000.00; 2021: 75,000.00"]
    for text, message in (
        ("next year", "Write a year (2021) or years with amounts"),
        ("2020: 25,000; 2021: 70,000", "The years&#x27; amounts add up to 95,000.00"),
    ):
        response = admin_client.post(url, {**data, "years": [text]})
        assert response.status_code == 200
        assert message in response.content.decode()
    assert [a for _y, a, _u in _shares(contribution)] == [Decimal("25000.00"), Decimal("75000.00")]


def test_an_import_file_gives_the_years_per_row(plan, officer):
    from funding.imports.contributions import contributions_file_import

    DonorFactory(name="Switzerland")
    header = "reference,donor,plan,amount,currency,status,contributed_on,years\n"
    good = header + "CH-1,Switzerland,pak,100000,CHF,paid,2020-11-20,2020: 40000; 2021: 60000\n"
    report = contributions_file_import(name="c.csv", content=good.encode(), actor=officer)
    assert report.written, report.errors
    contribution = Contribution.objects.get(reference="CH-1")
    assert [(y, a) for y, a, _u in _shares(contribution)] == [
        (2020, Decimal("40000.00")),
        (2021, Decimal("60000.00")),
    ]
    again = contributions_file_import(name="c.csv", content=good.encode(), actor=officer)
    assert again.count("unchanged") == 1  # idempotent, years included
    bad = header + "CH-2,Switzerland,pak,100000,CHF,paid,2020-11-20,2020 and 2021\n"
    refused = contributions_file_import(name="c.csv", content=bad.encode(), actor=officer)
    assert not refused.written
    assert refused.errors[0][1].startswith("years: Write a year (2021)")
    assert not Contribution.objects.filter(reference="CH-2").exists()


def test_the_migration_gives_each_existing_contribution_the_year_of_its_date(plan):
    from django.apps import apps

    contribution = ContributionFactory(plan=plan, contributed_on=datetime.date(2021, 5, 1))
    contribution.years.all().delete()  # as before the migration
    migration = importlib.import_module("funding.migrations.0008_contribution_years")
    migration.each_for_the_year_of_its_date(apps, None)
    assert _shares(contribution) == [(2021, contribution.amount, contribution.amount_usd)]
