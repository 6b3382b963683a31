"""Isolation, generated from the URL conf: an editor of Pakistan cannot read, change or delete
Tajikistan's unpublished work anywhere, nor move their own rows into Tajikistan; anonymous
visitors see no draft anywhere. New admin views and API routes are covered automatically."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import reverse

from crp_portal.tests import isolation
from funding.models import Contribution, Requirement
from funding.tests.factories import ContributionFactory
from interventions.models import Activity, Intervention
from objectives.models import Objective, StrategicObjective
from plans.models import OperationalPresence, Plan, PlanDocument, PlanTransition, PlanYear
from plans.tests.factories import PlanFactory, Role, UserFactory, assign, country

MARKER = "zzsecret"


def _world(status: str, tag: str) -> dict[str, object]:
    """A TJK plan in `status` with one row of everything that hangs off a plan."""
    plan = PlanFactory(
        title=f"{MARKER} {tag} plan", slug=f"{MARKER}-{tag}", status=status, countries=["TJK"]
    )
    objective = Objective.objects.create(
        plan=plan,
        strategic_objective=StrategicObjective.objects.get(number=2),
        narrative=f"{MARKER} objective",
        people_description=f"{MARKER} people",
    )
    intervention = Intervention.objects.create(objective=objective, title=f"{MARKER} {tag} work")
    tjk_user = UserFactory(username=f"{MARKER}-{tag}-editor")
    return {
        "plans.plan": plan,
        "plans.planyear": PlanYear.objects.create(plan=plan, year=2020, people_targeted=7),
        "plans.operationalpresence": OperationalPresence.objects.create(
            plan=plan, country=country("TJK"), field_offices=2
        ),
        "plans.plantransition": PlanTransition.objects.create(
            plan=plan,
            from_status="draft",
            to_status=status,
            at=datetime.datetime.now(datetime.UTC),
            comment=f"{MARKER} comment",
        ),
        "plans.plandocument": PlanDocument.objects.create(
            plan=plan,
            kind=PlanDocument.Kind.OTHER,
            title=f"{MARKER} {tag} document",
            published_on=datetime.date(2020, 1, 1),
            url=f"https://example.org/{MARKER}-{tag}.pdf",
        ),
        "plans.roleassignment": assign(tjk_user, Role.EDITOR, "TJK"),
        "auth.user": tjk_user,
        "objectives.objective": objective,
        "interventions.intervention": intervention,
        "interventions.activity": Activity.objects.create(
            intervention=intervention, text=f"{MARKER} activity"
        ),
        "funding.requirement": Requirement.objects.create(
            intervention=intervention, year=2020, amount_usd=Decimal("123456.00")
        ),
        "funding.contribution": ContributionFactory(
            plan=plan, objective=objective, intervention=intervention, reference=f"{MARKER}-ref"
        ),
    }


@pytest.fixture
def drafts(db):
    return _world(Plan.Status.DRAFT, "draft")


@pytest.fixture
def published(db):
    return _world(Plan.Status.PUBLISHED, "pub")


@pytest.fixture
def pak_client(client, pak_editor):
    client.force_login(pak_editor)
    return client


def _state(obj) -> dict | None:
    row = type(obj)._default_manager.filter(pk=obj.pk).first()
    return None if row is None else model_to_dict(row)


HIJACK = {
    "title": "HIJACKED",
    "reference": "HIJACKED",
    "text": "HIJACKED",
    "narrative": "HIJACKED",
    "comment": "HIJACKED",
    "username": "hijacked",
    "post": "yes",  # confirms a delete page
    "loaded_version": "1",
}


# What each API collection writes: a body of those fields only, so that a refusal is the
# permission's (a field an endpoint does not write is a 400 of its own, issue 11 item 12).
API_WRITES = {
    "plans": ("title",),
    "objectives": ("narrative",),
    "interventions": ("title", "narrative"),
    "contributions": ("reference",),
}


def _api_hijack(url: str) -> dict:
    collection = url.removeprefix("/api/v1/").split("/")[0]
    return {name: HIJACK[name] for name in API_WRITES.get(collection, ("title",))}


def _body(response) -> str:
    """The text of a response, streamed (CSV, HXL) or not."""
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


WORKFLOW_STEPS = (
    "/submit/",
    "/publish/",
    "/return/",
    "/archive/",
    "/unarchive/",
    "/withdraw/",
)


def _refused(response, url) -> bool:
    """403/404/405, a redirect elsewhere (the admin's "doesn't exist" or the login page), or 401."""
    if response.status_code in (401, 403, 404, 405):
        return True
    return response.status_code == 302 and response["Location"].split("?")[0] != url


def _object_urls(world):
    pairs = []
    for route in isolation.object_routes():
        for url, obj in isolation.urls_for(route, world):
            pairs.append((route, url, obj))
    return pairs


def test_every_registered_admin_model_is_covered_or_explained(drafts):
    unexplained = isolation.admin_models() - set(drafts) - set(isolation.NOT_COUNTRY_SCOPED)
    assert not unexplained, f"Add these to the isolation world or NOT_COUNTRY_SCOPED: {unexplained}"


def test_generated_urls_are_real_pages(client, superuser, drafts):
    """The generator builds working URLs: an admin opens each of them (so a refusal below
    means isolation, not a broken URL)."""
    client.force_login(superuser)
    pairs = _object_urls(drafts)
    assert len(pairs) >= 40
    for route, url, _obj in pairs:
        response = client.get(url)
        if route.name == "view_on_site":
            continue  # plan content has no public URL on this branch: 404 for everyone
        if not (route.is_admin or route.is_api):
            continue  # public pages show published plans only, to everyone (tested below)
        if route.is_api and response.status_code == 405 and url.endswith(WORKFLOW_STEPS):
            continue  # a workflow step is POST only (tested below and in plans/tests)
        if response.status_code == 403:  # only where nobody may delete (the review log)
            assert url.endswith("/delete/") and not admin.site._registry[
                type(_obj)
            ].has_delete_permission(RequestFactory().get("/"), _obj), url
            continue
        assert response.status_code in (200, 302), (url, response.status_code)
        if response.status_code == 302:
            assert route.name is None, url  # only the bare "<id>/" redirect to the change page


def test_pak_editor_cannot_read_tjk_drafts_anywhere(pak_client, drafts):
    for _route, url, _obj in _object_urls(drafts):
        response = pak_client.get(url)
        assert _refused(response, url), (url, response.status_code)
        assert MARKER not in _body(response).lower(), url


@pytest.mark.parametrize("world", ["drafts", "published"])
def test_pak_editor_cannot_write_or_delete_tjk_rows(request, pak_client, world):
    objects = request.getfixturevalue(world)
    before = {label: _state(obj) for label, obj in objects.items()}
    for route, url, _obj in _object_urls(objects):
        if world == "published" and route.name and route.name.endswith("_as_of"):
            continue  # read-only view of a published plan: readable by design
        for method in ("post", "put", "patch", "delete"):
            if route.is_admin and method != "post":
                continue
            if route.is_api:  # the API reads JSON; a form body would be refused as 415
                # If-Match "*": the version check passes, so a refusal is the permission's.
                response = getattr(pak_client, method)(
                    url, _api_hijack(url), content_type="application/json", HTTP_IF_MATCH="*"
                )
            else:
                response = getattr(pak_client, method)(url, HIJACK)
            assert response.status_code != 500, (method, url)
            if world == "drafts" or route.is_api or method != "post":
                assert _refused(response, url), (method, url, response.status_code)
    after = {label: _state(obj) for label, obj in objects.items()}
    assert after == before


def test_pak_editor_cannot_take_workflow_steps_on_tjk_plans(pak_client, drafts, published):
    for plan, step in [(drafts["plans.plan"], "submit"), (published["plans.plan"], "archive")]:
        url = reverse("admin:plans_plan_change", args=[plan.pk])
        response = pak_client.post(url, {"_transition": step})
        assert _refused(response, url)
        plan.refresh_from_db()
    assert drafts["plans.plan"].status == Plan.Status.DRAFT
    assert published["plans.plan"].status == Plan.Status.PUBLISHED
    assert not PlanTransition.objects.filter(comment="").exists()


# Searches use part of the marker: the search box echoes the term, the results must not show it.
LIST_QUERIES = [
    "",
    "?q=secret",
    "?search=secret",
    "?format=csv",
    "?format=json",
    "?status=draft",
]


def _list_urls():
    urls = []
    for route in isolation.list_routes():
        if route.route.endswith(("logout/", "healthz")) or "autocomplete" in route.route:
            continue  # logout ends the session; healthz and autocomplete are tested apart
        base = route.url([])
        urls += [base + query for query in LIST_QUERIES]
    return urls


def test_pak_editor_sees_no_tjk_draft_in_any_list(pak_client, drafts):
    urls = _list_urls()
    assert any(u.startswith("/admin/plans/plan/") for u in urls)
    for url in urls:
        response = pak_client.get(url)
        assert response.status_code < 500, url
        assert MARKER not in _body(response).lower(), url


def test_pak_editor_autocomplete_offers_no_tjk_draft(pak_client, drafts):
    checked = 0
    for model, model_admin in admin.site._registry.items():
        for field_name in (
            model_admin.get_autocomplete_fields(None)
            if hasattr(model_admin, "get_autocomplete_fields")
            else []
        ):
            params = {
                "app_label": model._meta.app_label,
                "model_name": model._meta.model_name,
                "field_name": field_name,
                "term": "secret",
            }
            response = pak_client.get("/admin/autocomplete/", params)
            assert MARKER not in _body(response).lower(), params
            checked += 1
    assert checked >= 5


def test_anonymous_sees_no_draft_anywhere(client, drafts):
    for url in _list_urls():
        response = client.get(url)
        assert response.status_code < 500, url
        assert MARKER not in _body(response).lower(), url
    for _route, url, _obj in _object_urls(drafts):
        response = client.get(url)
        assert _refused(response, url), (url, response.status_code)
        assert MARKER not in _body(response).lower(), url


def test_editors_have_no_permission_on_accounts_and_sign_in_records(pak_client):
    for label in isolation.NOT_COUNTRY_SCOPED:
        if label.startswith(("auth.", "axes.")):
            app, model = label.split(".")
            assert pak_client.get(f"/admin/{app}/{model}/").status_code == 403, label


# --- Moving a row into a country that is not yours ------------------------------------------


@pytest.fixture
def pak_rows(pak_editor):
    plan = PlanFactory(status=Plan.Status.DRAFT, countries=["PAK"], slug="pak-own")
    objective = Objective.objects.create(
        plan=plan, strategic_objective=StrategicObjective.objects.get(number=1)
    )
    intervention = Intervention.objects.create(objective=objective, title="PAK work")
    return plan, objective, intervention


@pytest.fixture
def pak_officer(db):
    officer = UserFactory(username="officer-pak")
    assign(officer, Role.FUNDING_OFFICER, "PAK")  # the receiver adds the role's group
    PlanFactory(countries=["PAK"], slug="pak-pub")  # something of theirs to record money on
    return officer


@pytest.mark.parametrize("who, expected", [("pak_editor", 2), ("pak_officer", 3)])
def test_form_choices_never_offer_another_countrys_plan_rows(
    request, who, expected, drafts, published
):
    """For every ModelAdmin, a foreign key to a plan, objective or intervention only offers
    rows of plans the user may edit (their countries)."""
    user = request.getfixturevalue(who)
    request = RequestFactory().get("/")
    request.user = user
    tjk_ids = {
        label: {drafts[label].pk, published[label].pk}
        for label in ("plans.plan", "objectives.objective", "interventions.intervention")
    }
    checked = 0
    for model_admin in admin.site._registry.values():
        if not (
            model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
        ):
            continue  # no form this user can submit
        form = model_admin.get_form(request)
        for name, formfield in form.base_fields.items():
            queryset = getattr(formfield, "queryset", None)
            label = queryset.model._meta.label_lower if queryset is not None else None
            if label in tjk_ids and not formfield.disabled:
                offered = set(queryset.values_list("pk", flat=True))
                assert not offered & tjk_ids[label], (type(model_admin).__name__, name)
                checked += 1
    assert checked >= expected


def test_pak_editor_cannot_move_a_plan_into_tajikistan(pak_client, pak_rows):
    from crp_portal.tests.forms import form_data

    plan = pak_rows[0]
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = form_data(pak_client.get(url).content.decode(), "plan_form")
    data["countries"] = [str(country("TJK").pk)]
    response = pak_client.post(url, data)
    assert response.status_code == 200
    assert "You are not an editor for Tajikistan." in response.content.decode()
    assert list(plan.countries.values_list("iso3", flat=True)) == ["PAK"]


def test_pak_editor_cannot_move_an_intervention_under_a_tjk_objective(
    pak_client, pak_rows, published
):
    from crp_portal.tests.forms import form_data

    intervention = pak_rows[2]
    url = reverse("admin:interventions_intervention_change", args=[intervention.pk])
    data = form_data(pak_client.get(url).content.decode(), "intervention_form")
    data["objective"] = [str(published["objectives.objective"].pk)]
    response = pak_client.post(url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    intervention.refresh_from_db()
    assert intervention.objective == pak_rows[1]


def test_pak_funding_officer_cannot_move_a_contribution_to_a_tjk_plan(
    client, pak_officer, published
):
    from crp_portal.tests.forms import form_data

    officer = pak_officer
    pak_plan = Plan.objects.get(slug="pak-pub")
    contribution = ContributionFactory(plan=pak_plan, reference="pak-money")
    client.force_login(officer)
    url = reverse("admin:funding_contribution_change", args=[contribution.pk])
    data = form_data(client.get(url).content.decode(), "contribution_form")
    data["plan"] = [str(published["plans.plan"].pk)]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Contribution.objects.get(pk=contribution.pk).plan == pak_plan


def test_route_count(drafts):
    """How much the generator covers (printed with -s; the report quotes it)."""
    object_urls = _object_urls(drafts)
    routes = {route.route for route, _url, _obj in object_urls}
    print(  # noqa: T201  (the figure the issue's note asks for; see it with -s)
        f"\nisolation: {len(routes)} object routes, {len(object_urls)} object URLs, "
        f"{len(_list_urls())} list URLs"
    )
    assert len(routes) >= 30
