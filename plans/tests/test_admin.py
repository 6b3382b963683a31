"""The editors' admin: pages render, valid forms save, and editors stay in their countries."""

from decimal import Decimal

import pytest
from django.urls import reverse

from crp_portal.tests.forms import form_data, requirement_change
from funding.models import Requirement
from plans.models import Plan


@pytest.fixture
def tjk_editor_client(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="editor.tjk"))
    return client


def _errors(response) -> str:
    if response.context is None or "adminform" not in response.context:
        return ""
    errors = [response.context["adminform"].form.errors]
    errors += [f.formset.errors for f in response.context["inline_admin_formsets"]]
    errors += [f.formset.non_form_errors() for f in response.context["inline_admin_formsets"]]
    return repr(errors)


def _round_trip(client, url, form_id, **changes):
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.content.decode(), form_id)
    for name, value in changes.items():
        data[name] = [value]
    data["_continue"] = ["Save and continue editing"]
    return client.post(url, data)


def test_plan_page_shows_computed_figures(tjk_editor_client, demo):
    plan = demo["tajikistan-crp-2020"]
    page = tjk_editor_client.get(reverse("admin:plans_plan_change", args=[plan.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "$1,075,000.00" in html
    assert "$950,000.00" in html and "$125,000.00" in html
    assert "Community stabilization" in html  # interventions are on the same page


def test_pakistan_shows_not_yet_costed(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="editor.pak"))
    plan = demo["pakistan-crp-2020-2021"]
    html = client.get(reverse("admin:plans_plan_change", args=[plan.pk])).content.decode()
    assert "not yet costed" in html
    assert "$0.00</td>" not in html.split("Required")[1][:80]


@pytest.mark.parametrize(
    "admin_name, lookup",
    [
        ("plans_plan", lambda plan: plan),
        ("objectives_objective", lambda plan: plan.objectives.first()),
        ("interventions_intervention", lambda plan: plan.objectives.first().interventions.first()),
    ],
)
def test_admin_pages_render_and_save(tjk_editor_client, demo, admin_name, lookup):
    obj = lookup(demo["tajikistan-crp-2020"])
    url = reverse(f"admin:{admin_name}_change", args=[obj.pk])
    form_id = {"plans_plan": "plan_form"}.get(admin_name, admin_name.split("_")[1] + "_form")
    response = _round_trip(tjk_editor_client, url, form_id)
    assert response.status_code == 302, _errors(response)
    assert tjk_editor_client.get(reverse(f"admin:{admin_name}_changelist")).status_code == 200


def test_editing_a_requirement_on_its_interventions_page_saves_it(tjk_editor_client, demo):
    response = requirement_change(tjk_editor_client, old="700000.00", new="720000.00")
    assert response.status_code == 302
    assert Requirement.objects.filter(amount_usd=Decimal("720000.00")).count() == 1


def test_end_year_before_start_year_is_explained_beside_the_field(tjk_editor_client, demo):
    plan = demo["tajikistan-crp-2020"]
    response = _round_trip(
        tjk_editor_client,
        reverse("admin:plans_plan_change", args=[plan.pk]),
        "plan_form",
        end_year="2019",
    )
    assert response.status_code == 200
    assert "End year 2019 is before start year 2020." in response.content.decode()
    plan.refresh_from_db()
    assert plan.end_year == 2020


def test_editor_cannot_change_another_countrys_plan(tjk_editor_client, demo):
    plan = demo["pakistan-crp-2020-2021"]
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    page = tjk_editor_client.get(url)
    assert page.status_code == 200  # published: readable
    assert 'name="title"' not in page.content.decode()  # but read-only
    data = form_data(page.content.decode(), "plan_form")
    data["title"] = ["Hijacked"]
    assert tjk_editor_client.post(url, data).status_code == 403
    plan.refresh_from_db()
    assert plan.title != "Hijacked"


def test_editor_cannot_add_a_plan_in_another_country(tjk_editor_client, demo):
    from plans.models import Country

    response = tjk_editor_client.post(
        reverse("admin:plans_plan_add"),
        {
            "title": "Sneaky plan",
            "slug": "sneaky",
            "kind": "country",
            "countries": [Country.objects.get(iso3="PAK").pk],
            "start_year": "2024",
            "end_year": "2024",
            **{
                f"{prefix}-{k}": "0"
                for prefix in ("plan_years", "indicators", "objectives", "presences", "documents")
                for k in ("TOTAL_FORMS", "INITIAL_FORMS")
            },
        },
    )
    assert response.status_code == 200
    assert "You are not an editor for Pakistan." in response.content.decode()
    assert not Plan.objects.filter(slug="sneaky").exists()


def test_drafts_of_other_countries_are_not_listed(tjk_editor_client, demo):
    from plans.tests.factories import PlanFactory

    PlanFactory(title="Secret PAK draft", status=Plan.Status.DRAFT, countries=["PAK"])
    html = tjk_editor_client.get(reverse("admin:plans_plan_changelist")).content.decode()
    assert "Secret PAK draft" not in html
    assert "Tajikistan Crisis Response Plan 2020" in html


def test_people_targeted_warning(tjk_editor_client, demo):
    plan = demo["tajikistan-crp-2020"]
    plan.plan_years.filter(year=2020).update(people_targeted=100)
    html = tjk_editor_client.get(
        reverse("admin:plans_plan_change", args=[plan.pk])
    ).content.decode()
    assert "are fewer than by objective 2" in html
