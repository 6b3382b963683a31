"""Issue #15, item 2: a plan's context indicators (INFORM Risk and Severity, HDI rank, State of
Fragility, each with its source and year) and its ways of working (key operating modalities,
cross-cutting priorities, chosen from loaded catalogs): edited in the admin and the API through
the services, shown in the plan's header as the published pages show them, in the API and the
exports, filterable, and importable from a CSV of country, indicator, year, value."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from lxml import html

from crp_portal.tests.forms import form_data
from plans import services
from plans import services_workflow as workflow
from plans.data.context import CROSS_CUTTING_PRIORITIES, OPERATING_MODALITIES
from plans.models import ContextIndicator, CrossCuttingPriority, OperatingModality, Plan
from plans.tests.factories import PlanFactory

TJK = "tajikistan-crp-2020"
PAK = "pakistan-crp-2020-2021"
RISK = {"kind": "inform_risk", "year": 2020, "value": Decimal("8.9")}
SEVERITY = {"kind": "inform_severity", "year": 2020, "value": Decimal("5")}
HDI = {"kind": "hdi_rank", "year": 2019, "value": Decimal("193"), "of_total": 193}
FRAGILE = {"kind": "fragility", "year": 2020, "label": "Extremely fragile"}


def _user(name):
    return get_user_model().objects.get(username=name)


def _indicators(plan) -> dict[str, str]:
    return {i.kind: i.text for i in ContextIndicator.objects.filter(plan=plan)}


# --- The rules of each kind ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("8.9", "Very high"),
        ("6.5", "Very high"),
        ("6.4", "High"),
        ("5.0", "High"),
        ("4.9", "Medium"),
        ("3.5", "Medium"),
        ("2.0", "Low"),
        ("1.9", "Very low"),
        ("0", "Very low"),
    ],
)
def test_an_inform_risk_score_takes_the_class_inform_publishes(demo, value, label):
    plan = demo[TJK]
    row = {**RISK, "value": Decimal(value)}
    services.indicators_replace(plan=plan, rows=[row], actor=_user("editor.tjk"))
    indicator = ContextIndicator.objects.get(plan=plan)
    assert indicator.label == label
    assert indicator.text == f"{Decimal(value):.1f}, {label}"
    assert indicator.source == "INFORM Risk Index"  # left empty: the publisher


def test_the_published_pages_four_indicators_read_as_they_do_there(demo):
    plan = demo[TJK]
    rows = [RISK, SEVERITY, HDI, FRAGILE]
    services.indicators_replace(plan=plan, rows=rows, actor=_user("editor.tjk"))
    assert _indicators(plan) == {
        "inform_risk": "8.9, Very high",
        "inform_severity": "5, Very high",
        "hdi_rank": "193 of 193",
        "fragility": "Extremely fragile",
    }


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ({**RISK, "value": Decimal("10.5")}, "value", "A score from 0 to 10."),
        ({**RISK, "value": None}, "value", "Give the score."),
        ({**SEVERITY, "value": Decimal("4.3")}, "label", "Give the label the source states"),
        ({**HDI, "of_total": None}, "of_total", "Give the number of countries ranked."),
        ({**HDI, "value": Decimal("194")}, "of_total", "past the number of countries ranked"),
        ({**HDI, "value": Decimal("12.5")}, "value", "a whole number from 1"),
        ({**FRAGILE, "label": ""}, "label", "Give the label"),
        ({**FRAGILE, "value": Decimal("3")}, "value", "a label, without a value"),
    ],
)
def test_an_indicator_that_breaks_its_kinds_rule_is_refused_saying_why(demo, row, field, words):
    plan = demo[TJK]
    version = Plan.objects.get(pk=plan.pk).version
    with pytest.raises(ValidationError) as refused:
        services.indicators_replace(plan=plan, rows=[row], actor=_user("editor.tjk"))
    assert words in " ".join(refused.value.message_dict[field])
    assert not ContextIndicator.objects.exists()
    assert Plan.objects.get(pk=plan.pk).version == version


def test_indicators_are_plan_content_editors_of_its_country_only_never_archived(demo):
    plan = demo[TJK]
    with pytest.raises(PermissionDenied):
        services.indicators_replace(plan=plan, rows=[RISK], actor=_user("editor.pak"))
    workflow.plan_transition(name="archive", plan=plan, actor=_user("reviewer"))
    with pytest.raises(ValidationError):
        services.indicators_replace(plan=plan, rows=[RISK], actor=_user("editor.tjk"))
    assert not ContextIndicator.objects.exists()


def test_a_change_is_a_new_version_with_the_indicators_history(demo):
    plan = demo[TJK]
    editor = _user("editor.tjk")
    services.indicators_replace(plan=plan, rows=[RISK], actor=editor)
    version = Plan.objects.get(pk=plan.pk).version
    services.indicators_replace(plan=plan, rows=[{**RISK, "value": Decimal("4.1")}], actor=editor)
    assert Plan.objects.get(pk=plan.pk).version == version + 1
    history = ContextIndicator.history.filter(plan_id=plan.pk).order_by("history_date")
    assert [(h.value, h.label, h.history_user) for h in history] == [
        (Decimal("8.9"), "Very high", editor),
        (Decimal("4.1"), "Medium", editor),
    ]


# --- Ways of working ---------------------------------------------------------------------------


def test_the_catalogs_are_loaded_in_the_published_order(db):
    assert list(OperatingModality.objects.values_list("name", flat=True)) == list(
        OPERATING_MODALITIES.values()
    )
    assert list(CrossCuttingPriority.objects.values_list("slug", flat=True)) == list(
        CROSS_CUTTING_PRIORITIES
    )
    assert OperatingModality.objects.count() == 6 and CrossCuttingPriority.objects.count() == 7


def test_a_retired_modality_cannot_be_chosen_for_a_later_plan_and_stays_where_it_was(demo):
    plan = demo[TJK]
    editor = _user("editor.tjk")
    cash = OperatingModality.objects.get(slug="cash-based-interventions")
    services.plan_update(plan=plan, actor=editor, modalities=[cash])
    cash.retired_on = datetime.date(2020, 1, 1)
    cash.save()
    services.plan_update(plan=plan, actor=editor, modalities=[cash], title="Renamed")  # kept
    later = PlanFactory(slug="tjk-2021", start_year=2021, end_year=2021, status="draft")
    with pytest.raises(ValidationError) as refused:
        services.plan_update(plan=later, actor=editor, modalities=[cash])
    assert "was retired on 2020-01-01" in str(refused.value)
    assert not later.modalities.exists()


# --- The admin ---------------------------------------------------------------------------------


def test_an_editor_states_indicators_and_ways_of_working_on_the_plans_admin_page(client, demo):
    plan = demo[TJK]
    client.force_login(_user("editor.tjk"))
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = form_data(client.get(url).content.decode(), "plan_form")
    data["modalities"] = [str(OperatingModality.objects.get(slug="localization").pk)]
    data["priorities"] = [
        str(p.pk) for p in CrossCuttingPriority.objects.filter(slug__in=["psea", "gender-equality"])
    ]
    data["indicators-TOTAL_FORMS"] = ["2"]
    rows = {
        "indicators-0-kind": ["inform_risk"],
        "indicators-0-year": ["2020"],
        "indicators-0-value": ["8.9"],
        "indicators-1-kind": ["hdi_rank"],
        "indicators-1-year": ["2019"],
        "indicators-1-value": ["194"],
        "indicators-1-of_total": ["193"],
    }
    refused = client.post(url, {**data, **rows})
    assert refused.status_code == 200
    assert "The rank is past the number of countries ranked." in refused.content.decode()
    assert not ContextIndicator.objects.exists() and not plan.modalities.exists()

    rows["indicators-1-value"] = ["125"]
    rows["indicators-1-of_total"] = ["189"]
    saved = client.post(url, {**data, **rows})
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert _indicators(plan) == {"inform_risk": "8.9, Very high", "hdi_rank": "125 of 189"}
    assert list(plan.modalities.values_list("slug", flat=True)) == ["localization"]
    assert set(plan.priorities.values_list("slug", flat=True)) == {"psea", "gender-equality"}
    assert Plan.history.filter(id=plan.pk).count() > 1


# --- The page ------------------------------------------------------------------------------------


@pytest.fixture
def stated(demo):
    plan = demo[TJK]
    editor = _user("editor.tjk")
    services.indicators_replace(
        plan=plan,
        rows=[RISK, {**HDI, "source_url": "https://hdr.undp.org/"}, FRAGILE],
        actor=editor,
    )
    services.plan_update(
        plan=plan,
        actor=editor,
        modalities=OperatingModality.objects.filter(
            slug__in=["localization", "conflict-sensitivity"]
        ),
        priorities=CrossCuttingPriority.objects.filter(slug="protection-mainstreaming"),
    )
    return plan


def test_the_header_shows_each_indicator_with_its_source_and_year(client, stated):
    page = html.fromstring(client.get(f"/plans/{TJK}/").content)
    items = page.cssselect("header dl.indicators > div")
    shown = [
        (i.cssselect("dt")[0].text_content(), " ".join(i.cssselect("dd")[0].text_content().split()))
        for i in items
    ]
    assert shown == [
        ("INFORM Risk", "8.9, Very high INFORM Risk Index, 2020"),
        ("Human Development Index rank", "193 of 193 UNDP Human Development Report, 2019"),
        ("State of Fragility", "Extremely fragile OECD States of Fragility, 2020"),
    ]
    assert items[1].cssselect("a")[0].get("href") == "https://hdr.undp.org/"


def test_the_ways_of_working_are_listed_and_lead_to_the_plans_naming_them(client, stated):
    other = PlanFactory(slug="other-crp", countries=["PAK"])
    page = html.fromstring(client.get(f"/plans/{TJK}/").content)
    section = page.cssselect("section.ways-of-working")[0]
    assert [a.text_content() for a in section.cssselect("a.tag")] == [
        "Conflict sensitivity",
        "Localization",
        "Protection mainstreaming",
    ]
    link = section.cssselect("a.tag")[1].get("href")
    assert link == "/plans/?modality=localization"
    listed = html.fromstring(client.get(link).content)
    slugs = [a.get("href").split("/")[-2] for a in listed.cssselect(".plans-table tbody th a")]
    assert slugs == [TJK] and other.slug not in slugs
    assert listed.cssselect("#id_modality option[selected]")[0].get("value") == "localization"


def test_the_dashboard_under_a_priority_counts_only_the_plans_naming_it(client, stated):
    """Tajikistan's plan is the only one naming the priority and the only plan of Tajikistan:
    the dashboard's figures under either filter are the same, and not those of all plans."""

    def figures(query):
        page = html.fromstring(client.get(f"/funding/{query}").content)
        cells = page.cssselect("section.chart-block table td")
        return [" ".join(td.text_content().split()) for td in cells]

    chosen = figures("?priority=protection-mainstreaming")
    assert chosen and chosen == figures("?country=TJK")
    assert chosen != figures("")


