"""The public pages in English, French, Spanish and Arabic (issue #15, item 5): language-prefixed
URLs (/fr/plans/…; English keeps its unprefixed addresses), hreflang links and a switcher that
keep the current page and its filters, `lang` and `dir` right (Arabic right to left), numbers
and dates written as each language writes them."""

from __future__ import annotations

import datetime

import pytest
from lxml import html

from crp_portal.testing import public_pages  # noqa: F401  (fixture)
from plans.models import Plan
from public_pages import pdf

pytestmark = pytest.mark.usefixtures("public_pages")

TJK = "tajikistan-crp-2020"


def _page(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return html.fromstring(response.content)


@pytest.mark.parametrize(
    ("prefix", "lang", "direction", "title"),
    [
        ("", "en", "ltr", "Crisis Response Plans"),
        ("/fr", "fr", "ltr", "Plans de réponse aux crises"),
        ("/es", "es", "ltr", "Planes de Respuesta a Crisis"),
        ("/ar", "ar", "rtl", "خطط الاستجابة للأزمات"),
    ],
)
def test_each_language_has_its_address_lang_and_direction(
    client, demo, prefix, lang, direction, title
):
    page = _page(client, f"{prefix}/plans/")
    root = page.getroottree().getroot()
    assert (root.get("lang"), root.get("dir")) == (lang, direction)
    assert page.cssselect("h1")[0].text_content() == title


def test_hreflang_links_and_the_switcher_keep_the_page_and_its_filters(client, demo):
    page = _page(client, "/plans/?country=TJK&sort=coverage")
    alternates = {
        link.get("hreflang"): link.get("href")
        for link in page.cssselect('head link[rel="alternate"][hreflang]')
    }
    query = "plans/?country=TJK&sort=coverage"
    assert alternates == {
        "en": f"http://testserver/{query}",
        "fr": f"http://testserver/fr/{query}",
        "es": f"http://testserver/es/{query}",
        "ar": f"http://testserver/ar/{query}",
        "x-default": f"http://testserver/{query}",
    }
    switcher = page.cssselect("nav.languages a")
    assert [(a.text_content(), a.get("href"), a.get("lang")) for a in switcher] == [
        ("English", f"/{query}", "en"),
        ("Français", f"/fr/{query}", "fr"),
        ("Español", f"/es/{query}", "es"),
        ("العربية", f"/ar/{query}", "ar"),
    ]
    assert [a.get("aria-current") for a in switcher] == ["true", None, None, None]
    french = _page(client, f"/fr/{query}")
    assert french.cssselect('nav.languages a[aria-current="true"]')[0].text_content() == "Français"
    # Links on a French page stay in French.
    assert french.cssselect(".plans-table tbody th a")[0].get("href") == f"/fr/plans/{TJK}/"


def test_an_unprefixed_page_is_english_whatever_the_browser_asks(client, demo):
    """A URL has one language, so its cached page does too; the switcher offers the others."""
    page = _page(client, "/", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.getroottree().getroot().get("lang") == "en"
    assert _page(client, "/fr/").getroottree().getroot().get("lang") == "fr"
    assert _page(client, "/").getroottree().getroot().get("lang") == "en"  # not the cached /fr/


def test_figures_and_dates_are_written_as_each_language_writes_them(client, demo):
    Plan.objects.filter(slug=TJK).update(last_updated_on=datetime.date(2024, 11, 5))

    def shown(prefix):
        page = _page(client, f"{prefix}/plans/{TJK}/")
        required = page.cssselect(".headline dd")[0].text_content().strip()
        updated = page.cssselect("header dl.meta time")[0].text_content()
        return required, updated

    assert shown("") == ("$1,075,000", "5 November 2024")
    assert shown("/fr") == ("1\u202f075\u202f000 $US", "5 novembre 2024")
    assert shown("/es") == ("1.075.000 US$", "5 de noviembre de 2024")
    required, updated = shown("/ar")
    assert "1,075,000" in required and "US$" in required  # Latin digits, Arabic order
    assert "نوفمبر" in updated


def test_the_plan_page_its_pdf_and_documents_have_language_addresses(client, demo):
    french = _page(client, f"/fr/plans/{TJK}/")
    assert french.cssselect("#key-h")[0].text_content() == "Chiffres clés"
    links = {a.text_content(): a.get("href") for a in french.cssselect(".downloads a")}
    if pdf.weasyprint_missing():  # the page says what to install instead of linking
        assert "Télécharger le PDF" not in links
    else:
        assert links["Télécharger le PDF"] == f"/fr/plans/{TJK}/pdf/"
    assert links["CSV"].startswith(f"/fr/plans/{TJK}/?")


def test_the_admin_the_api_and_the_feeds_keep_one_address(client, demo):
    assert client.get("/fr/api/v1/plans/").status_code == 404
    assert client.get("/fr/admin/").status_code == 404
    assert client.get("/api/v1/plans/").status_code == 200
    assert client.get("/feeds/plans/").status_code == 200


def test_an_indicators_class_is_said_in_the_pages_language(client, demo):
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from plans import services

    editor = get_user_model().objects.get(username="editor.tjk")
    row = {"kind": "inform_risk", "year": 2020, "value": Decimal("8.9")}
    services.indicators_replace(plan=Plan.objects.get(slug=TJK), rows=[row], actor=editor)

    def indicator(prefix):
        page = _page(client, f"{prefix}/plans/{TJK}/")
        return page.cssselect("header dl.indicators dd strong")[0].text_content()

    assert indicator("") == "8.9, Very high"
    # Each language writes the score its way: a decimal comma in French and Spanish (so the
    # label is set off by a dash, not a second comma); Arabic keeps the point and Latin digits.
    assert indicator("/fr") == "8,9 – Très élevé"
    assert indicator("/es") == "8,9 – Muy alto"
    assert indicator("/ar") == "8.9، مرتفع جدًا"


def test_the_api_speaks_the_language_asked_for_its_labels(api_client, demo):
    url = f"/api/v1/plans/{TJK}/"
    english = api_client.get(url)
    assert (english["Content-Language"], english.json()["kind_label"]) == ("en", "Country plan")
    french = api_client.get(url, {"lang": "fr"})
    assert (french["Content-Language"], french.json()["kind_label"]) == ("fr", "Plan de pays")
    assert french.json()["status_label"] == "Publié"
    assert french.json()["title"] == "Tajikistan Crisis Response Plan 2020"  # content: English
    asked = api_client.get(url, HTTP_ACCEPT_LANGUAGE="es;q=0.9, en;q=0.5")
    assert asked.json()["kind_label"] == "Plan de país"
    assert "Accept-Language" in asked["Vary"]
    assert french["ETag"] != english["ETag"]  # another body: a cache never mixes them
    listed = api_client.get("/api/v1/plans/", {"lang": "ar"}).json()["results"]
    assert {p["kind_label"] for p in listed} == {"خطة قُطرية"}
    again = api_client.get(url)  # the answer cache keys by language
    assert again.json()["kind_label"] == "Country plan"
    wrong = api_client.get(url, {"lang": "klingon"})
    assert wrong.status_code == 400
    assert "one of en, fr, es, ar" in wrong.json()["lang"][0]


@pytest.mark.parametrize(
    ("prefix", "tajikistan"),
    [("", "Tajikistan"), ("/fr", "Tadjikistan"), ("/es", "Tayikistán"), ("/ar", "طاجيكستان")],
)
def test_countries_are_named_in_the_pages_language(client, demo, prefix, tajikistan):
    page = _page(client, f"{prefix}/plans/{TJK}/")
    countries = page.cssselect("header dl.meta > div")[1].cssselect("dd")[0].text_content()
    assert countries == tajikistan
    listed = _page(client, f"{prefix}/plans/")
    options = [o.text_content() for o in listed.cssselect("#id_country option")]
    assert tajikistan in options
    row = listed.xpath(f'//a[@href="{prefix}/plans/{TJK}/"]/ancestor::tr')[0]
    assert tajikistan in row.text_content()


def test_the_dashboards_country_groups_are_named_in_the_pages_language(client, demo):
    from funding.services import dirty

    dirty.group_rollups_recompute()
    for query in ("", "?year=2020"):  # the stored groups, and the groups computed live
        page = _page(client, f"/fr/funding/{query}")
        names = [
            th.text_content().strip() for th in page.cssselect("section.chart-block th[scope=row]")
        ]
        assert "Tadjikistan" in names, names
        assert "Tajikistan" not in names


def test_the_apis_read_errors_are_in_the_language_asked(api_client, demo):
    wrong = api_client.get("/api/v1/plans/", {"bogus": "1", "lang": "fr"})
    assert wrong.status_code == 400
    assert "Paramètre de requête inconnu ; cette liste accepte :" in str(wrong.json())
    arabic = api_client.get("/api/v1/plans/", {"page_size": "0", "lang": "ar"})
    assert arabic.status_code == 400
    assert "يجب أن تكون page_size عددًا صحيحًا من 1 إلى" in str(arabic.json())
