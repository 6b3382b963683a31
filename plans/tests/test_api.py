from decimal import Decimal

import pytest

from crp_portal.tests.api_data import plan_with_everything
from partners.sync_sql import stamps_set
from plans.models import Plan
from plans.tests.factories import PlanFactory, Role, UserFactory, assign

pytestmark = pytest.mark.django_db


def _slugs(response):
    assert response.status_code == 200, response.content
    return [p["slug"] for p in response.json()["results"]]


def test_tajikistan_figures_are_exact_and_money_is_a_two_decimal_string(demo, api_client):
    plan = api_client.get("/api/v1/plans/tajikistan-crp-2020/").json()
    assert plan["funding_required"] == "1075000.00"
    assert plan["countries"] == [{"code": "TJK", "name": "Tajikistan"}]
    objectives = {o["strategic_objective"]["number"]: o for o in plan["objectives"]}
    assert objectives[2]["funding_required"] == "950000.00"
    assert objectives[3]["funding_required"] == "125000.00"
    assert [i["requirements"][0]["funding_required"] for i in objectives[2]["interventions"]] == [
        "150000.00",
        "700000.00",
        "100000.00",
    ]
    assert [y["people_targeted"] for y in plan["years"]] == [10350]
    presence = plan["operational_presence"][0]
    assert (presence["international_staff"], presence["national_staff"]) == (3, 37)
    assert presence["country"]["code"] == "TJK"


def test_not_yet_costed_is_null_never_zero(demo, api_client):
    plan = api_client.get("/api/v1/plans/pakistan-crp-2020-2021/").json()
    assert plan["funding_required"] is None
    assert plan["funding_gap"] is None
    assert plan["coverage_percent"] is None
    assert plan["funding_received"] == "65616.80"
    assert [y["year"] for y in plan["years"]] == [2020, 2021]


def test_missing_rollup_gives_null_figures(api_client):
    plan = PlanFactory()
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.PUBLISHED)
    from funding.models import PlanRollup

    PlanRollup.objects.filter(plan=plan).delete()
    row = api_client.get(f"/api/v1/plans/{plan.slug}/").json()
    assert row["funding_received"] is None and row["funding_required"] is None


def test_anonymous_and_partner_see_published_plans_only(api_client, partner):
    PlanFactory(slug="draft-tjk", status=Plan.Status.DRAFT)
    PlanFactory(slug="published-tjk")
    assert _slugs(api_client.get("/api/v1/plans/")) == ["published-tjk"]
    assert api_client.get("/api/v1/plans/draft-tjk/").status_code == 404
    assert _slugs(api_client.get("/api/v1/plans/?status=draft")) == []
    api_client.force_authenticate(partner)
    assert _slugs(api_client.get("/api/v1/plans/")) == ["published-tjk"]
    assert api_client.get("/api/v1/objectives/?plan=draft-tjk").json()["count"] == 0


def test_drafts_reach_only_their_countries_editors(api_client, editor, pak_editor, superuser):
    draft = plan_with_everything(slug="draft-tjk", status=Plan.Status.DRAFT)
    api_client.force_authenticate(pak_editor)
    assert api_client.get("/api/v1/plans/draft-tjk/").status_code == 404
    for path in ("objectives", "interventions", "contributions"):
        assert api_client.get(f"/api/v1/{path}/?plan=draft-tjk").json()["count"] == 0
    api_client.force_authenticate(editor)
    assert _slugs(api_client.get("/api/v1/plans/?status=draft")) == [draft.slug]
    assert api_client.get("/api/v1/interventions/?plan=draft-tjk").json()["count"] == 4
    api_client.force_authenticate(superuser)
    assert api_client.get("/api/v1/contributions/?plan=draft-tjk").json()["count"] == 5


def test_filters_by_country_year_kind_objective_sector_gap_and_search(api_client):
    tjk = plan_with_everything(slug="tjk")
    pak = PlanFactory(slug="pak", countries=["PAK"], start_year=2021, end_year=2022)
    PlanFactory(slug="afg", countries=["AFG"], kind=Plan.Kind.FLASH)
    assert _slugs(api_client.get("/api/v1/plans/?country=TJK&country=PAK")) == ["pak", "tjk"]
    assert _slugs(api_client.get("/api/v1/plans/?year=2022")) == ["pak"]
    assert _slugs(api_client.get("/api/v1/plans/?kind=flash")) == ["afg"]
    number = tjk.objectives.first().strategic_objective.number
    assert _slugs(api_client.get(f"/api/v1/plans/?strategic_objective={number}")) == ["tjk"]
    sector = tjk.objectives.first().interventions.first().sector.slug
    assert _slugs(api_client.get(f"/api/v1/plans/?sector={sector}")) == ["tjk"]
    # tjk: 4000 required, 450 received → gap 3550, coverage 11.25 %
    assert _slugs(api_client.get("/api/v1/plans/?min_gap=3550&max_coverage=11.25")) == ["tjk"]
    assert _slugs(api_client.get("/api/v1/plans/?min_gap=3550.01")) == []
    assert _slugs(api_client.get(f"/api/v1/plans/?search={pak.title}")) == ["pak"]
    region = "south-eastern-europe-eastern-europe-and-central-asia"
    assert _slugs(api_client.get(f"/api/v1/plans/?region={region}")) == ["tjk"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("country=XXX", "country"),
        ("year=1800", "year"),
        ("year=abc", "year"),
        ("kind=nonsense", "kind"),
        ("min_gap=-5", "min_gap"),
        ("min_gap=ten", "min_gap"),
        ("updated_since=yesterday", "updated_since"),
        ("page_size=501", "page_size"),
        ("page_size=0", "page_size"),
        ("ordering=secret", "ordering"),
        ("search=" + "x" * 5000, "search"),
        ("region=atlantis", "region"),
    ],
)
def test_bad_query_is_a_400_naming_the_parameter(api_client, query, parameter):
    PlanFactory()
    response = api_client.get(f"/api/v1/plans/?{query}")
    assert response.status_code == 400
    assert parameter in response.json()


