"""FTS flows in (issue #14, item 4): pages of FTS's public flow API, made here in its shape,
become contributions to the right plans with FTS's USD amounts to the dollar; a re-import never
duplicates; unmatched flows are listed; the admin queues uploads and assigns what matched
nothing."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from funding.imports.fts import fts_pages_read
from funding.models import Contribution, Donor, FtsClusterSector, FtsImportRun, FtsUnmatchedFlow
from funding.services.fts_imports import fts_import
from interventions.models import Sector
from interventions.tests.factories import InterventionFactory
from objectives.tests.factories import ObjectiveFactory
from plans.tests.factories import PlanFactory, Role, UserFactory, assign

pytestmark = pytest.mark.django_db

US = ("2933", "Norway, Government of", ["Government"])
ECHO = ("2950", "European Commission's Humanitarian Aid Department", ["Multilateral Organization"])
POOLED = ("9001", "A Country-Based Pooled Fund", ["Pooled Funds"])
IOM = "2986"


def flow(
    id,
    usd,
    status="paid",
    *,
    source=US,
    to=IOM,
    location="Tajikistan",
    year=2020,
    amount=None,
    currency=None,
    rate=None,
    parent=None,
    children=None,
    cluster=None,
    boundary="incoming",
    version=1,
    date="2020-03-10T00:00:00Z",
):
    """One flow in the shape of FTS's /v1/public/fts/flow."""
    destinations = [
        {"type": "Organization", "id": to, "name": "Us", "behavior": "single"},
        {"type": "Location", "id": "1", "name": location, "behavior": "single"},
        {"type": "UsageYear", "id": "41", "name": str(year), "behavior": "single"},
    ]
    if cluster:
        destinations.append({"type": "GlobalCluster", "id": "7", "name": cluster})
    return {
        "id": str(id),
        "versionId": version,
        "amountUSD": usd,
        "originalAmount": amount,
        "originalCurrency": currency,
        "exchangeRate": rate,
        "status": status,
        "flowType": "Parked" if children else "Standard",
        "boundary": boundary,
        "date": date,
        "parentFlowId": parent,
        "childFlowIds": children,
        "refCode": f"REF-{id}",
        "sourceObjects": [
            {
                "type": "Organization",
                "id": source[0],
                "name": source[1],
                "organizationTypes": source[2],
            },
            {"type": "UsageYear", "id": "41", "name": str(year)},
        ],
        "destinationObjects": destinations,
    }


def page(*flows) -> bytes:
    return json.dumps({"status": "ok", "data": {"flows": list(flows)}, "meta": {}}).encode()


FLOWS = [
    flow(900001, 226244, amount=2000000, currency="NOK", rate=8.84),
    flow(900002, 150000, "commitment", date="2020-05-02T00:00:00Z"),
    flow(900003, 89989, "pledge", source=ECHO, amount=80000, currency="EUR", rate=0.889),
    flow(900010, 0, "commitment", source=ECHO, location="Pakistan", amount=500000,
         currency="EUR", rate=0.905, children=[900011, 900012], year=2021),
    flow(900011, 276243, "commitment", source=ECHO, location="Pakistan", amount=250000,
         currency="EUR", rate=0.905, parent=900010, year=2020),
    flow(900012, 276243, "commitment", source=ECHO, location="Pakistan", amount=250000,
         currency="EUR", rate=0.905, parent=900010, year=2021),
    flow(900020, 40000, source=POOLED, location="Pakistan", boundary="internal"),
    flow(900030, 310000, to="3049"),  # to another organisation
    flow(900040, 55006, location="Kyrgyzstan", amount=500000, currency="NOK", rate=9.09),
]  # fmt: skip


@pytest.fixture
def plans():
    return {
        "tjk": PlanFactory(slug="tjk-2020", countries=["TJK"]),
        "pak": PlanFactory(slug="pak-2020", countries=["PAK"], end_year=2021),
    }


def _import(*flows, dry_run=False):
    return fts_import(flows=fts_pages_read([("page.json", page(*flows))]), dry_run=dry_run)


