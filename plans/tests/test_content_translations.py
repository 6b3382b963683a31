"""Plan content and catalog names per language (issue #15, item 5): entered in the admin beside
the English (django-modeltranslation), shown on the pages and in the API in the reader's
language, falling back to English and saying so; writes stay in English; translations have
history like the rest of the plan."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from lxml import html

from crp_portal.testing import public_pages  # noqa: F401  (fixture)
from crp_portal.tests.forms import form_data
from interventions import services as intervention_services
from interventions.models import Intervention, Sector
from plans.models import Plan
from plans.translated import translation_fields

pytestmark = pytest.mark.usefixtures("public_pages")

TJK = "tajikistan-crp-2020"
FRENCH_TITLE = "Plan de réponse à la crise du Tadjikistan 2020"
ARABIC_TITLE = "خطة الاستجابة للأزمة في طاجيكستان 2020"


def _user(username):
    return get_user_model().objects.get(username=username)


def _save_plan_page(client, plan, **changes):
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = form_data(client.get(url).content.decode(), "plan_form")
    for name, value in changes.items():
        data[name] = [value]
    return client.post(url, data)


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return html.fromstring(response.content)


def _lang(element) -> tuple[str | None, str | None]:
    return element.get("lang"), element.get("dir")


@pytest.fixture
def tjk_client(client, demo):
    client.force_login(_user("editor.tjk"))
    return client


def test_the_admin_saves_a_translation_beside_the_english(tjk_client, demo):
    plan = demo[TJK]
    page = tjk_client.get(reverse("admin:plans_plan_change", args=[plan.pk])).content.decode()
    tree = html.fromstring(page)
    # Each language has its box, which says its language (Arabic right to left).
    assert _lang(tree.get_element_by_id("id_title_ar")) == ("ar", "rtl")
    assert _lang(tree.get_element_by_id("id_title_fr")) == ("fr", "ltr")
    response = _save_plan_page(tjk_client, plan, title_fr=FRENCH_TITLE, title_ar=ARABIC_TITLE)
    assert response.status_code == 302
    plan = Plan.objects.get(pk=plan.pk)
    assert (plan.title_en, plan.title_fr, plan.title_ar, plan.title_es) == (
        "Tajikistan Crisis Response Plan 2020",
        FRENCH_TITLE,
        ARABIC_TITLE,
        None,  # not translated: empty, so the Spanish page falls back to English
    )
    # One edit, recorded with its translations: a plan's past knows what each language said.
    latest = plan.history.first()
    assert (latest.title_fr, latest.history_user) == (FRENCH_TITLE, _user("editor.tjk"))
    assert latest.prev_record.title_fr is None


def test_each_language_reads_its_translation_and_says_where_it_falls_back(client, demo):
    plan = demo[TJK]
    Plan.objects.filter(pk=plan.pk).update(title_fr=FRENCH_TITLE, title_ar=ARABIC_TITLE)

    english = _page(client, f"/plans/{TJK}/")
    assert english.cssselect("h1")[0].text_content() == "Tajikistan Crisis Response Plan 2020"
    assert _lang(english.cssselect("h1")[0]) == ("en", "ltr")
    assert not english.cssselect(".content-language")

    french = _page(client, f"/fr/plans/{TJK}/")
    h1 = french.cssselect("h1")[0]
    assert (h1.text_content(), _lang(h1)) == (FRENCH_TITLE, ("fr", "ltr"))
    # The rest is English, marked so, and the page says some texts are not translated.
    vision = french.cssselect("blockquote.vision")[0]
    assert _lang(vision) == ("en", "ltr")
    assert french.cssselect(".content-language")[0].text_content() == (
        "Certains textes de ce plan ne sont pas encore traduits : ils sont affichés en anglais, "
        "tels qu’ils ont été rédigés."
    )
    assert french.cssselect("nav.breadcrumbs [aria-current]")[0].text_content() == FRENCH_TITLE

    arabic = _page(client, f"/ar/plans/{TJK}/")
    h1 = arabic.cssselect("h1")[0]
    assert (h1.text_content(), _lang(h1)) == (ARABIC_TITLE, ("ar", "rtl"))

    spanish = _page(client, f"/es/plans/{TJK}/")
    h1 = spanish.cssselect("h1")[0]
    assert (h1.text_content(), _lang(h1)) == ("Tajikistan Crisis Response Plan 2020", ("en", "ltr"))
    # Nothing of this plan is in Spanish: the page says it is published in English.
    notice = spanish.cssselect(".content-language")[0].text_content()
    assert "inglés" in notice


def test_a_fully_translated_plan_has_no_fallback_notice(client, demo):
    plan = demo[TJK]
    Plan.objects.filter(pk=plan.pk).update(
        title_fr=FRENCH_TITLE, vision_statement_fr="Une vision", vision_narrative_fr="Un récit"
    )
    for objective in plan.objectives.all():
        objective.people_description_fr = f"Personnes {objective.pk}"
        objective.narrative_fr = f"Récit {objective.pk}" if objective.narrative else None
        objective.save()
        for intervention in objective.interventions.all():
            intervention_services.activities_replace(
                intervention=intervention,
                texts=[
                    {"text": a.text, "text_fr": f"Activité {a.pk}"}
                    for a in intervention.activities.all()
                ],
                actor=_user("admin"),
            )
            Intervention.objects.filter(pk=intervention.pk).update(
                title_fr=f"Intervention {intervention.pk}",
                narrative_fr=f"Récit {intervention.pk}" if intervention.narrative else None,
            )
    french = _page(client, f"/fr/plans/{TJK}/")
    assert not french.cssselect(".content-language")
    activities = french.cssselect("ol.activities li")
    assert activities and all(_lang(li) == ("fr", "ltr") for li in activities)
    assert all(li.text_content().startswith("Activité ") for li in activities)


def test_the_api_returns_the_texts_in_the_language_asked(api_client, demo):
    plan = demo[TJK]
    intervention = Intervention.objects.filter(objective__plan=plan).order_by("pk").first()
    Plan.objects.filter(pk=plan.pk).update(title_fr=FRENCH_TITLE)
    Intervention.objects.filter(pk=intervention.pk).update(title_fr="Stabilisation")
    sector = intervention.sector
    Sector.objects.filter(pk=sector.pk).update(name_fr="Secteur traduit")

    def interventions(body):
        return {i["id"]: i for o in body["objectives"] for i in o["interventions"]}

    url = f"/api/v1/plans/{TJK}/"
    english = api_client.get(url).json()
    french = api_client.get(url, {"lang": "fr"}).json()
    assert (english["title"], french["title"]) == (plan.title, FRENCH_TITLE)
    assert interventions(french)[intervention.pk]["title"] == "Stabilisation"
    assert interventions(french)[intervention.pk]["sector"]["name"] == "Secteur traduit"
    assert interventions(english)[intervention.pk]["title"] == intervention.title
    # What is not translated comes in English, as on the pages.
    others = [i for pk, i in interventions(french).items() if pk != intervention.pk]
    assert others and all(i["title"] == interventions(english)[i["id"]]["title"] for i in others)
    assert french["vision_statement"] == english["vision_statement"]
    # And says so, as the page does: some of its texts are in English.
    assert (english["texts_fallback"], french["texts_fallback"]) == (None, "some")
    assert api_client.get(url, {"lang": "es"}).json()["texts_fallback"] == "all"


def test_an_api_write_in_another_language_changes_the_english(api_client, demo):
    plan = demo[TJK]
    Plan.objects.filter(pk=plan.pk).update(title_fr=FRENCH_TITLE)
    api_client.force_authenticate(_user("editor.tjk"))
    url = f"/api/v1/plans/{TJK}/"
    etag = api_client.get(url)["ETag"]
    response = api_client.patch(
        f"{url}?lang=fr", {"title": "Tajikistan CRP 2020"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200, response.content
    plan = Plan.objects.get(pk=plan.pk)
    assert (plan.title_en, plan.title_fr) == ("Tajikistan CRP 2020", FRENCH_TITLE)
    assert response["Content-Language"] == "en"


def test_activities_take_their_translations_and_refuse_unknown_fields(demo):
    intervention = Intervention.objects.filter(objective__plan=demo[TJK]).first()
    admin = _user("admin")
    intervention_services.activities_replace(
        intervention=intervention,
        texts=["Only English", {"text": "Both", "text_ar": "كلاهما"}],
        actor=admin,
    )
    rows = list(intervention.activities.order_by("position").values_list("text_en", "text_ar"))
    assert rows == [("Only English", None), ("Both", "كلاهما")]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        intervention_services.activities_replace(
            intervention=intervention, texts=[{"text": "x", "text_de": "y"}], actor=admin
        )
    assert "text_de" in str(refused.value)
    assert intervention.activities.count() == 2  # nothing half written


def test_catalog_names_are_translated_by_administrators_only(client, demo):
    sector = Sector.objects.filter(interventions__objective__plan=demo[TJK]).first()
    url = reverse("admin:interventions_sector_change", args=[sector.pk])
    client.force_login(_user("editor.tjk"))
    editor_page = client.get(url)
    # An editor may read the catalog, not change it (catalog_entry_save's rule, in the admin).
    assert editor_page.status_code == 200
    assert b'name="name_fr"' not in editor_page.content  # shown, not as a form
    assert client.post(url, {"name": "Renamed"}).status_code == 403
    client.force_login(_user("admin"))
    data = form_data(client.get(url).content.decode(), "sector_form")
    assert set(translation_fields("name")) <= set(data)
    data["name_fr"] = ["Secteur en français"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    assert Sector.objects.get(pk=sector.pk).name_fr == "Secteur en français"
    french = _page(client, f"/fr/plans/{TJK}/")
    assert "Secteur en français" in french.text_content()


def test_a_restore_brings_the_translations_back_as_they_were(tjk_client, demo):
    from plan_history.restore import plan_restore

    plan = demo[TJK]
    intervention = Intervention.objects.filter(objective__plan=plan).order_by("pk").first()
    intervention_services.activities_replace(
        intervention=intervention,
        texts=[{"text": "Kept", "text_fr": "Gardée"}],
        actor=_user("admin"),
    )
    before = Plan.objects.get(pk=plan.pk).history.first()
    assert _save_plan_page(tjk_client, plan, title_fr=FRENCH_TITLE).status_code == 302
    intervention_services.activities_replace(
        intervention=intervention,
        texts=[{"text": "Kept", "text_fr": "Changée"}],
        actor=_user("admin"),
    )
    plan_restore(
        plan=Plan.objects.get(pk=plan.pk), history_id=before.history_id, actor=_user("editor.tjk")
    )
    assert Plan.objects.get(pk=plan.pk).title_fr is None
    assert list(intervention.activities.values_list("text_en", "text_fr")) == [("Kept", "Gardée")]


def test_the_filters_list_catalog_names_in_the_page_language_in_their_order(client, demo):
    """The database orders a catalog by the page language's column, where names not translated
    are NULL: the choices are sorted by the name shown instead."""
    last = Sector.objects.order_by("-name").first()
    Sector.objects.filter(pk=last.pk).update(name_fr="Aide d’abord")
    page = _page(client, "/fr/plans/")
    anything, *shown = [o.text_content() for o in page.cssselect('select[name="sector"] option')]
    assert anything == "Tous"  # once: each select had "Any" twice
    assert "Aide d’abord" in shown and last.name not in shown
    assert shown == sorted(shown)


def test_the_funding_summary_names_its_groups_in_the_language_asked(api_client, demo):
    from plans.models import Region

    Region.objects.filter(countries__iso3="TJK").update(name_fr="Europe du Sud-Est")
    Plan.objects.filter(slug=TJK).update(title_fr=FRENCH_TITLE)

    def labels(query):
        body = api_client.get(f"/api/v1/funding/summary/?{query}").json()
        return {g["key"]: g["label"] for g in body["results"]}

    by_plan = labels("group_by=plan&lang=fr")
    assert by_plan[TJK] == FRENCH_TITLE
    assert by_plan["pakistan-crp-2020-2021"] == "Pakistan Crisis Response Plan 2020 - 2021"
    assert set(labels("group_by=region&country=TJK&lang=fr").values()) == {"Europe du Sud-Est"}
    assert labels("group_by=plan")[TJK] == "Tajikistan Crisis Response Plan 2020"


def test_search_finds_a_plan_by_the_words_a_reader_sees_in_any_language(client, api_client, demo):
    Plan.objects.filter(slug=TJK).update(title_fr=FRENCH_TITLE)

    def found(url):
        page = _page(client, url)
        return {
            a.get("href").rstrip("/").rsplit("/", 1)[-1]
            for a in page.cssselect("table.plans-table th a")
        }

    # Pakistan is not translated: a French reader sees its English title, and finds it by it.
    assert found("/fr/plans/?q=Response") == {"pakistan-crp-2020-2021", TJK}
    assert found("/fr/plans/?q=Tadjikistan") == {TJK}  # its French title
    assert found("/plans/?q=Tadjikistan") == {TJK}  # and its translation from any page
    # A country by its name in the page's language, though no plan text says it.
    assert found("/es/plans/?q=Tayikistán") == {TJK}
    assert found("/ar/plans/?q=باكستان") == {"pakistan-crp-2020-2021"}
    api = api_client.get("/api/v1/plans/", {"search": "Response", "lang": "fr"}).json()
    assert {p["slug"] for p in api["results"]} == {"pakistan-crp-2020-2021", TJK}


def test_api_lists_sort_translated_fields_by_the_text_shown(api_client, demo):
    # Pakistan is translated into French, Tajikistan is not: in French they sort as shown,
    # "Tajikistan Crisis…" (its English) before "Zone pakistanaise…", not translated ones last.
    Plan.objects.filter(slug="pakistan-crp-2020-2021").update(title_fr="Zone pakistanaise 2020")
    body = api_client.get("/api/v1/plans/", {"ordering": "title", "lang": "fr"}).json()
    assert [p["title"] for p in body["results"]] == [
        "Tajikistan Crisis Response Plan 2020",
        "Zone pakistanaise 2020",
    ]
    body = api_client.get("/api/v1/plans/", {"ordering": "-title", "lang": "fr"}).json()
    assert [p["slug"] for p in body["results"]] == ["pakistan-crp-2020-2021", TJK]
    english = api_client.get("/api/v1/plans/", {"ordering": "title"}).json()
    assert [p["slug"] for p in english["results"]] == ["pakistan-crp-2020-2021", TJK]


def test_a_plans_tags_are_in_the_order_of_the_names_shown(client, demo):
    from objectives.models import TargetGroup

    objective = demo[TJK].objectives.filter(target_groups__isnull=False).first()
    shown_first = objective.target_groups.get()  # not translated: its English is shown
    added = TargetGroup.objects.create(slug="aardvarks", name="Aardvarks", name_fr="Zebres")
    objective.target_groups.add(added)
    page = _page(client, f"/fr/plans/{TJK}/#objective-{objective.strategic_objective.number}")
    groups = [
        [span.text_content() for span in p.cssselect("span[lang]")]
        for p in page.cssselect("article.plan section p")
        if "Zebres" in p.text_content()
    ]
    assert groups == [[shown_first.name, "Zebres"]]  # as read, not translated names first
