"""Issue #15, item 3: an archived plan is a past plan and stays public (its page marked
"Archived", listed under Past plans, in the API with its status, its figures still counted for
the years it covered); withdrawing, a separate reviewer's step, takes a plan out of public view
and into the deletions feed. Past plans of a country link to each other."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from lxml import html
from pypdf import PdfReader

from conftest import require
from funding.selectors_shown import published_totals
from funding.services import dirty
from partners.models import Deletion
from plans import services_workflow as workflow
from plans.models import Plan
from plans.tests.factories import PlanFactory
from public_pages import pdf

TJK = "tajikistan-crp-2020"
PAK = "pakistan-crp-2020-2021"


def _user(name):
    return get_user_model().objects.get(username=name)


def _archive(plan):
    return workflow.plan_archive(plan=plan, actor=_user("reviewer"), comment="Superseded")


def _withdraw(plan, comment="Published in error"):
    return workflow.plan_withdraw(plan=plan, actor=_user("reviewer"), comment=comment)


def _list_slugs(client, query: str = "") -> list[str]:
    page = html.fromstring(client.get(f"/plans/{query}").content)
    return [a.get("href").split("/")[-2] for a in page.cssselect(".plans-table tbody th a")]


def _by_year(api_client) -> list[dict]:
    """The summary by year, from the stored group rollups (recomputed first) and computed live
    under a filter, without the computed_at stamps."""
    dirty.group_rollups_recompute()
    answers = []
    for query in ("group_by=year", "group_by=year&country=TJK"):
        rows = api_client.get(f"/api/v1/funding/summary/?{query}").json()["results"]
        assert rows
        answers.append([{k: v for k, v in r.items() if k != "computed_at"} for r in rows])
    return answers


def test_an_archived_plan_stays_public_marked_archived(client, demo):
    _archive(demo[TJK])
    response = client.get(f"/plans/{TJK}/")
    assert response.status_code == 200
    page = html.fromstring(response.content)
    assert page.cssselect("header .badge.archived")[0].text_content() == "Archived"
    notice = page.cssselect("header .notice")[0].text_content()
    assert "This is a past plan, kept as it was published for 2020." in notice


def test_an_archived_plans_pdf_says_it_is_archived(client, demo):
    missing = pdf.weasyprint_missing()
    require(not missing, missing)
    _archive(demo[TJK])
    response = client.get(f"/plans/{TJK}/pdf/")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())
    assert "Archived" in text
    assert "This is a past plan" in text


def test_past_plans_view_lists_archived_plans_and_the_default_list_the_current(client, demo):
    _archive(demo[TJK])
    assert _list_slugs(client) == [PAK]
    assert _list_slugs(client, "?status=archived") == [TJK]
    assert sorted(_list_slugs(client, "?status=")) == [PAK, TJK]
    page = html.fromstring(client.get("/plans/?status=archived").content)
    assert page.cssselect("h1")[0].text_content() == "Past plans"
    assert page.cssselect("#results-h")[0].text_content() == "1 past plan"
    current = page.cssselect('nav.tabs a[aria-current="page"]')
    assert [a.text_content() for a in current] == ["Past plans"]
    row = page.cssselect(".plans-table tbody th")[0]
    assert row.cssselect(".badge.archived")[0].text_content() == "Archived"


def test_a_bad_status_is_reported_and_the_current_plans_not_lost(client, demo):
    response = client.get("/plans/?status=gone")
    assert response.status_code == 200
    errors = html.fromstring(response.content).cssselect(".filters .errors li")
    assert [e.text_content().split(":")[0] for e in errors] == ["Plans"]


def test_the_api_lists_an_archived_plan_with_its_status(api_client, demo):
    _archive(demo[TJK])
    body = api_client.get("/api/v1/plans/?status=archived").json()
    assert [(p["slug"], p["status"], p["status_label"]) for p in body["results"]] == [
        (TJK, "archived", "Archived")
    ]
    assert api_client.get(f"/api/v1/plans/{TJK}/").json()["status"] == "archived"
    assert not Deletion.objects.filter(plan_slug=TJK).exists()


def test_archiving_keeps_the_figures_of_the_years_it_covered(
    api_client, demo, django_capture_on_commit_callbacks
):
    before_totals = published_totals()
    before = _by_year(api_client)
    with django_capture_on_commit_callbacks(execute=True):  # the recomputes run
        _archive(demo[TJK])
    assert published_totals() == before_totals
    assert _by_year(api_client) == before


def test_withdrawing_takes_a_plan_out_of_public_view_and_into_the_deletions_feed(
    client, api_client, demo, django_capture_on_commit_callbacks
):
    received_before = published_totals()["received"]
    tajikistan_received = demo[TJK].rollup.received_usd
    assert tajikistan_received > 0
    with django_capture_on_commit_callbacks(execute=True):
        _withdraw(demo[TJK])
    assert client.get(f"/plans/{TJK}/").status_code == 404
    assert TJK not in _list_slugs(client, "?status=")
    assert api_client.get(f"/api/v1/plans/{TJK}/").status_code == 404
    assert published_totals()["received"] == received_before - tajikistan_received
    assert published_totals()["required"] is None  # Pakistan, left, is not yet costed
    gone = api_client.get("/api/v1/deletions/?kind=plan").json()["results"]
    assert [(d["lookup"], d["reason"]) for d in gone] == [(TJK, "withdrawn")]
    # Its editors hear why.
    withdrawn = [m for m in mail.outbox if "withdrawn from public view" in m.subject]
    assert withdrawn and "Why: Published in error" in withdrawn[0].body


def test_an_archived_plan_can_be_withdrawn_too(client, demo):
    _withdraw(_archive(demo[TJK]), comment="Figures were wrong")
    plan = Plan.objects.get(slug=TJK)
    assert plan.status == Plan.Status.WITHDRAWN
    assert plan.transitions.get(to_status=Plan.Status.WITHDRAWN).comment == "Figures were wrong"
    assert client.get(f"/plans/{TJK}/").status_code == 404


def test_withdrawing_needs_a_reason_and_a_reviewer(demo, editor):
    with pytest.raises(ValidationError) as refused:
        _withdraw(demo[TJK], comment="  ")
    assert refused.value.message_dict == {
        "comment": ["Say why the plan is withdrawn from public view."]
    }
    with pytest.raises(PermissionDenied):
        workflow.plan_withdraw(plan=demo[TJK], actor=editor, comment="Mine")
    with pytest.raises(ValidationError, match="this step needs it to be published or archived"):
        _withdraw(PlanFactory(status=Plan.Status.DRAFT, countries=["TJK"]))
    assert Plan.objects.get(slug=TJK).status == Plan.Status.PUBLISHED


def test_a_withdrawn_plan_goes_back_to_its_editors_as_a_draft(demo, editor):
    plan = workflow.plan_return(
        plan=_withdraw(demo[TJK]), actor=_user("reviewer"), comment="Correct the figures"
    )
    assert plan.status == Plan.Status.DRAFT
    assert workflow.plan_transitions_allowed(plan=plan, user=editor) == ["submit"]


def test_the_admin_asks_for_a_reason_before_withdrawing(client, demo):
    plan = demo[TJK]
    client.force_login(_user("reviewer"))
    url = f"/admin/plans/plan/{plan.pk}/change/"
    assert 'value="withdraw"' in client.get(url).content.decode()
    confirm = client.post(url, {"_transition": "withdraw"})
    text = confirm.content.decode()
    assert "will answer “not found”" in text and "deletions feed" in text
    client.post(
        url,
        {
            "_transition": "withdraw",
            "_confirmed": "1",
            "_transition_comment": "",
            "_plan_version": str(plan.version),
        },
    )
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.PUBLISHED  # no reason given
    client.post(
        url,
        {
            "_transition": "withdraw",
            "_confirmed": "1",
            "_transition_comment": "Duplicate of another plan",
            "_plan_version": str(plan.version),
        },
    )
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.WITHDRAWN


def test_the_api_withdraws_with_if_match(api_client, demo):
    api_client.force_authenticate(_user("reviewer"))
    url = f"/api/v1/plans/{TJK}/"
    etag = api_client.get(url)["ETag"]
    refused = api_client.post(url + "withdraw/", {}, format="json", HTTP_IF_MATCH=etag)
    assert refused.status_code == 400
    assert refused.json() == {"comment": ["Say why the plan is withdrawn from public view."]}
    done = api_client.post(
        url + "withdraw/", {"comment": "Duplicate"}, format="json", HTTP_IF_MATCH=etag
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "withdrawn"


def test_other_plans_of_the_country_link_to_each_other(client, demo):
    older = PlanFactory(
        slug="tajikistan-crp-2019",
        title="Tajikistan Crisis Response Plan 2019",
        start_year=2019,
        end_year=2019,
        status=Plan.Status.ARCHIVED,
        countries=["TJK"],
    )
    PlanFactory(slug="tajikistan-draft", status=Plan.Status.DRAFT, countries=["TJK"])
    PlanFactory(slug="tajikistan-gone", status=Plan.Status.WITHDRAWN, countries=["TJK"])

    def others(slug):
        page = html.fromstring(client.get(f"/plans/{slug}/").content)
        section = page.cssselect("section.other-plans")
        if not section:
            return None, []
        items = section[0].cssselect("li")
        return section[0].cssselect("h2")[0].text_content(), [li.text_content() for li in items]

    assert others(TJK) == (
        "Other plans for Tajikistan",
        ["Tajikistan Crisis Response Plan 2019 2019 · Archived"],
    )
    assert others(older.slug) == (
        "Other plans for Tajikistan",
        ["Tajikistan Crisis Response Plan 2020 2020"],
    )
    assert others(PAK) == (None, [])


def test_the_home_page_says_its_totals_include_past_plans(client, demo):
    _archive(demo[TJK])
    page = html.fromstring(client.get("/").content)
    assert page.cssselect("#totals-h")[0].text_content() == (
        "Across all published plans, current and past"
    )
    required = published_totals()["required"]
    assert required == Decimal(demo[TJK].rollup.required_usd) + (demo[PAK].rollup.required_usd or 0)
