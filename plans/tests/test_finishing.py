"""Issue 15 item 6: error pages with a way back, the favicon, presence "not stated", no stray
map disclaimer, and the Atom feeds of published plans and funding updates."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.urls import path
from django.utils import timezone
from lxml import etree

from crp_portal.testing import public_pages  # noqa: F401  (fixture)
from crp_portal.urls import urlpatterns as project_urls
from plans.models import Country, Plan
from plans.tests.factories import PlanFactory

pytestmark = pytest.mark.usefixtures("public_pages")

ATOM = {"a": "http://www.w3.org/2005/Atom"}
TJK = "/plans/tajikistan-crp-2020/"
PAK = "/plans/pakistan-crp-2020-2021/"


def _boom(request):
    raise RuntimeError("broken on purpose")


def _database_down(request):
    connection.close()
    # Every query from here on fails, as when PostgreSQL is unreachable.
    connection.settings_dict["HOST"] = "127.0.0.1"
    connection.settings_dict["PORT"] = "1"
    Plan.objects.count()


urlpatterns = [
    path("boom/", _boom),
    path("db-down/", _database_down),
    *project_urls,
]


def test_missing_page_is_in_the_site_layout_with_a_way_back(client, demo):
    response = client.get("/plans/no-such-plan/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'class="site-header"' in html
    assert 'href="/plans/"' in html and 'href="/"' in html


def test_denied_page_is_in_the_site_layout_with_a_way_back(client, db, settings):
    from django.core.exceptions import PermissionDenied

    def denied(request):
        raise PermissionDenied

    import sys

    module = sys.modules[__name__]
    module.urlpatterns = [path("denied/", denied), *project_urls]
    settings.ROOT_URLCONF = __name__
    try:
        response = client.get("/denied/")
    finally:
        module.urlpatterns = [path("boom/", _boom), path("db-down/", _database_down)]
        module.urlpatterns += project_urls
    assert response.status_code == 403
    html = response.content.decode()
    assert "Access denied" in html and 'href="/plans/"' in html


@pytest.mark.django_db(transaction=True)
def test_server_error_page_renders_without_the_database(settings, django_assert_num_queries):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    saved = dict(connection.settings_dict)
    try:
        response = client.get("/db-down/")
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    assert '<a href="/plans/">Browse the published plans</a>' in html
    assert 'href="/static/css/site.css"' in html


def test_server_error_page_needs_no_query(settings, db, django_assert_num_queries):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_favicon_is_linked_and_served(client, demo, settings):
    html = client.get(TJK).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    # WhiteNoise serves collected files; here it finds them in static/ (it reads its settings
    # when a new client builds the middleware).
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    served = Client().get("/static/favicon.svg")
    assert served.status_code == 200
    assert b"<svg" in b"".join(served.streaming_content)
    redirect = client.get("/favicon.ico")
    assert redirect.status_code == 301 and redirect["Location"] == "/static/favicon.svg"


def test_plan_page_prints_no_map_disclaimer_without_a_map(client, demo):
    html = client.get(TJK).content.decode()
    assert "The map used here" not in html


def test_unknown_presence_says_not_stated_without_a_date(client, demo):
    pakistan = Plan.objects.get(slug="pakistan-crp-2020-2021")
    pakistan.presences.update(
        international_staff=None,
        national_staff=None,
        field_offices=None,
        as_of_on=datetime.date(2024, 11, 30),
    )
    html = client.get(PAK).content.decode()
    section = html[html.index('id="presence-h"') :]
    assert "Staff and field offices: not stated." in section
    assert "as of" not in section
    assert "Not stated" not in section  # once, not once per figure


def test_known_presence_keeps_its_date(client, demo):
    html = client.get(TJK).content.decode()
    section = html[html.index('id="presence-h"') :]
    assert "Figures as of" in section and "not stated" not in section


def _feed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return etree.fromstring(response.content)


def test_published_plans_feed_lists_published_plans_newest_first(client, demo):
    PlanFactory(title="Secret Draft Plan", slug="secret-draft", status=Plan.Status.DRAFT)
    tajikistan = Plan.objects.get(slug="tajikistan-crp-2020")
    Plan.objects.filter(pk=tajikistan.pk).update(published_at=timezone.now())
    feed = _feed(client, "/feeds/plans/")
    titles = feed.xpath("a:entry/a:title/text()", namespaces=ATOM)
    assert titles[0] == "Tajikistan Crisis Response Plan 2020"
    assert "Secret Draft Plan" not in titles
    assert len(titles) == Plan.objects.published().count()
    entry = feed.xpath("a:entry", namespaces=ATOM)[0]
    link = entry.xpath("a:link/@href", namespaces=ATOM)[0]
    assert link.endswith(TJK)
    summary = entry.xpath("a:summary/text()", namespaces=ATOM)[0]
    assert "Funding required: $1,075,000." in summary


def test_feeds_per_country_hold_only_that_countrys_plans(client, demo):
    feed = _feed(client, "/feeds/plans/PAK/")
    assert feed.xpath("a:title/text()", namespaces=ATOM) == [
        "CRP Portal: newly published plans for Pakistan"
    ]
    titles = feed.xpath("a:entry/a:title/text()", namespaces=ATOM)
    assert titles == [Plan.objects.get(slug="pakistan-crp-2020-2021").title]
    summary = feed.xpath("a:entry/a:summary/text()", namespaces=ATOM)[0]
    assert "not yet costed" in summary and "$0." not in summary.split("received")[0]
    assert client.get("/feeds/plans/XXX/").status_code == 404


def test_funding_feed_has_an_entry_per_update(client, demo):
    tajikistan = Plan.objects.get(slug="tajikistan-crp-2020")
    before = _feed(client, "/feeds/funding/TJK/")
    first_id = before.xpath("a:entry/a:id/text()", namespaces=ATOM)
    assert before.xpath("a:entry/a:title/text()", namespaces=ATOM) == [
        "Funding updated: Tajikistan Crisis Response Plan 2020"
    ]
    Plan.objects.filter(pk=tajikistan.pk).update(
        funding_updated_at=timezone.now() + datetime.timedelta(hours=1)
    )
    from crp_portal import pagecache

    pagecache.pages_bump()
    after = _feed(client, "/feeds/funding/TJK/")
    assert after.xpath("a:entry/a:id/text()", namespaces=ATOM) != first_id
    assert "Funding received: $" in after.xpath("a:entry/a:summary/text()", namespaces=ATOM)[0]


def test_pages_link_their_feeds(client, demo):
    html = client.get(TJK).content.decode()
    for href in ("/feeds/plans/", "/feeds/funding/", "/feeds/plans/TJK/", "/feeds/funding/TJK/"):
        assert f'type="application/atom+xml" href="{href}"' in html
    assert Country.objects.filter(iso3="TJK").exists()


def test_feeds_cost_a_fixed_number_of_queries(client, demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        client.get("/feeds/plans/")
    with django_assert_max_num_queries(4):
        client.get("/feeds/funding/TJK/")
