"""No lost updates: a stale save is refused with what changed, in the admin and in the API."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from crp_portal.tests.forms import form_data
from funding.models import Contribution
from plans.models import Plan


def _login(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_second_admin_save_of_a_plan_gets_a_conflict_and_overwrites_nothing(client, demo):
    from django.test import Client

    plan = demo["tajikistan-crp-2020"]
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    alice, bob = _login(client, "editor.tjk"), _login(Client(), "admin")
    alice_form = form_data(alice.get(url).content.decode(), "plan_form")
    bob_form = form_data(bob.get(url).content.decode(), "plan_form")

    bob_form["vision_statement"] = ["Bob's vision"]
    assert bob.post(url, bob_form).status_code == 302

    alice_form["vision_statement"] = ["Alice's vision"]
    alice_form["end_year"] = ["2021"]
    response = alice.post(url, alice_form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else (admin) saved this record after you opened it" in html
    assert "<td>vision statement</td><td>Bob&#x27;s vision</td><td>Alice&#x27;s vision</td>" in html
    plan.refresh_from_db()
    assert plan.vision_statement == "Bob's vision" and plan.end_year == 2020

    # Reloaded, her save goes through.
    fresh = form_data(alice.get(url).content.decode(), "plan_form")
    fresh["vision_statement"] = ["Alice's vision"]
    assert alice.post(url, fresh).status_code == 302
    plan.refresh_from_db()
    assert plan.vision_statement == "Alice's vision"


def test_a_stale_plan_page_also_protects_its_rows(client, demo):
    """Edits to its objectives on a stale page are refused too (the page saves as one)."""
    from django.test import Client

    plan = demo["tajikistan-crp-2020"]
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    alice, bob = _login(client, "editor.tjk"), _login(Client(), "admin")
    alice_form = form_data(alice.get(url).content.decode(), "plan_form")
    assert bob.post(url, form_data(bob.get(url).content.decode(), "plan_form")).status_code == 302
    narrative = next(
        k for k in alice_form if k.startswith("objectives-") and k.endswith("-narrative")
    )
    alice_form[narrative] = ["Typed on a stale page"]
    assert alice.post(url, alice_form).status_code == 200
    assert not plan.objectives.filter(narrative="Typed on a stale page").exists()


def test_workflow_step_makes_an_open_plan_page_stale(client, demo):
    from plans import services_workflow as workflow

    plan = demo["tajikistan-crp-2020"]
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    editor = _login(client, "editor.tjk")
    page = form_data(editor.get(url).content.decode(), "plan_form")
    workflow.plan_archive(plan=plan, actor=get_user_model().objects.get(username="reviewer"))
    assert editor.post(url, page).status_code == 200
    plan.refresh_from_db()
    assert plan.status == Plan.Status.ARCHIVED


def test_second_admin_save_of_a_contribution_gets_a_conflict(client, demo):
    from django.test import Client

    contribution = Contribution.objects.filter(plan=demo["tajikistan-crp-2020"]).first()
    url = reverse("admin:funding_contribution_change", args=[contribution.pk])
    one, two = _login(client, "funding"), _login(Client(), "admin")
    first = form_data(one.get(url).content.decode(), "contribution_form")
    second = form_data(two.get(url).content.decode(), "contribution_form")
    second["reference"] = ["REF-TWO"]
    assert two.post(url, second).status_code == 302
    first["reference"] = ["REF-ONE"]
    response = one.post(url, first)
    assert response.status_code == 200
    assert "<td>reference</td><td>REF-TWO</td><td>REF-ONE</td>" in response.content.decode()
    contribution.refresh_from_db()
    assert contribution.reference == "REF-TWO"
    assert contribution.version == 2


# --- API: ETag / If-Match on the real write endpoints ---------------------------------------

TJK = "tajikistan-crp-2020"


@pytest.fixture
def tjk_api(api_client, demo):
    api_client.force_authenticate(get_user_model().objects.get(username="editor.tjk"))
    return api_client


def _patch(client, url, body, etag=None):
    extra = {"HTTP_IF_MATCH": etag} if etag else {}
    return client.patch(url, body, format="json", **extra)


def test_plan_etag_names_its_version_and_revalidates(tjk_api, demo):
    url = f"/api/v1/plans/{TJK}/"
    response = tjk_api.get(url)
    version = demo[TJK].version
    assert response["ETag"].startswith(f'"v{version}-')
    assert tjk_api.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_plan_patch_without_if_match_is_428_and_writes_nothing(tjk_api, demo):
    response = _patch(tjk_api, f"/api/v1/plans/{TJK}/", {"title": "Renamed"})
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    assert response.json()["current_version"] == demo[TJK].version
    assert Plan.objects.get(slug=TJK).title == demo[TJK].title


def test_plan_patch_with_its_etag_succeeds_and_answers_the_next_etag(tjk_api, demo):
    url = f"/api/v1/plans/{TJK}/"
    etag = tjk_api.get(url)["ETag"]
    response = _patch(tjk_api, url, {"title": "Renamed"}, etag)
    assert response.status_code == 200, response.content
    version = demo[TJK].version + 1
    assert response["ETag"].startswith(f'"v{version}-')
    assert Plan.objects.get(slug=TJK).version == version
    # The answer's ETag is good for the next write, without a GET in between.
    assert _patch(tjk_api, url, {"title": "Renamed again"}, response["ETag"]).status_code == 200


def test_stale_plan_patch_is_412_with_what_changed_and_writes_nothing(tjk_api, demo, client):
    url = f"/api/v1/plans/{TJK}/"
    stale = tjk_api.get(url)["ETag"]
    # Someone else saves first, in the admin.
    admin_url = reverse("admin:plans_plan_change", args=[demo[TJK].pk])
    other = _login(client, "admin")
    form = form_data(other.get(admin_url).content.decode(), "plan_form")
    form["title"] = ["Their title"]
    assert other.post(admin_url, form).status_code == 302

    response = _patch(tjk_api, url, {"title": "My title"}, stale)
    assert response.status_code == 412
    body = response.json()
    assert body["current_version"] == body["your_version"] + 1
    assert body["changed_by"] == "admin"
    assert {"field": "title", "their_value": "Their title", "your_value": "My title"} in body[
        "changes"
    ]
    assert Plan.objects.get(slug=TJK).title == "Their title"


def test_an_api_write_makes_an_open_admin_page_stale(tjk_api, demo, client):
    """The version is bumped by the service, so the admin sees API writes (and vice versa)."""
    admin_url = reverse("admin:plans_plan_change", args=[demo[TJK].pk])
    page = _login(client, "admin")
    form = form_data(page.get(admin_url).content.decode(), "plan_form")
    url = f"/api/v1/plans/{TJK}/"
    assert (
        _patch(tjk_api, url, {"title": "From the API"}, tjk_api.get(url)["ETag"]).status_code == 200
    )
    form["vision_statement"] = ["From the admin"]
    response = page.post(admin_url, form)
    assert response.status_code == 200
    assert "saved this record after you opened it" in response.content.decode()
    assert Plan.objects.get(slug=TJK).vision_statement != "From the admin"


def test_new_money_changes_the_etag_but_does_not_make_an_edit_stale(tjk_api, demo):
    from funding import services
    from funding.models import Contribution

    url = f"/api/v1/plans/{TJK}/"
    before = tjk_api.get(url)["ETag"]
    contribution = Contribution.objects.filter(plan=demo[TJK]).first()
    Contribution.objects.filter(pk=contribution.pk).update(amount_usd=1)
    services.plan_rollup_recompute(plan_id=demo[TJK].pk)
    after = tjk_api.get(url)["ETag"]
    assert after != before  # the body changed: a cached copy is not reused
    assert after.split("-")[0] == before.split("-")[0]  # the same version
    assert _patch(tjk_api, url, {"title": "Still mine"}, before).status_code == 200


def test_an_unknown_if_match_is_412(tjk_api):
    response = _patch(tjk_api, f"/api/v1/plans/{TJK}/", {"title": "X"}, '"not-ours"')
    assert response.status_code == 412
    assert "If-Match" in response.json()["detail"]


def test_an_intervention_is_guarded_by_its_plans_version(tjk_api, demo):
    plan = demo[TJK]
    intervention = plan.objectives.first().interventions.first()
    url = f"/api/v1/interventions/{intervention.pk}/"
    read = tjk_api.get(url)
    assert read["ETag"].startswith(f'"v{plan.version}-')
    assert _patch(tjk_api, url, {"title": "No version"}).status_code == 428
    # A change elsewhere in the plan (its title) makes the intervention's ETag stale.
    plan_url = f"/api/v1/plans/{TJK}/"
    assert (
        _patch(tjk_api, plan_url, {"title": "T"}, tjk_api.get(plan_url)["ETag"]).status_code == 200
    )
    response = _patch(tjk_api, url, {"title": "Mine"}, read["ETag"])
    assert response.status_code == 412
    assert response.json()["changes"] == []  # nothing of this intervention changed: re-read
    intervention.refresh_from_db()
    assert intervention.title != "Mine"
    fresh = tjk_api.get(url)["ETag"]
    response = _patch(tjk_api, url, {"title": "Mine"}, fresh)
    assert response.status_code == 200, response.content
    assert (
        Plan.objects.get(pk=plan.pk)
        .history.first()
        .history_change_reason.startswith("Intervention changed")
    )


def test_stale_intervention_patch_lists_the_fields_they_changed(tjk_api, demo):
    intervention = demo[TJK].objectives.first().interventions.first()
    url = f"/api/v1/interventions/{intervention.pk}/"
    stale = tjk_api.get(url)["ETag"]
    assert _patch(tjk_api, url, {"title": "Theirs"}, stale).status_code == 200
    response = _patch(tjk_api, url, {"title": "Mine"}, stale)
    assert response.status_code == 412
    assert response.json()["changes"] == [
        {"field": "title", "their_value": "Theirs", "your_value": "Mine"}
    ]


def test_objectives_are_created_and_changed_through_the_api(tjk_api, demo):
    plan = demo[TJK]
    objective = plan.objectives.first()
    url = f"/api/v1/objectives/{objective.pk}/"
    etag = tjk_api.get(url)["ETag"]
    response = _patch(tjk_api, url, {"people_targeted": 12, "target_groups": []}, etag)
    assert response.status_code == 200, response.content
    assert response.json()["people_targeted"] == 12
    assert _patch(tjk_api, url, {"people_targeted": 13}, etag).status_code == 412
    taken = objective.strategic_objective.number
    response = tjk_api.post(
        "/api/v1/objectives/",
        {"plan": TJK, "strategic_objective": taken, "narrative": "Twice"},
        format="json",
    )
    assert response.status_code == 400, response.content  # one objective per strategic one
    assert _patch(tjk_api, url, {"plan": "another-plan"}, "*").status_code == 400


@pytest.fixture
def officer_api(api_client, demo):
    api_client.force_authenticate(get_user_model().objects.get(username="funding"))
    return api_client


def test_contribution_correction_and_deletion_need_the_current_etag(officer_api, demo):
    contribution = Contribution.objects.filter(plan=demo[TJK]).first()
    url = f"/api/v1/contributions/{contribution.pk}/"
    read = officer_api.get(url)
    assert read["ETag"].startswith(f'"v{contribution.version}-')
    assert _patch(officer_api, url, {"reference": "B"}).status_code == 428
    assert officer_api.delete(url).status_code == 428

    response = _patch(officer_api, url, {"reference": "Theirs"}, read["ETag"])
    assert response.status_code == 200, response.content
    assert response.json()["amount"] == read.json()["amount"]  # what is not sent stays
    response = _patch(officer_api, url, {"reference": "Mine"}, read["ETag"])
    assert response.status_code == 412
    assert response.json()["changes"] == [
        {"field": "reference", "their_value": "Theirs", "your_value": "Mine"}
    ]
    assert officer_api.delete(url, HTTP_IF_MATCH=read["ETag"]).status_code == 412
    assert Contribution.objects.get(pk=contribution.pk).reference == "Theirs"
    assert officer_api.delete(url, HTTP_IF_MATCH=officer_api.get(url)["ETag"]).status_code == 204
    assert not Contribution.objects.filter(pk=contribution.pk).exists()


def test_an_editor_cannot_correct_money_even_with_a_good_etag(tjk_api, demo):
    contribution = Contribution.objects.filter(plan=demo[TJK]).first()
    url = f"/api/v1/contributions/{contribution.pk}/"
    etag = tjk_api.get(url)["ETag"]
    assert _patch(tjk_api, url, {"amount": "1.00"}, etag).status_code == 403
    assert tjk_api.delete(url, HTTP_IF_MATCH=etag).status_code == 403
    assert Contribution.objects.get(pk=contribution.pk).amount == contribution.amount


def test_intervention_page_and_plan_page_edits_of_one_plan_do_not_cross(client, demo):
    """An intervention edited on its own page is guarded by its plan's version, like the plan's
    page: whichever saves second is told, and nothing is overwritten."""
    from django.test import Client

    plan = demo["tajikistan-crp-2020"]
    intervention = plan.objectives.first().interventions.first()
    plan_url = reverse("admin:plans_plan_change", args=[plan.pk])
    int_url = reverse("admin:interventions_intervention_change", args=[intervention.pk])
    alice, bob = _login(client, "editor.tjk"), _login(Client(), "admin")
    alice_form = form_data(alice.get(int_url).content.decode(), "intervention_form")
    bob_form = form_data(bob.get(plan_url).content.decode(), "plan_form")

    loaded = plan.version
    alice_form["title"] = ["Alice's title"]
    assert alice.post(int_url, alice_form).status_code == 302
    plan.refresh_from_db()
    assert plan.version == loaded + 1

    # Bob's plan page was opened before Alice's save: his edit of an objective is refused.
    key = next(k for k in bob_form if k.startswith("objectives-") and k.endswith("-narrative"))
    bob_form[key] = ["Bob's narrative"]
    response = bob.post(plan_url, bob_form)
    assert response.status_code == 200
    assert "saved this record after you opened it" in response.content.decode()
    intervention.refresh_from_db()
    assert intervention.title == "Alice's title"
    assert not plan.objectives.filter(narrative="Bob's narrative").exists()


def test_an_admin_intervention_page_save_is_a_recorded_plan_version(client, demo, tjk_api):
    """The intervention page records its plan's next version before it writes, as the services
    do, so a stale API client is told what that page changed."""
    plan = demo[TJK]
    intervention = plan.objectives.first().interventions.first()
    url = f"/api/v1/interventions/{intervention.pk}/"
    stale = tjk_api.get(url)["ETag"]
    page_url = reverse("admin:interventions_intervention_change", args=[intervention.pk])
    admin_client = _login(client, "admin")
    form = form_data(admin_client.get(page_url).content.decode(), "intervention_form")
    form["title"] = ["Changed in the admin"]
    assert admin_client.post(page_url, form).status_code == 302
    assert plan.history.first().history_change_reason.startswith("Intervention changed")
    response = _patch(tjk_api, url, {"title": "Mine"}, stale)
    assert response.status_code == 412
    assert response.json()["changes"] == [
        {"field": "title", "their_value": "Changed in the admin", "your_value": "Mine"}
    ]
