"""Issue 11, item 9: an editor of other countries cannot tell that a hidden draft exists — not
from the admin's list filters, nor from the answer to a plan code (slug) it holds."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from crp_portal.tests.forms import form_data
from plans.models import Country, Plan
from plans.tests.factories import PlanFactory


@pytest.fixture
def tjk_editor_client(client, demo):
    client.force_login(get_user_model().objects.get(username="editor.tjk"))
    return client


@pytest.fixture
def hidden_draft(demo):
    """A Pakistan draft: the Tajikistan editor may not see it (only published plans)."""
    return PlanFactory(
        title="Secret PAK draft",
        slug="secret-pak-draft",
        status=Plan.Status.DRAFT,
        start_year=2031,
        end_year=2032,
        countries=["PAK"],
    )


def _add_plan(client, *, slug: str):
    return client.post(
        reverse("admin:plans_plan_add"),
        {
            "title": "New Tajikistan plan",
            "slug": slug,
            "kind": "country",
            "countries": [Country.objects.get(iso3="TJK").pk],
            "start_year": "2024",
            "end_year": "2024",
            **{
                f"{prefix}-{k}": "0"
                for prefix in ("plan_years", "indicators", "objectives", "presences", "documents")
                for k in ("TOTAL_FORMS", "INITIAL_FORMS")
            },
        },
    )


def test_year_filter_lists_only_the_years_of_plans_the_editor_sees(tjk_editor_client, hidden_draft):
    html = tjk_editor_client.get(reverse("admin:plans_plan_changelist")).content.decode()
    assert "?year=2020" in html  # the published demo plans' years
    assert "?year=2031" not in html and "?year=2032" not in html
    assert "Secret PAK draft" not in html


def test_year_filter_of_a_superuser_lists_every_plans_years(client, superuser, hidden_draft):
    client.force_login(superuser)
    html = client.get(reverse("admin:plans_plan_changelist")).content.decode()
    assert "?year=2031" in html


@pytest.mark.parametrize("taken", ["secret-pak-draft", "tajikistan-crp-2020"])
def test_a_new_plans_taken_code_gets_a_free_one_whether_or_not_its_holder_is_visible(
    tjk_editor_client, hidden_draft, taken
):
    response = _add_plan(tjk_editor_client, slug=taken)
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Plan.objects.get(title="New Tajikistan plan")
    assert created.slug == f"{taken}-2"
    page = tjk_editor_client.get(response["Location"]).content.decode()
    assert "already exists" not in page
    assert "Secret PAK draft" not in page


def test_renaming_to_a_taken_code_answers_the_same_for_a_hidden_and_a_visible_plan(
    tjk_editor_client, hidden_draft, demo
):
    plan = demo["tajikistan-crp-2020"]
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    answers = []
    # The hidden Pakistan draft's code, and the published Pakistan plan's (visible).
    for taken in ("secret-pak-draft", "pakistan-crp-2020-2021"):
        data = form_data(tjk_editor_client.get(url).content.decode(), "plan_form")
        data["slug"] = [taken]
        response = tjk_editor_client.post(url, data)
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        answers.append(errors.get("slug"))
        html = response.content.decode()
        assert "already exists" not in html
        assert "Secret PAK draft" not in html
    assert answers[0] == answers[1] == ["This code is not available; choose another."]
    plan.refresh_from_db()
    assert plan.slug == "tajikistan-crp-2020"