def test_flows_to_us_become_contributions_with_ftss_figures(plans):
    report = _import(*FLOWS)
    saved = {c.fts_flow_id: c for c in Contribution.objects.all()}
    assert sorted(saved) == [900001, 900002, 900003, 900011, 900012, 900020]
    nok = saved[900001]
    assert (nok.plan, nok.amount, nok.currency_id, nok.units_per_usd, nok.amount_usd) == (
        plans["tjk"],
        Decimal("2000000.00"),
        "NOK",
        Decimal("8.84"),
        Decimal("226244.00"),  # as FTS published it, not 2,000,000 ÷ 8.84 = 226,244.34
    )
    assert (nok.status, nok.contributed_on.isoformat(), nok.reference) == (
        "paid",
        "2020-03-10",
        "REF-900001",
    )
    assert saved[900002].status == "committed" and saved[900002].currency_id == "USD"
    assert saved[900003].status == "pledged"
    # The split parent is not counted; its children are, each for its usage year.
    assert [
        (c.plan, list(c.years.values_list("year", flat=True)))
        for c in (saved[900011], saved[900012])
    ] == [
        (plans["pak"], [2020]),
        (plans["pak"], [2021]),
    ]
    assert saved[900020].donor.kind == "pooled_fund"  # an internal flow to us counts
    assert Donor.objects.get(fts_organization_id=2950).kind == "multilateral"
    # Nothing dropped: Kyrgyzstan has no plan, so its flow is listed with the reason.
    (unmatched,) = FtsUnmatchedFlow.objects.all()
    assert (unmatched.flow_id, unmatched.reason) == (900040, "no plan of Kyrgyzstan covers 2020.")
    # FTS's totals of the flows to us, to the dollar: what was recorded plus what is listed.
    recorded = sum(c.amount_usd for c in saved.values() if c.status != "pledged")
    assert recorded + unmatched.amount_usd == Decimal("1023736.00")
    assert report.usd["pledged"] == Decimal("89989")
    assert (report.count("new"), report.split, report.not_ours, len(report.unmatched)) == (
        6,
        1,
        1,
        1,
    )


def test_a_reimport_never_duplicates_and_a_newer_version_updates(plans):
    _import(*FLOWS)
    versions = dict(Contribution.objects.values_list("fts_flow_id", "version"))
    report = _import(*FLOWS)
    assert report.count("unchanged") == 6 and report.count("new") == 0
    assert dict(Contribution.objects.values_list("fts_flow_id", "version")) == versions
    newer = flow(900002, 175000, "paid", version=2, date="2020-05-02T00:00:00Z")
    older = flow(900001, 1, version=0)  # an older version never overwrites a newer one
    report = _import(newer, older)
    assert report.count("updated") == 1 and report.count("unchanged") == 1
    changed = Contribution.objects.get(fts_flow_id=900002)
    assert (changed.amount_usd, changed.status, changed.fts_version_id) == (
        Decimal("175000.00"),
        "paid",
        2,
    )
    assert Contribution.objects.get(fts_flow_id=900001).amount_usd == Decimal("226244.00")
    assert Contribution.objects.count() == 6


def test_a_dry_run_writes_nothing_and_reports_the_same(plans):
    dry = _import(*FLOWS, dry_run=True)
    assert not Contribution.objects.exists() and not FtsUnmatchedFlow.objects.exists()
    assert not Donor.objects.filter(fts_organization_id__isnull=False).exists()
    real = _import(*FLOWS)
    assert dry.summary().replace(" A dry run: nothing was written.", "") == real.summary()


def test_a_cluster_mapped_to_one_interventions_sector_earmarks_it(plans):
    shelter, health = Sector.objects.order_by("slug")[:2]
    FtsClusterSector.objects.create(global_cluster="Emergency Shelter and NFI", sector=shelter)
    objective = ObjectiveFactory(plan=plans["tjk"])
    target = InterventionFactory(objective=objective, sector=shelter)
    InterventionFactory(objective=objective, sector=health)
    _import(flow(1, 100, cluster="Emergency Shelter and NFI"), flow(2, 100, cluster="Protection"))
    assert Contribution.objects.get(fts_flow_id=1).intervention == target
    assert Contribution.objects.get(fts_flow_id=2).intervention is None  # no mapping: the plan
    InterventionFactory(objective=objective, sector=shelter)  # now two: the plan, not a guess
    _import(flow(3, 100, cluster="Emergency Shelter and NFI"))
    assert Contribution.objects.get(fts_flow_id=3).intervention is None