def test_a_plan_without_any_shows_neither_section(client, demo):
    page = html.fromstring(client.get(f"/plans/{PAK}/").content)
    assert not page.cssselect("dl.indicators") and not page.cssselect("section.ways-of-working")


# --- The API and exports ---------------------------------------------------------------------------


def test_the_api_detail_gives_indicators_and_ways_of_working(api_client, stated):
    body = api_client.get(f"/api/v1/plans/{TJK}/").json()
    assert body["indicators"][0] == {
        "kind": "inform_risk",
        "name": "INFORM Risk",
        "year": 2020,
        "value": "8.9",
        "of_total": None,
        "label": "Very high",
        "text": "8.9, Very high",
        "source": "INFORM Risk Index",
        "source_url": "",
    }
    assert [(i["kind"], i["value"], i["text"]) for i in body["indicators"][1:]] == [
        ("hdi_rank", "193", "193 of 193"),
        ("fragility", None, "Extremely fragile"),
    ]
    assert body["modalities"] == [
        {"slug": "conflict-sensitivity", "name": "Conflict sensitivity"},
        {"slug": "localization", "name": "Localization"},
    ]
    assert body["cross_cutting_priorities"] == [
        {"slug": "protection-mainstreaming", "name": "Protection mainstreaming"}
    ]


