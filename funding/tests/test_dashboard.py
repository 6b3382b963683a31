"""The funding gap dashboard: charts with text alternatives, shared filters, downloads."""

from __future__ import annotations

import csv
import io
import re

import pytest

from crp_portal.testing import public_pages  # noqa: F401  (fixture)
from funding import services

pytestmark = pytest.mark.usefixtures("public_pages")

CHARTS = ["country", "region", "year", "strategic_objective", "sector", "donor"]


@pytest.fixture
def grouped(demo):
    services.group_rollups_recompute()
    return demo


def _rows(response) -> list[dict]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_every_chart_is_drawn_with_a_text_alternative_and_a_table(client, grouped):
    html = client.get("/funding/").content.decode()
    for dimension in CHARTS:
        assert f'id="chart-{dimension}"' in html
        assert f'aria-labelledby="chart-{dimension}-title chart-{dimension}-desc"' in html
    assert html.count("<svg") == len(CHARTS)
    assert html.count('<table class="data') == len(CHARTS) + 1  # + top unmet requirements
    desc = re.search(r'<desc id="chart-country-desc">(.*?)</desc>', html, re.S).group(1)
    assert "Tajikistan: required $1,075,000, received $596,934, 56 %" in desc
    assert "Pakistan: not yet costed, received $65,617" in desc


def test_top_unmet_requirements_are_ordered_by_gap(client, grouped):
    rows = [
        r
        for r in _rows(client.get("/funding/?format=csv"))
        if r["chart"] == "Top unmet requirements"
    ]
    assert [r["gap_usd"] for r in rows] == ["700000.00", "100000.00", "75000.00", "12133.18"]


def test_filtered_figures_add_up_like_the_stored_groups(client, grouped):
    stored = _rows(client.get("/funding/?format=csv"))
    # Both demo plans are country plans: this filter selects every plan, by the other path.
    filtered = _rows(client.get("/funding/?kind=country&format=csv"))
    assert filtered == stored


def test_filters_narrow_the_dashboard(client, grouped):
    rows = _rows(client.get("/funding/?country=PAK&format=csv"))
    countries = [(r["group"], r["received_usd"]) for r in rows if r["chart"] == "By country"]
    assert countries == [("Pakistan", "65616.80")]
    donors = [r["group"] for r in rows if r["chart"] == "By donor"]
    assert donors == ["United Kingdom"]
    assert not [r for r in rows if r["chart"] == "Top unmet requirements"]


def test_dashboard_downloads_xlsx(client, grouped):
    from openpyxl import load_workbook

    response = client.get("/funding/?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "chart",
        "group",
        "required_usd",
        "received_usd",
        "pledged_usd",
        "gap_usd",
        "coverage_percent",
    )
    assert ("By country", "Tajikistan") in [r[:2] for r in rows]
