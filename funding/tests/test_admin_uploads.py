"""Funding officers upload contributions and exchange rates in the admin (issue #13, item 5):
a preview first (what each row will do, every row's error), nothing written until the whole
file is valid and confirmed, re-uploads idempotent by reference. Files are made by the tests."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funding.models import Contribution, Currency, ExchangeRate
from funding.tests.factories import DonorFactory, ExchangeRateFactory
from plans.tests.factories import PlanFactory, Role, UserFactory, assign

pytestmark = pytest.mark.django_db

UPLOAD = reverse("admin:funding_contribution_upload")
RATES_UPLOAD = reverse("admin:funding_exchangerate_upload")
HEADER = "reference,donor,plan,amount,currency,status,contributed_on,years\n"


@pytest.fixture
def officer(client):
    user = UserFactory(username="officer-tjk")
    assign(user, Role.FUNDING_OFFICER, "TJK")
    client.force_login(user)
    return user


@pytest.fixture
def plan():
    plan = PlanFactory(slug="tjk-2024", countries=["TJK"], start_year=2024, end_year=2025)
    DonorFactory(name="Japan")
    DonorFactory(name="Switzerland")
    ExchangeRateFactory(rate_on=datetime.date(2024, 1, 1), units_per_usd=Decimal("0.8"))
    return plan


def _csv(text: str, name: str = "contributions.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def _token(html: str) -> str:
    match = re.search(r'name="upload" value="([^"]+)"', html)
    assert match, "no confirmation form"
    return match.group(1)


GOOD = (
    HEADER
    + "JP-1,Japan,tjk-2024,1000,CHF,paid,2024-03-01,\n"
    + "JP-2,Japan,tjk-2024,500,USD,pledged,2024-04-01,2025\n"
    + 'CH-1,Switzerland,tjk-2024,3000,USD,committed,2024-05-01,"2024: 1000; 2025: 2000"\n'
)


def test_a_file_is_previewed_then_imported_on_confirmation_and_again_changes_nothing(
    client, officer, plan
):
    page = client.get(reverse("admin:funding_contribution_changelist")).text
    assert UPLOAD in page  # the list's "Upload a file" button
    preview = client.post(UPLOAD, {"file": _csv(GOOD)})
    assert preview.status_code == 200
    html = preview.text
    assert "3 new, 0 updated, 0 unchanged (a dry run: nothing was written)." in html
    assert html.count(">recorded<") == 3
    assert "1250.00" in html  # CHF 1,000 at 0.8 per USD, shown before anything is written
    assert not Contribution.objects.exists()

    done = client.post(UPLOAD, {"upload": _token(html), "confirm": "1"}, follow=True)
    assert "File contributions.csv: 3 new, 0 updated, 0 unchanged: imported." in done.text
    saved = {c.reference: c for c in Contribution.objects.all()}
    assert saved["JP-1"].amount_usd == Decimal("1250.00")
    assert [(y.year, y.amount) for y in saved["CH-1"].years.order_by("year")] == [
        (2024, Decimal("1000.00")),
        (2025, Decimal("2000.00")),
    ]
    versions = {c.reference: c.version for c in saved.values()}

    again = client.post(UPLOAD, {"file": _csv(GOOD)}).text
    assert "0 new, 0 updated, 3 unchanged" in again
    client.post(UPLOAD, {"upload": _token(again), "confirm": "1"})
    assert {c.reference: c.version for c in Contribution.objects.all()} == versions


def test_every_row_error_is_shown_and_nothing_is_written(client, officer, plan):
    bad = (
        HEADER
        + "JP-1,Japan,tjk-2024,1000,CHF,paid,2024-03-01,\n"
        + "JP-2,Japan,tjk-2024,-5,USD,paid,2024-03-01,\n"
        + "JP-3,Nobody,tjk-2024,10,USD,paid,2024-03-01,\n"
        + "JP-4,Japan,tjk-2024,10,USD,lost,2024-03-01,\n"
    )
    html = client.post(UPLOAD, {"file": _csv(bad)}).text
    assert "3 rows with errors: nothing was written." in html
    assert "no donor named “Nobody”; add it first." in html
    assert "status: give pledged, committed or paid." in html
    assert html.count(">refused<") == 3
    assert 'name="upload"' not in html  # no confirmation offered
    assert not Contribution.objects.exists()


def test_a_preview_cannot_be_altered_or_confirmed_by_someone_else(client, officer, plan):
    token = _token(client.post(UPLOAD, {"file": _csv(GOOD)}).text)
    html = client.post(UPLOAD, {"upload": token[:-2] + "xx", "confirm": "1"}).text
    assert "This preview has expired or was altered." in html
    other = UserFactory(username="officer-2")
    assign(other, Role.FUNDING_OFFICER, "TJK")
    client.force_login(other)
    html = client.post(UPLOAD, {"upload": token, "confirm": "1"}).text
    assert "This preview has expired or was altered." in html
    assert not Contribution.objects.exists()


def test_an_xlsx_file_and_a_wrong_file(client, officer, plan):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["X-1", "Japan", "tjk-2024", 250, "USD", "paid", "2024-06-01", None])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("funds.xlsx", buffer.getvalue())
    html = client.post(UPLOAD, {"file": upload}).text
    client.post(UPLOAD, {"upload": _token(html), "confirm": "1"})
    assert Contribution.objects.get().amount_usd == Decimal("250.00")
    wrong = client.post(UPLOAD, {"file": _csv("x", name="notes.txt")}).text
    assert "Choose a .csv or .xlsx file." in wrong
    headers = client.post(UPLOAD, {"file": _csv("ref,who\nA,B\n")}).text
    assert "This file cannot be imported:" in headers


def test_a_plan_outside_the_officers_countries_is_refused_per_row(client, officer, plan):
    PlanFactory(slug="pak-2024", countries=["PAK"], start_year=2024, end_year=2024)
    html = client.post(
        UPLOAD, {"file": _csv(HEADER + "P-1,Japan,pak-2024,10,USD,paid,2024-03-01,\n")}
    ).text
    assert ">refused<" in html
    assert not Contribution.objects.exists()


def test_someone_without_the_right_cannot_open_the_upload(client, db):
    editor = UserFactory(username="editor")
    assign(editor, Role.EDITOR, "TJK")
    client.force_login(editor)
    assert client.get(UPLOAD).status_code == 403
    assert client.get(RATES_UPLOAD).status_code == 403


ECB = "Date,USD,JPY,CHF,CYP,\n2024-01-03,1.0919,155.00,0.9307,N/A,\n"


def test_ecb_rates_are_previewed_then_imported(client, officer):
    html = client.post(
        RATES_UPLOAD, {"file": _csv(ECB, "eurofxref-hist.csv"), "format": "ecb"}
    ).text
    assert "3 rates new, 0 changed, 0 unchanged." in html
    assert "CYP" in html  # the skipped column is said
    assert not ExchangeRate.objects.exists()
    client.post(RATES_UPLOAD, {"upload": _token(html), "confirm": "1"})
    rates = {r.currency_id: r.units_per_usd for r in ExchangeRate.objects.all()}
    assert rates["CHF"] == Decimal("0.85236743")  # 0.9307 CHF per EUR ÷ 1.0919 USD per EUR
    bad = client.post(
        RATES_UPLOAD,
        {"file": _csv("date,currency,units_per_usd\n2024-01-02,ZZZ,1\n"), "format": "csv"},
    ).text
    assert "Row 2: currency: ZZZ is not an ISO 4217 currency code." in bad
    assert 'name="upload"' not in bad


def test_the_admin_form_takes_an_agreed_rate_and_keeps_it_on_correction(client, officer, plan):
    """A rate given with a contribution is used (the officer may set rates), kept when the
    contribution is corrected, and refused, never ignored, for someone who may not."""
    from crp_portal.tests.forms import form_data
    from funding.tests.factories import ContributionFactory

    contribution = ContributionFactory(
        plan=plan,
        donor=DonorFactory(name="Norway"),
        currency=Currency.objects.get(code="CHF"),
        amount=Decimal("900.00"),
        contributed_on=datetime.date(2024, 3, 1),
    )
    assert contribution.amount_usd == Decimal("1125.00")  # at the 0.8 in force
    url = reverse("admin:funding_contribution_change", args=[contribution.pk])
    data = form_data(client.get(url).text, "contribution_form")
    assert data["units_per_usd"] == [""]  # the rate in force: not its own
    response = client.post(url, {**data, "units_per_usd": ["0.9"]})
    assert response.status_code == 302, response.text[:3000]
    contribution.refresh_from_db()
    assert (contribution.units_per_usd, contribution.amount_usd) == (
        Decimal("0.9"),
        Decimal("1000.00"),
    )
    data = form_data(client.get(url).text, "contribution_form")
    assert data["units_per_usd"] == ["0.90000000"]  # shown, so a correction keeps it
    client.post(url, {**data, "reference": ["AGREEMENT-7"]})
    contribution.refresh_from_db()
    assert (contribution.reference, contribution.amount_usd) == ("AGREEMENT-7", Decimal("1000.00"))

    officer.groups.clear()  # still a funding officer of TJK, but without the right to set rates
    officer.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="funding", codename__endswith="_contribution"
        )
    )
    data = form_data(client.get(url).text, "contribution_form")
    response = client.post(url, {**data, "units_per_usd": ["0.7"]})
    assert response.status_code == 200
    assert "You may not set exchange rates" in response.text
    contribution.refresh_from_db()
    assert contribution.amount_usd == Decimal("1000.00")
