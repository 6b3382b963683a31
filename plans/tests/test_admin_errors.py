"""Errors are found (issue #13, item 2): a failed save lists every error at the top with a link
to its field, nested rows included; one mistake gives one message."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from crp_portal.tests.forms import form_data
from plans.tests.factories import Role, UserFactory, assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, demo):
    user = UserFactory(username="editor-tjk-errors")
    assign(user, Role.EDITOR, "TJK")
    client.force_login(user)
    return client


def _summary(html: str) -> list[tuple[str, str]]:
    block = re.search(r'<div class="error-summary.*?</div>', html, re.S)
    assert block, "no error summary"
    return re.findall(r'<a href="#([^"]+)">(.*?)</a>', block.group(0), re.S)


def test_three_mistakes_are_listed_with_links_to_their_fields(editor_client, demo):
    plan = demo["tajikistan-crp-2020"]
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = form_data(editor_client.get(url).content.decode(), "plan_form")
    people = next(k for k in data if re.fullmatch(r"objectives-\d+-people_targeted", k))
    year = next(k for k in data if re.fullmatch(r"plan_years-\d+-year", k))
    data.update({people: ["-5"], year: ["2031"], "title": [""]})  # an objective's people
    response = editor_client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    errors = _summary(html)
    assert len(errors) == 3, errors
    assert "3 things to correct before this page can be saved:" in html
    texts = " ".join(text for _target, text in errors)
    assert "This field is required." in texts
    assert "Year 2031 is outside the plan&#x27;s period 2020." in texts
    assert "Ensure this value is greater than or equal to 0" in texts
    for target, _text in errors:
        assert f'id="{target}"' in html, target  # each link leads to a field on the page
    assert "js/admin_errors.js" in html  # which opens the sections that hold them


def test_end_before_start_is_one_message_not_a_cascade(editor_client, demo):
    plan = demo["tajikistan-crp-2020"]
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = form_data(editor_client.get(url).content.decode(), "plan_form")
    response = editor_client.post(url, {**data, "end_year": ["2019"]})
    errors = _summary(response.content.decode())
    assert [text for _target, text in errors] == [
        "End year: End year 2019 is before start year 2020."
    ]


def test_rows_are_named_in_words_and_new_interventions_follow_entry_order(demo):
    """Human words (issue #13, item 4): "Objective 2 — Driving solutions to displacement",
    "2020: $700,000"; a new intervention without a position goes after the last."""
    from decimal import Decimal

    from funding.models import Requirement
    from interventions.models import Intervention
    from interventions.services import intervention_create

    plan = demo["tajikistan-crp-2020"]
    objective = plan.objectives.get(strategic_objective__number=2)
    assert str(objective) == "Objective 2 — Driving solutions to displacement"
    requirement = Requirement.objects.get(amount_usd=Decimal("700000.00"))
    assert str(requirement) == "2020: $700,000"
    assert str(Requirement(year=2021, amount_usd=Decimal("12133.18"))) == "2021: $12,133.18"
    last = objective.interventions.order_by("-position").first().position
    editor = UserFactory(username="editor-tjk-order")
    assign(editor, Role.EDITOR, "TJK")
    added = intervention_create(objective=objective, title="Added last", actor=editor)
    assert Intervention.objects.get(pk=added.pk).position == last + 1
    placed = intervention_create(objective=objective, title="Placed", actor=editor, position=1)
    assert Intervention.objects.get(pk=placed.pk).position == 1  # a position given is kept


def test_the_history_page_says_who_when_and_what_in_words(client, demo):
    """No raw template text, no "Changed by: None", no Python reprs (issue #13, item 4)."""
    from plans import services_workflow as workflow
    from plans.tests.factories import PlanFactory

    admin = UserFactory(username="root-history", is_superuser=True, is_staff=True)
    plan = PlanFactory(status="draft", countries=["TJK"])
    workflow.plan_submit(plan=plan, actor=admin, comment="Ready")
    client.force_login(admin)
    html = client.get(reverse("admin:plans_plan_history", args=[plan.pk])).content.decode()
    assert "{#" not in html and "#}" not in html
    assert "Draft → In review: Ready" in html
    assert "In review" in html and "in_review" not in html
    assert "[]" not in html and "None" not in html.split("change-history", 1)[1]
    assert "UTC" in html


def test_an_error_about_a_whole_row_links_to_that_row(editor_client, demo):
    """A second figures row for a year already there: the error is about the row (and the
    section), not a field; the summary's links go to the row's box and the section."""
    plan = demo["tajikistan-crp-2020"]
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = form_data(editor_client.get(url).content.decode(), "plan_form")
    total = int(data["plan_years-TOTAL_FORMS"][0])
    data["plan_years-TOTAL_FORMS"] = [str(total + 1)]
    data.update({f"plan_years-{total}-year": ["2020"], f"plan_years-{total}-plan": [str(plan.pk)]})
    response = editor_client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    errors = _summary(html)
    targets = [target for target, _text in errors]
    assert f"plan_years-{total}" in targets, errors  # the duplicate row's box
    for target in targets:
        assert f'id="{target}"' in html, target
    assert plan.plan_years.count() == total