def test_an_editor_patches_indicators_and_ways_of_working_with_if_match(api_client, stated):
    api_client.force_authenticate(_user("editor.tjk"))
    url = f"/api/v1/plans/{TJK}/"
    etag = api_client.get(url)["ETag"]
    body = {
        "indicators": [{"kind": "inform_severity", "year": 2021, "value": "4.3", "label": "High"}],
        "modalities": ["cash-based-interventions"],
        "cross_cutting_priorities": [],
    }
    response = api_client.patch(url, body, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert [(i["kind"], i["text"]) for i in answer["indicators"]] == [
        ("inform_severity", "4.3, High")
    ]
    assert [m["slug"] for m in answer["modalities"]] == ["cash-based-interventions"]
    assert answer["cross_cutting_priorities"] == []

    stale = api_client.patch(url, {"modalities": []}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    bad = api_client.patch(
        url,
        {"indicators": [{"kind": "hdi_rank", "year": 2020, "value": "3"}]},
        format="json",
        HTTP_IF_MATCH=response["ETag"],
    )
    assert bad.status_code == 400
    assert "Give the number of countries ranked." in str(bad.json())
    unknown = api_client.patch(
        url, {"modalities": ["telepathy"]}, format="json", HTTP_IF_MATCH=response["ETag"]
    )
    assert unknown.status_code == 400 and "telepathy" in str(unknown.json())


def test_the_plans_list_filters_by_modality_and_priority(api_client, stated):
    PlanFactory(slug="other-crp", countries=["PAK"])

    def slugs(query):
        response = api_client.get(f"/api/v1/plans/?{query}")
        assert response.status_code == 200, response.json()
        return [p["slug"] for p in response.json()["results"]]

    assert slugs("modality=localization") == [TJK]
    assert slugs("priority=protection-mainstreaming&priority=psea") == [TJK]
    assert slugs("priority=psea") == []
    assert api_client.get("/api/v1/plans/?modality=nope").status_code == 400


def test_the_plans_csv_carries_indicators_and_ways_of_working(api_client, stated):
    response = api_client.get("/api/v1/plans/?format=csv")
    text = b"".join(response.streaming_content).decode()
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["Plan code"] == TJK)
    assert row["INFORM Risk"] == "8.9, Very high"
    assert row["HDI rank"] == "193 of 193"
    assert row["INFORM Severity"] == ""
    assert row["Key operating modalities"] == "conflict-sensitivity; localization"
    assert row["Cross-cutting priorities"] == "protection-mainstreaming"


def test_the_catalogs_are_public_and_administrators_add_to_them(api_client, superuser, editor):
    listed = api_client.get("/api/v1/modalities/").json()["results"]
    assert [m["slug"] for m in listed] == list(OPERATING_MODALITIES)
    assert api_client.get("/api/v1/cross-cutting-priorities/").json()["count"] == 7
    entry = {"slug": "anticipatory-action", "name": "Anticipatory action", "position": 7}
    api_client.force_authenticate(editor)
    assert api_client.post("/api/v1/modalities/", entry, format="json").status_code == 403
    api_client.force_authenticate(superuser)
    created = api_client.post("/api/v1/modalities/", entry, format="json")
    assert created.status_code == 201, created.json()
    assert OperatingModality.objects.get(slug="anticipatory-action").name == "Anticipatory action"


def test_a_renamed_modality_resurfaces_the_plans_naming_it_under_updated_since(
    api_client, stated, superuser, on_postgres
):
    """The plan's own row is not written by a rename: the sync trigger stamps it."""
    from plans.services_catalogs import catalog_entry_save

    mark = Plan.objects.get(slug=TJK).changed_at
    localization = OperatingModality.objects.get(slug="localization")
    catalog_entry_save(
        actor=superuser, model=OperatingModality, entry=localization, name="Localisation"
    )
    assert Plan.objects.get(slug=TJK).changed_at > mark
    later = Plan.objects.get(slug=TJK).changed_at.isoformat().replace("+00:00", "Z")
    again = api_client.get("/api/v1/plans/", {"updated_since": later}).json()["results"]
    assert [p["slug"] for p in again] == [TJK]
    detail = api_client.get(f"/api/v1/plans/{TJK}/").json()
    assert {"slug": "localization", "name": "Localisation"} in detail["modalities"]


# --- The CSV import ------------------------------------------------------------------------------


def _csv(tmp_path, lines: list[str]):
    path = tmp_path / "indicators.csv"
    path.write_text("\n".join(["country,indicator,year,value,of,label,source", *lines]) + "\n")
    return path


def _import(path, *args):
    out = io.StringIO()
    call_command(
        "import_indicators", str(path), "--user", "editor.tjk", "--no-progress", *args, stdout=out
    )
    return out.getvalue()


def test_the_import_writes_each_row_to_its_countrys_plans_covering_the_year(tmp_path, demo):
    plan = demo[TJK]
    path = _csv(
        tmp_path,
        [
            "TJK,INFORM Risk,2020,4.1,,,",
            "Tajikistan,hdi_rank,2020,125 of 189,,,UNDP HDR 2019",
            "TJK,fragility,2020,Fragile,,,",
            "TJK,inform_risk,2031,3.0,,,",
        ],
    )
    version = Plan.objects.get(pk=plan.pk).version
    dry = _import(path, "--dry-run")
    assert not ContextIndicator.objects.exists()
    out = _import(path)
    assert _indicators(plan) == {
        "inform_risk": "4.1, Medium",
        "hdi_rank": "125 of 189",
        "fragility": "Fragile",
    }
    assert ContextIndicator.objects.get(kind="hdi_rank").source == "UNDP HDR 2019"
    assert Plan.objects.get(pk=plan.pk).version == version + 1  # one version for the file
    assert "Row 5: no plan (No plan of Tajikistan covers 2031.)" in out
    assert "4 rows: 3 written to 1 plans, 1 reached no plan, 0 refused." in out
    assert dry.replace("would be written", "written") == out  # the same report

    again = _import(path)  # idempotent: nothing new, no new version
    assert Plan.objects.get(pk=plan.pk).version == version + 1
    assert "3 written to 1 plans" in again


def test_a_refused_row_keeps_the_whole_file_out_saying_which(tmp_path, demo):
    path = _csv(
        tmp_path,
        ["TJK,INFORM Risk,2020,4.1,,,", "XXX,INFORM Risk,2020,4.1,,,", "TJK,INFORM Mood,2020,1,,,"],
    )
    with pytest.raises(CommandError, match="nothing was written"):
        out = io.StringIO()
        call_command(
            "import_indicators", str(path), "--user", "editor.tjk", "--no-progress", stdout=out
        )
    assert "Row 3: country: “XXX” is neither an ISO 3166 alpha-3 code" in out.getvalue()
    assert "Row 4: indicator: “INFORM Mood” is not one of" in out.getvalue()
    assert not ContextIndicator.objects.exists()


def test_the_import_is_as_its_user_and_leaves_archived_plans_as_published(tmp_path, demo):
    path = _csv(tmp_path, ["TJK,INFORM Risk,2020,4.1,,,"])
    with pytest.raises(CommandError):
        call_command(
            "import_indicators",
            str(path),
            "--user",
            "editor.pak",
            "--no-progress",
            stdout=io.StringIO(),
        )
    assert not ContextIndicator.objects.exists()
    workflow.plan_transition(name="archive", plan=demo[TJK], actor=_user("reviewer"))
    out = _import(path)
    assert "is archived: kept as published" in out
    assert not ContextIndicator.objects.exists()


def test_a_header_that_does_not_fit_is_refused_naming_the_columns(tmp_path, demo):
    path = tmp_path / "bad.csv"
    path.write_text("country,indicator,score\nTJK,inform_risk,4\n")
    with pytest.raises(CommandError, match="missing columns: year, value; unknown columns: score"):
        _import(path)


def test_a_restore_brings_the_indicators_of_the_earlier_version_back(demo):
    from plan_history.restore import plan_restore

    plan = demo[TJK]
    editor = _user("editor.tjk")
    services.indicators_replace(plan=plan, rows=[RISK, FRAGILE], actor=editor)
    then = Plan.history.filter(id=plan.pk).first()  # the version with those two
    services.indicators_replace(plan=plan, rows=[{**RISK, "value": Decimal("2.2")}], actor=editor)
    assert _indicators(plan) == {"inform_risk": "2.2, Low"}
    plan_restore(
        plan=plan,
        actor=editor,
        history_id=then.history_id,
        expected_version=Plan.objects.get(pk=plan.pk).version,
    )
    assert _indicators(plan) == {"inform_risk": "8.9, Very high", "fragility": "Extremely fragile"}


def test_the_import_leaves_a_regional_plan_of_the_country_to_the_admin(tmp_path, demo):
    regional = PlanFactory(slug="central-asia-2020", countries=["TJK", "KGZ"], status="draft")
    path = _csv(tmp_path, ["TJK,INFORM Risk,2020,4.1,,,"])
    out = _import(path)
    assert "Row 2: tajikistan-crp-2020" in out
    assert not ContextIndicator.objects.filter(plan=regional).exists()
    assert ContextIndicator.objects.filter(plan=demo[TJK]).count() == 1
