"""A plan page says who gave what, and every level of it adds up (issue #12, items 5 and 8).

Read as a donor reads them: the page's markup (the exact amounts in <data value>) and its
downloads. The demo's Tajikistan plan: Switzerland CHF 250,000 paid to objective 2, the EU
EUR 100,000 committed to "Emergency preparedness", the USA USD 150,000 paid to the plan, Japan
JPY 10,000,000 pledged to "Community stabilization", CERF USD 75,000 paid to "Mental health…".
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from crp_portal.testing import public_pages  # noqa: F401  (fixture)
from crp_portal.tests.forms import form_data
from funding import services as funding_services
from funding.models import Contribution, Currency, Donor, PlanRollup
from funding.tests.factories import ContributionFactory, DonorFactory
from interventions.models import Intervention
from plans import services
from plans.models import Plan
from plans.tests.factories import PlanFactory

from .public_data import many_plans

pytestmark = pytest.mark.usefixtures("public_pages")

TJK = "/plans/tajikistan-crp-2020/"
PAK = "/plans/pakistan-crp-2020-2021/"
CENT = Decimal("0.01")


class _DonorTable(HTMLParser):
    """The rows of table.donors: their class, cell texts and the exact amounts of their cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict] = []
        self._in_table = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "table" and "donors" in classes:
            self._in_table = True
        elif not self._in_table:
            return
        elif tag == "tr":
            self.rows.append({"class": attrs.get("class", ""), "cells": [], "values": {}})
        elif tag in ("td", "th"):
            self._cell = []
            self._cell_classes = classes
        elif tag == "data" and self.rows:
            kind = next((c for c in self._cell_classes if c in ("received", "pledged")), None)
            self.rows[-1]["values"][kind] = Decimal(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "table" and self._in_table:
            self._in_table = False
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1]["cells"].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _donor_rows(client, path: str) -> list[dict]:
    response = client.get(path)
    assert response.status_code == 200
    parser = _DonorTable()
    parser.feed(response.content.decode())
    return parser.rows


def _csv(client, path: str) -> list[dict]:
    response = client.get(path)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _money(cell: str) -> Decimal:
    return Decimal(cell) if cell else Decimal("0.00")


def test_tajikistan_lists_who_gave_what_grouped_by_donor_with_totals(client, demo):
    rows = _donor_rows(client, TJK)
    donors = [r for r in rows if r["class"] == "donor-total"]
    # Ordered by money received, then pledged: Japan has pledged only.
    assert [r["cells"][0].rsplit(" (", 1)[0] for r in donors] == [
        "Switzerland",
        "United States of America",
        "European Union",
        "Central Emergency Response Fund (CERF)",
        "Japan",
    ]
    contributions = [r for r in rows if r["class"] == "contribution"]
    by_text = {r["cells"][0]: r["cells"] for r in contributions}
    # Earmarked to, status, date, the year it is for, original amount and currency, USD.
    assert by_text["Objective 2"][:5] == [
        "Objective 2",
        "Paid",
        "14 Feb 2020",
        "2020",
        "CHF 250,000.00",
    ]
    assert by_text["Community stabilization"][1:5] == [
        "Pledged",
        "1 Sep 2020",
        "2020",
        "JPY 10,000,000.00",
    ]
    assert by_text["Not specified"][1:5] == ["Paid", "15 Apr 2020", "2020", "USD 150,000.00"]
    assert by_text["Not specified"][5] == "$150,000"  # received …
    assert by_text["Community stabilization"][5] == ""  # … a pledge is not
    japan = Contribution.objects.get(reference="DEMO-TJK-004")
    assert by_text["Community stabilization"][6] == f"${japan.amount_usd:,.0f}"

    # Each donor's total is its contributions'; the table's total is the plan's, to the cent.
    rollup = PlanRollup.objects.get(plan__slug="tajikistan-crp-2020")
    current = None
    sums: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        if row["class"] == "donor-total":
            current = row["cells"][0]
            sums[current] = {"received": Decimal(0), "pledged": Decimal(0), "stated": row["values"]}
        elif row["class"] == "contribution":
            for kind, value in row["values"].items():
                sums[current][kind] += value
    for name, got in sums.items():
        assert got["stated"] == {"received": got["received"], "pledged": got["pledged"]}, name
    total = rows[-1]
    assert total["class"] == "plan-total"
    assert total["values"] == {"received": rollup.received_usd, "pledged": rollup.pledged_usd}
    assert total["values"]["received"] == Decimal("596934.18")
    assert sum(s["received"] for s in sums.values()) == rollup.received_usd
    assert sum(s["pledged"] for s in sums.values()) == rollup.pledged_usd > 0


