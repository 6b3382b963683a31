"""No lost updates: a stale save is refused with what changed, in the admin and in the API."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from crp_portal.tests.forms import form_data
from funding.models import Contribution
from funding.tests.factories import ContributionFactory
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
    """Edits to requirements on a stale page are refused too (the page saves as one)."""
    from django.test import Client

    plan = demo["tajikistan-crp-2020"]
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    alice, bob = _login(client, "editor.tjk"), _login(Client(), "admin")
    alice_form = form_data(alice.get(url).content.decode(), "plan_form")
    assert bob.post(url, form_data(bob.get(url).content.decode(), "plan_form")).status_code == 302
    amount = next(k for k, v in alice_form.items() if v == ["700000.00"])
    alice_form[amount] = ["1.00"]
    assert alice.post(url, alice_form).status_code == 200
    assert not plan.objectives.filter(interventions__requirements__amount_usd=1).exists()


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


# --- API: ETag / If-Match (VersionedUpdateMixin on a test-only viewset) ---------------------


@pytest.fixture
def contribution(db):
    return ContributionFactory(reference="A")


@pytest.fixture
def officer_api(api_client, superuser):
    api_client.force_authenticate(superuser)
    return api_client


pytestmark_urls = pytest.mark.urls("crp_portal.tests.api_concurrency_urls")


@pytestmark_urls
def test_detail_read_carries_the_version_as_etag(officer_api, contribution):
    response = officer_api.get(f"/api/test/contributions/{contribution.pk}/")
    assert response.status_code == 200
    assert response["ETag"] == '"1"'


@pytestmark_urls
def test_write_without_if_match_is_refused(officer_api, contribution):
    url = f"/api/test/contributions/{contribution.pk}/"
    response = officer_api.patch(url, {"reference": "B"}, format="json")
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    assert officer_api.delete(url).status_code == 428
    contribution.refresh_from_db()
    assert contribution.reference == "A"


@pytestmark_urls
def test_write_with_current_etag_succeeds_and_bumps_it(officer_api, contribution):
    url = f"/api/test/contributions/{contribution.pk}/"
    response = officer_api.patch(url, {"reference": "B"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    contribution.refresh_from_db()
    assert (contribution.reference, contribution.version) == ("B", 2)


@pytestmark_urls
def test_stale_write_gets_412_with_what_changed(officer_api, contribution):
    url = f"/api/test/contributions/{contribution.pk}/"
    officer_api.patch(url, {"reference": "Theirs"}, format="json", HTTP_IF_MATCH='"1"')
    response = officer_api.patch(url, {"reference": "Mine"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    body = response.json()
    assert body["current_version"] == 2 and body["your_version"] == 1
    assert body["changes"] == [
        {"field": "reference", "their_value": "Theirs", "your_value": "Mine"}
    ]
    assert response["ETag"] == '"2"'
    assert officer_api.delete(url, HTTP_IF_MATCH='"1"').status_code == 412
    contribution.refresh_from_db()
    assert contribution.reference == "Theirs"
    assert officer_api.delete(url, HTTP_IF_MATCH='"2"').status_code == 204


@pytestmark_urls
def test_other_countries_rows_stay_invisible_through_the_mixin(api_client, pak_editor, db):
    hidden = ContributionFactory(plan__status=Plan.Status.DRAFT, plan__countries=["TJK"])
    api_client.force_authenticate(pak_editor)
    url = f"/api/test/contributions/{hidden.pk}/"
    assert api_client.get(url).status_code == 404
    assert (
        api_client.patch(url, {"reference": "x"}, format="json", HTTP_IF_MATCH='"1"').status_code
        == 404
    )


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

    alice_form["title"] = ["Alice's title"]
    assert alice.post(int_url, alice_form).status_code == 302
    plan.refresh_from_db()
    assert plan.version == 2

    title_key = next(k for k, v in bob_form.items() if v == [intervention.title])
    bob_form[title_key] = ["Bob's title"]
    response = bob.post(plan_url, bob_form)
    assert response.status_code == 200
    assert "saved this record after you opened it" in response.content.decode()
    intervention.refresh_from_db()
    assert intervention.title == "Alice's title"
