"""Contribution and rate files, through the commands, with files written by the tests."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from funding.models import Contribution, ExchangeRate
from funding.tests.factories import DonorFactory, ExchangeRateFactory
from plans.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db

ECB = (
    "Date,USD,JPY,CHF,CYP,\n"
    "2024-01-03,1.0919,155.00,0.9307,N/A,\n"
    "2024-01-02,1.0956,155.65,0.9305,N/A,\n"
)
HEADER = "reference,donor,plan,amount,currency,status,contributed_on\n"


def run(name, *args):
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_ecb_file_becomes_units_per_usd_and_reimport_changes_nothing(tmp_path):
    path = tmp_path / "eurofxref-hist.csv"
    path.write_text(ECB)
    out = run("import_rates", str(path), "--format", "ecb")
    assert "Skipped columns of currencies no longer in ISO 4217: CYP." in out
    assert "6 rates new, 0 changed, 0 unchanged." in out
    rates = {
        (r.currency_id, r.rate_on.isoformat()): r.units_per_usd for r in ExchangeRate.objects.all()
    }
    # 155.65 JPY per EUR ÷ 1.0956 USD per EUR; EUR = 1 ÷ 1.0956; half-up to 8 decimals.
    assert rates[("JPY", "2024-01-02")] == Decimal("142.06827309")
    assert rates[("EUR", "2024-01-02")] == Decimal("0.91274188")
    assert rates[("CHF", "2024-01-03")] == Decimal("0.85236743")
    assert "0 rates new, 0 changed, 6 unchanged." in run(
        "import_rates", str(path), "--format", "ecb"
    )


def test_plain_rate_file_with_a_bad_row_writes_nothing(tmp_path):
    path = tmp_path / "rates.csv"
    path.write_text("date,currency,units_per_usd\n2024-01-02,CHF,0.85\n2024-01-02,ZZZ,1\n")
    with pytest.raises(CommandError):
        out = io.StringIO()
        call_command("import_rates", str(path), stdout=out)
    assert "Row 3: currency: ZZZ is not an ISO 4217 currency code." in out.getvalue()
    assert not ExchangeRate.objects.exists()


def _contributions_xlsx(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    for row in rows:
        sheet.append(row)
    book.save(path)


def test_contribution_file_is_all_or_nothing_and_idempotent_by_reference(tmp_path):
    plan = PlanFactory(start_year=2024, end_year=2024)
    DonorFactory(name="Japan")
    ExchangeRateFactory(rate_on=datetime.date(2024, 1, 1), units_per_usd=Decimal("0.8"))
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER
        + f"C-1,Japan,{plan.slug},1000,CHF,paid,2024-03-01\n"
        + f"C-2,Japan,{plan.slug},-5,CHF,paid,2024-03-01\n"
    )
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_contributions", str(bad), stdout=out, stderr=io.StringIO())
    assert "Row 3: amount: Ensure this value is greater than or equal to 0.00." in out.getvalue()
    assert not Contribution.objects.exists()

    good = tmp_path / "good.xlsx"
    _contributions_xlsx(good, [["C-1", "Japan", plan.slug, 1000, "CHF", "paid", "2024-03-01"]])
    assert "dry run" in run("import_contributions", str(good), "--dry-run")
    assert not Contribution.objects.exists()
    assert "1 new, 0 updated, 0 unchanged: imported." in run("import_contributions", str(good))
    saved = Contribution.objects.get(reference="C-1")
    assert (saved.amount_usd, saved.version) == (Decimal("1250.00"), 1)
    assert "0 new, 0 updated, 1 unchanged" in run("import_contributions", str(good))
    _contributions_xlsx(good, [["C-1", "Japan", plan.slug, 2000, "CHF", "paid", "2024-03-01"]])
    assert "0 new, 1 updated, 0 unchanged" in run("import_contributions", str(good))
    saved.refresh_from_db()
    assert (saved.amount_usd, saved.version) == (Decimal("2500.00"), 2)


def test_rate_sent_with_a_contribution_needs_the_right_to_set_rates(api_client, superuser):
    plan = PlanFactory(start_year=2024, end_year=2024)
    donor = DonorFactory(name="Japan")
    api_client.force_authenticate(superuser)
    body = {
        "donor": donor.pk,
        "plan": plan.slug,
        "amount": "1000.00",
        "currency": "CHF",
        "status": "paid",
        "contributed_on": "2024-03-01",
        "units_per_usd": "0.5",
    }
    response = api_client.post("/api/v1/contributions/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["amount_usd"] == "2000.00"
    assert response.json()["units_per_usd"] == "0.50000000"


def test_rate_sent_by_someone_who_may_not_set_rates_is_refused_by_name(db):
    from django.contrib.auth import get_user_model

    from funding import services
    from funding.models import Currency

    plan = PlanFactory(start_year=2024, end_year=2024)
    clerk = get_user_model().objects.create_user("clerk", is_superuser=False)
    with pytest.raises(services.contributions.ValidationError) as refused:
        services.contributions._rate(
            currency=Currency.objects.get(code="CHF"),
            on=datetime.date(2024, 3, 1),
            given=Decimal("0.5"),
            actor=clerk,
        )
    assert "You may not set exchange rates" in refused.value.message_dict["units_per_usd"][0]
    assert not Contribution.objects.filter(plan=plan).exists()