def test_the_contributions_download_adds_up_to_the_plan(client, demo):
    rows = _csv(client, TJK + "?format=csv&table=contributions")
    rollup = PlanRollup.objects.get(plan__slug="tajikistan-crp-2020")
    listed = [r for r in rows if r["level"] == "contribution"]
    assert len(listed) == 5
    assert sum(_money(r["received_usd"]) for r in listed) == rollup.received_usd
    assert sum(_money(r["pledged_usd"]) for r in listed) == rollup.pledged_usd
    swiss = next(r for r in listed if r["donor"] == "Switzerland")
    assert (swiss["status"], swiss["date"], swiss["year_for"]) == ("paid", "2020-02-14", "2020")
    assert (swiss["amount"], swiss["currency"]) == ("250000.00", "CHF")
    for donor in (r for r in rows if r["level"] == "donor"):
        mine = [r for r in listed if r["donor"] == donor["donor"]]
        assert _money(donor["received_usd"]) == sum(_money(r["received_usd"]) for r in mine)
        assert _money(donor["pledged_usd"]) == sum(_money(r["pledged_usd"]) for r in mine)
    assert rows[-1]["level"] == "total"
    assert Decimal(rows[-1]["received_usd"]) == rollup.received_usd
    # The XLSX download of the page carries the same list on a second sheet.
    response = client.get(TJK + "?format=xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["tajikistan-crp-2020", "contributions"]
    sheet = list(book["contributions"].iter_rows(values_only=True))
    assert sheet[0][0] == "level" and len(sheet) == len(rows) + 1


def test_each_level_adds_up_with_its_not_specified_line(client, demo):
    rows = _csv(client, TJK + "?format=csv")
    html = client.get(TJK).content.decode()
    assert html.count('class="not-specified"') == 2
    assert "Given to the plan, not earmarked to one of its objectives." in html
    assert "Earmarked to this objective, not to one of its interventions." in html

    def money(row, column):
        return _money(row[column])

    plan = rows[0]
    objectives = [r for r in rows if r["level"] == "objective"]
    # Rows in page order: an objective, its interventions, its not-specified line (if any)…
    plan_rest = rows[-1]
    assert plan_rest["level"] == "not_specified" and plan_rest["strategic_objective"] == ""
    assert money(plan_rest, "received_usd") == Decimal("150000.00")  # the USA's, unearmarked
    for column in ("received_usd", "pledged_usd"):
        parts = sum(money(o, column) for o in objectives) + money(plan_rest, column)
        assert parts == money(plan, column), column
    groups: list[list[dict]] = []
    for row in rows[1:-1]:
        if row["level"] == "objective":
            groups.append([row])
        else:
            groups[-1].append(row)
    for objective, *below in groups:
        for column in ("received_usd", "pledged_usd"):
            assert sum(money(r, column) for r in below) == money(objective, column), objective
    second = groups[0]
    assert second[-1]["level"] == "not_specified"
    swiss = Contribution.objects.get(reference="DEMO-TJK-001").amount_usd
    assert money(second[-1], "received_usd") == swiss  # earmarked to objective 2 only
    # Objective 3's money is all earmarked to its one intervention: no line there.
    assert [r["level"] for r in groups[1]] == ["objective", "intervention"]


def test_no_not_specified_line_when_every_cent_is_earmarked(client, db):
    plan = many_plans(1, objectives=1, interventions=1)[0]
    intervention = Intervention.objects.get(objective__plan=plan)
    # many_plans earmarks its money to the objective; move it down to the intervention.
    contribution = plan.contributions.get()
    funding_services.contribution_record(
        contribution=contribution,
        donor=contribution.donor,
        plan=plan,
        objective=intervention.objective,
        intervention=intervention,
        amount=contribution.amount,
        currency=contribution.currency,
        status=contribution.status,
        contributed_on=contribution.contributed_on,
    )
    funding_services.plan_rollup_recompute(plan_id=plan.pk)
    html = client.get(f"/plans/{plan.slug}/").content.decode()
    assert "not-specified" not in html
    assert [r["level"] for r in _csv(client, f"/plans/{plan.slug}/?format=csv")] == [
        "plan",
        "objective",
        "intervention",
    ]


def test_a_year_tab_lists_the_money_for_that_year_whatever_its_date(client, demo):
    """Pakistan's demo money: the UK's GBP 50,000, dated October 2020, is GBP 20,000 for 2020 and
    GBP 30,000 for 2021 (issue #12, item 4). Each tab lists its part; the parts add up to it."""
    uk = Contribution.objects.get(reference="DEMO-PAK-001")
    parts = {}
    for year, amount in ((2020, "20,000.00"), (2021, "30,000.00")):
        rows = _donor_rows(client, PAK + f"?year={year}")
        (donor,) = [r for r in rows if r["class"] == "donor-total"]
        assert donor["cells"][0] == "United Kingdom (1 contribution)"
        (row,) = [r for r in rows if r["class"] == "contribution"]
        assert row["cells"][1:5] == ["Committed", "5 Oct 2020", str(year), f"GBP {amount}"]
        parts[year] = row["values"]["received"]
        assert donor["values"]["received"] == parts[year]
        html = client.get(PAK + f"?year={year}").content.decode()
        assert f"Funding by donor, {year}" in html
        assert "not-specified" not in html  # received is kept for the whole period below plans
    assert parts[2021] > parts[2020] > 0
    assert parts[2020] + parts[2021] == uk.amount_usd
    # The whole period lists the contribution once per year it is for, and counts it once.
    rows = _donor_rows(client, PAK)
    assert [r["cells"][3] for r in rows if r["class"] == "contribution"] == ["2020", "2021"]
    (total,) = [r for r in rows if r["class"] == "plan-total"]
    assert total["values"]["received"] == uk.amount_usd


def test_revised_from_is_shown_only_when_the_requirement_changed(
    client, demo, admin_user, django_capture_on_commit_callbacks
):
    plan = Plan.objects.get(slug="tajikistan-crp-2020")
    assert plan.first_published_required_usd == Decimal("1075000.00")  # set by publishing
    assert "revised from" not in client.get(TJK).content.decode()
    intervention = Intervention.objects.get(objective__plan=plan, title="Emergency preparedness")
    with django_capture_on_commit_callbacks(execute=True):  # the recompute, the page's bump
        funding_services.requirements_replace(
            intervention=intervention,
            rows=[{"year": 2020, "amount_usd": "200000"}],
            actor=admin_user,
        )
    html = client.get(TJK).content.decode()
    assert '<data class="usd" value="1150000.00">$1,150,000</data>' in html
    assert '<span class="revised">revised from $1,075,000</span>' in html
    plan.refresh_from_db()
    assert plan.first_published_required_usd == Decimal("1075000.00")  # kept, never moved
    # Not on a year tab (the first figure is the whole period's), nor for a plan never costed.
    assert "revised from" not in client.get(PAK).content.decode()


def test_first_publication_records_the_required_total_once(db, admin_user):
    from funding.tests.factories import RequirementFactory
    from interventions.tests.factories import InterventionFactory
    from objectives.tests.factories import ObjectiveFactory
    from plans import services_workflow as workflow

    plan = PlanFactory(status=Plan.Status.DRAFT, start_year=2024, end_year=2024)
    objective = ObjectiveFactory(plan=plan)
    for amount in ("1000.50", "2000.25"):
        RequirementFactory(
            intervention=InterventionFactory(objective=objective), year=2024, amount_usd=amount
        )
    plan = workflow.plan_submit(plan=plan, actor=admin_user)
    plan = workflow.plan_publish(plan=plan, actor=admin_user)
    assert plan.first_published_required_usd == Decimal("3000.75")
    RequirementFactory(
        intervention=InterventionFactory(objective=objective), year=2024, amount_usd="5"
    )
    plan = workflow.plan_archive(plan=plan, actor=admin_user)
    plan = workflow.plan_unarchive(plan=plan, actor=admin_user, comment="Back")
    assert plan.first_published_required_usd == Decimal("3000.75")  # the first publication's


def test_last_updated_is_the_date_the_editor_states(
    client, demo, admin_user, django_capture_on_commit_callbacks
):
    plan = Plan.objects.get(slug="tajikistan-crp-2020")
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_update(plan=plan, actor=admin_user, last_updated_on=datetime.date(2024, 5, 1))
    html = client.get(TJK).content.decode()
    assert '<time datetime="2024-05-01">1 May 2024</time>' in html
    listed = client.get("/plans/?format=csv").content.decode("utf-8-sig")
    assert "tajikistan-crp-2020" in listed and "2024-05-01" in listed
    # A funding change moves "Funding updated", never "Last updated".
    ContributionFactory(plan=plan, donor=Donor.objects.get(name="Japan"), amount=Decimal("1"))
    funding_services.plan_rollup_recompute(plan_id=plan.pk)
    plan.refresh_from_db()
    assert plan.last_updated_on == datetime.date(2024, 5, 1)
    # A content edit without a date dates the plan today.
    with django_capture_on_commit_callbacks(execute=True):
        services.plan_update(plan=plan, actor=admin_user, vision_statement="A new vision")
    today = timezone.localdate()
    html = client.get(TJK).content.decode()
    assert f'<time datetime="{today.isoformat()}">' in html
    assert "1 May 2024" not in html


def test_the_admin_edits_last_updated(client, demo):
    from django.contrib.auth import get_user_model

    plan = Plan.objects.get(slug="tajikistan-crp-2020")
    client.force_login(get_user_model().objects.get(username="editor.tjk"))
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = form_data(client.get(url).content.decode(), "plan_form")
    data["last_updated_on"] = ["2023-12-31"]
    assert client.post(url, data).status_code == 302
    plan.refresh_from_db()
    assert plan.last_updated_on == datetime.date(2023, 12, 31)
    # Saved again, the date untouched but the content changed: the edit is dated today.
    data = form_data(client.get(url).content.decode(), "plan_form")
    assert data["last_updated_on"] == ["2023-12-31"]
    data["vision_statement"] = ["Changed in the admin"]
    assert client.post(url, data).status_code == 302
    plan.refresh_from_db()
    assert plan.last_updated_on == timezone.localdate()
    # A date that is not one is refused beside the field, and nothing is saved.
    data = form_data(client.get(url).content.decode(), "plan_form")
    data["last_updated_on"] = ["31/31/2023"]
    data["vision_statement"] = ["Never saved"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "last_updated_on" in response.context["adminform"].form.errors
    plan.refresh_from_db()
    assert plan.vision_statement == "Changed in the admin"
    client.logout()
    today = timezone.localdate().isoformat()
    assert f'<time datetime="{today}">' in client.get(TJK).content.decode()


def test_the_api_shows_and_writes_last_updated(api_client, demo, admin_user):
    response = api_client.get("/api/v1/plans/tajikistan-crp-2020/")
    body = response.json()
    assert body["first_published_required_usd"] == "1075000.00"
    assert (
        body["last_updated_on"]
        == Plan.objects.get(slug="tajikistan-crp-2020").last_updated_on.isoformat()
    )
    listed = api_client.get("/api/v1/plans/").json()["results"]
    assert {p["slug"]: p["first_published_required_usd"] for p in listed} == {
        "tajikistan-crp-2020": "1075000.00",
        "pakistan-crp-2020-2021": None,  # never costed: nothing to revise from
    }
    api_client.force_authenticate(admin_user)
    etag = response["ETag"]
    bad = api_client.patch(
        "/api/v1/plans/tajikistan-crp-2020/",
        {"last_updated_on": "1 May"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert bad.status_code == 400 and "last_updated_on" in bad.json()
    ok = api_client.patch(
        "/api/v1/plans/tajikistan-crp-2020/",
        {"last_updated_on": "2024-05-01"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["last_updated_on"] == "2024-05-01"
    refused = api_client.patch(
        "/api/v1/plans/tajikistan-crp-2020/",
        {"first_published_required_usd": "1.00"},
        format="json",
        HTTP_IF_MATCH=ok["ETag"],
    )
    assert refused.status_code == 400 and "first_published_required_usd" in refused.json()


def test_a_new_contribution_reaches_the_cached_page(
    client, demo, django_capture_on_commit_callbacks
):
    first = client.get(TJK)
    assert client.get(TJK)["X-Page-Cache"] == "hit"  # served from the cache from now on
    assert "Norway" not in first.content.decode()
    plan = Plan.objects.get(slug="tajikistan-crp-2020")
    with django_capture_on_commit_callbacks(execute=True):
        funding_services.contribution_record(
            donor=DonorFactory(name="Norway"),
            plan=plan,
            amount=Decimal("5000.00"),
            currency=Currency.objects.get(code="USD"),
            status=Contribution.Status.PLEDGED,
            contributed_on=datetime.date(2020, 11, 2),
        )
    response = client.get(TJK)
    assert response["X-Page-Cache"] == "miss"
    html = response.content.decode()
    assert "Norway" in html and "2 Nov 2020" in html


def _donors_for(plan: Plan, count: int) -> None:
    usd = Currency.objects.get(code="USD")
    for n in range(count):
        funding_services.contribution_record(
            donor=DonorFactory(),
            plan=plan,
            amount=Decimal(100 + n),
            currency=usd,
            status=Contribution.Status.PAID if n % 2 else Contribution.Status.PLEDGED,
            contributed_on=datetime.date(plan.start_year, 1 + n % 12, 1),
        )
    funding_services.plan_rollup_recompute(plan_id=plan.pk)


@pytest.mark.parametrize(
    "query", ["", "?year=2021", "?format=csv", "?format=csv&table=contributions"]
)
def test_the_page_costs_the_same_queries_for_2_donors_and_for_40(
    client, db, query, django_assert_max_num_queries
):
    small, large = many_plans(2, objectives=2, interventions=2)
    _donors_for(large, 38)
    counts = {}
    for plan in (small, large):
        with django_assert_max_num_queries(17) as queries:  # test_public_pages says which
            response = client.get(f"/plans/{plan.slug}/{query}")
        assert response.status_code == 200
        counts[plan.slug] = len(queries)
    assert counts[small.slug] == counts[large.slug], counts
    if not query:
        html = client.get(f"/plans/{large.slug}/").content.decode()
        assert html.count('class="donor-total"') == 39  # its own donor and 38 more


def test_existing_plans_get_last_updated_from_their_last_save(db):
    import importlib
    import pkgutil

    from django.apps import apps

    import plans.migrations

    name = next(
        m.name
        for m in pkgutil.iter_modules(plans.migrations.__path__)
        if m.name.endswith("_last_updated_on_first_published_required")
    )
    migration = importlib.import_module(f"plans.migrations.{name}")
    saved = PlanFactory()
    published = PlanFactory()
    utc = datetime.UTC
    Plan.objects.filter(pk=saved.pk).update(
        updated_at=datetime.datetime(2021, 3, 4, 12, tzinfo=utc),
        last_updated_on=datetime.date(2000, 1, 1),
    )
    Plan.objects.filter(pk=published.pk).update(
        updated_at=datetime.datetime(2021, 3, 4, 12, tzinfo=utc),
        published_at=datetime.datetime(2022, 6, 7, 12, tzinfo=utc),
    )
    migration.last_updated_from_saves(apps, None)
    saved.refresh_from_db()
    published.refresh_from_db()
    assert saved.last_updated_on == datetime.date(2021, 3, 4)
    assert published.last_updated_on == datetime.date(2022, 6, 7)