def test_the_command_reads_pages_prints_the_report_and_refuses_a_wrong_file(plans, tmp_path):
    first, second = tmp_path / "p1.json", tmp_path / "p2.json"
    first.write_bytes(page(*FLOWS[:4]))
    second.write_bytes(page(*FLOWS[4:]))
    out = io.StringIO()
    call_command("import_fts", str(first), str(second), "--dry-run", "--no-progress", stdout=out)
    assert (
        "Unmatched flow 900040 (55,006 USD): no plan of Kyrgyzstan covers 2020." in out.getvalue()
    )
    assert "6 new" in out.getvalue() and "A dry run: nothing was written." in out.getvalue()
    assert not Contribution.objects.exists()
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(Exception, match="not a page of FTS's flow API"):
        call_command("import_fts", str(bad), "--no-progress", stdout=io.StringIO())


@pytest.fixture
def officer(client):
    user = UserFactory(username="officer")
    assign(user, Role.FUNDING_OFFICER, "TJK", "PAK", "KGZ")
    client.force_login(user)
    return user


def test_the_admin_queues_an_upload_and_assigns_an_unmatched_flow(
    client, officer, plans, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("fts.json", page(*FLOWS), content_type="application/json")
    with django_capture_on_commit_callbacks(execute=True):  # queued after commit
        response = client.post(reverse("admin:funding_ftsimportrun_add"), {"pages": [upload]})
    assert response.status_code == 302, response.text[:3000]
    run = FtsImportRun.objects.get()  # the task ran inline here (a real worker in production)
    assert run.status == "done" and run.pages == []
    assert "6 new" in run.report and "Unmatched flow 900040" in run.report
    assert Contribution.objects.filter(fts_flow_id__isnull=False).count() == 6

    kgz = PlanFactory(slug="kgz-2020", countries=["KGZ"])
    unmatched = FtsUnmatchedFlow.objects.get()
    changelist = reverse("admin:funding_ftsunmatchedflow_changelist")
    data = {"action": "assign_to_plan", "_selected_action": [unmatched.pk]}
    assert "Assign FTS flows to a plan" in client.post(changelist, data).text
    wrong = PlanFactory(slug="kgz-2022", countries=["KGZ"], start_year=2022, end_year=2022)
    client.post(changelist, {**data, "plan": wrong.pk})
    assert FtsUnmatchedFlow.objects.exists()  # refused: its year is not one of that plan's
    done = client.post(changelist, {**data, "plan": kgz.pk}, follow=True)
    assert "Flow 900040 recorded on kgz-2020." in done.text
    assert Contribution.objects.get(fts_flow_id=900040).amount_usd == Decimal("55006.00")
    assert not FtsUnmatchedFlow.objects.exists()


def test_someone_who_is_not_a_funding_officer_cannot_upload(client, plans):
    editor = UserFactory(username="editor")
    assign(editor, Role.EDITOR, "TJK")
    client.force_login(editor)
    assert client.get(reverse("admin:funding_ftsimportrun_add")).status_code == 403


def test_an_officer_assigns_only_onto_plans_of_their_countries(client, plans):
    officer = UserFactory(username="officer-tjk")
    assign(officer, Role.FUNDING_OFFICER, "TJK")
    client.force_login(officer)
    _import(FLOWS[-1])  # Kyrgyzstan: unmatched
    kgz = PlanFactory(slug="kgz-2020", countries=["KGZ"])
    unmatched = FtsUnmatchedFlow.objects.get()
    done = client.post(
        reverse("admin:funding_ftsunmatchedflow_changelist"),
        {"action": "assign_to_plan", "_selected_action": [unmatched.pk], "plan": kgz.pk},
        follow=True,
    )
    assert "Flow 900040:" in done.text  # refused in the service's words
    assert not Contribution.objects.exists() and FtsUnmatchedFlow.objects.exists()