def test_ordering_by_gap_with_a_stable_tiebreaker(api_client):
    plan_with_everything(slug="b-plan")
    for slug in ("a-plan", "c-plan"):
        PlanFactory(slug=slug)
    slugs = _slugs(api_client.get("/api/v1/plans/?ordering=-funding_gap,slug"))
    assert slugs.index("b-plan") in (0, 2)  # NULL gaps sort first or last depending on the DB
    pages = [_slugs(api_client.get(f"/api/v1/plans/?page_size=1&page={n}")) for n in (1, 2, 3)]
    assert sorted(slug for page in pages for slug in page) == ["a-plan", "b-plan", "c-plan"]


def test_updated_since_returns_rows_changed_after(api_client):
    old = PlanFactory(slug="old")
    new = PlanFactory(slug="new")
    Plan.objects.filter(pk=old.pk).update(updated_at="2020-01-01T00:00:00Z")
    stamps_set(Plan.objects.filter(pk=old.pk), "2020-01-01T00:00:00Z")
    since = new.updated_at.isoformat().replace("+00:00", "Z")
    assert _slugs(api_client.get("/api/v1/plans/", {"updated_since": since})) == ["new"]


def test_editor_patches_own_plan_only(api_client, editor, pak_editor):
    plan = PlanFactory(slug="tjk", status=Plan.Status.DRAFT)
    api_client.force_authenticate(editor)
    etag = api_client.get("/api/v1/plans/tjk/")["ETag"]
    response = api_client.patch(
        "/api/v1/plans/tjk/", {"title": "Renamed"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Renamed"
    etag = response["ETag"]
    response = api_client.patch(
        "/api/v1/plans/tjk/", {"end_year": 2019}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 400 and "end_year" in response.json()

    def patch():  # with the current ETag: refusals below are about permission, not versions
        return api_client.patch(
            "/api/v1/plans/tjk/", {"title": "X"}, format="json", HTTP_IF_MATCH=etag
        )

    api_client.force_authenticate(pak_editor)
    assert patch().status_code == 404
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.PUBLISHED)
    assert patch().status_code == 403
    api_client.force_authenticate(None)
    assert patch().status_code in (401, 403)
    plan.refresh_from_db()
    assert plan.title == "Renamed"


def test_reviewer_and_funding_officer_cannot_edit_plan_content(api_client):
    PlanFactory(slug="tjk")
    for role in (Role.REVIEWER, Role.FUNDING_OFFICER):
        user = UserFactory(username=f"u-{role}")
        assign(user, role, "TJK")
        api_client.force_authenticate(user)
        response = api_client.patch(
            "/api/v1/plans/tjk/", {"title": "X"}, format="json", HTTP_IF_MATCH="*"
        )
        assert response.status_code == 403


def test_countries_by_iso3_with_region(api_client):
    body = api_client.get("/api/v1/countries/TJK/").json()
    assert body["code"] == "TJK" and body["region"]["slug"].startswith("south-eastern")
    assert api_client.get("/api/v1/countries/?search=tajik").json()["count"] == 1


def test_plan_detail_money_is_decimal_string(demo, api_client):
    body = api_client.get("/api/v1/plans/tajikistan-crp-2020/").json()
    assert Decimal(body["funding_received"]) + Decimal(body["funding_gap"]) == Decimal(
        body["funding_required"]
    )


def test_detail_body_has_exactly_the_fields_its_schema_declares(demo, api_client):
    """The detail is built from plain values (plans/api/content.py); the serializers are its
    schema: every level must carry exactly their fields."""
    from interventions.api.serializers import NestedInterventionSerializer
    from objectives.api.serializers import NestedObjectiveSerializer
    from plans.api.serializers import PlanDetailSerializer, PlanYearSerializer, PresenceSerializer

    def fields(serializer) -> set[str]:
        return set(serializer.get_fields())

    body = api_client.get("/api/v1/plans/tajikistan-crp-2020/").json()
    assert set(body) == fields(PlanDetailSerializer())
    assert set(body["years"][0]) == fields(PlanYearSerializer())
    assert set(body["operational_presence"][0]) == fields(PresenceSerializer())
    objective = body["objectives"][0]
    assert set(objective) == fields(NestedObjectiveSerializer())
    assert set(objective["interventions"][0]) == fields(NestedInterventionSerializer())
    assert objective["target_groups"] and set(objective["target_groups"][0]) == {"slug", "name"}
