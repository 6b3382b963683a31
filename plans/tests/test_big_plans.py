"""Plans of any real size (issue #13, item 1): the plan page lists interventions and links each
to its own page, so a plan of 150 interventions with 3 activities and 2 yearly requirements each
opens with the same queries as a small one and saves, far below Django's field limit."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crp_portal.tests.forms import form_data
from funding.tests.factories import RequirementFactory
from interventions.tests.factories import ActivityFactory, InterventionFactory
from objectives.tests.factories import ObjectiveFactory
from plans.tests.factories import PlanFactory, Role, UserFactory, assign

pytestmark = pytest.mark.django_db


def _plan(slug: str, interventions: int):
    plan = PlanFactory(slug=slug, countries=["TJK"], start_year=2024, end_year=2025)
    objectives = [ObjectiveFactory(plan=plan) for _ in range(4)]
    for n in range(interventions):
        intervention = InterventionFactory(objective=objectives[n % 4])
        for position in range(3):
            ActivityFactory(intervention=intervention, position=position)
        for year in (2024, 2025):
            RequirementFactory(intervention=intervention, year=year)
    return plan


@pytest.fixture
def editor_client(client):
    user = UserFactory(username="editor-big")
    assign(user, Role.EDITOR, "TJK")
    client.force_login(user)
    return client


def _open(client, plan) -> tuple[int, str]:
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_a_150_intervention_plan_opens_with_the_queries_of_a_small_one_and_saves(editor_client):
    small, big = _plan("small", 8), _plan("big", 150)
    _open(editor_client, small)  # the session's and the catalogs' first reads, once
    small_queries, _html = _open(editor_client, small)
    big_queries, html = _open(editor_client, big)
    assert big_queries == small_queries, (small_queries, big_queries)
    # Every intervention is listed with a link to its own page.
    assert html.count("/admin/interventions/intervention/") >= 150
    assert "150 interventions" not in html  # counted per objective: 38, 38, 37, 37
    assert "38 interventions" in html and "37 interventions" in html
    data = form_data(html, "plan_form")
    fields = sum(len(values) for values in data.values())
    assert fields < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS / 5, fields  # 4,163 before
    data["title"] = ["A big plan, saved"]
    response = editor_client.post(reverse("admin:plans_plan_change", args=[big.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    big.refresh_from_db()
    assert big.title == "A big plan, saved"


def test_an_intervention_is_added_from_its_objective_on_the_plan_page(editor_client):
    plan = _plan("one", 1)
    objective = plan.objectives.first()
    _queries, html = _open(editor_client, plan)
    add = reverse("admin:interventions_intervention_add") + f"?objective={objective.pk}"
    assert add in html
    page = editor_client.get(add).content.decode()
    assert f'value="{objective.pk}" selected' in page  # the objective comes chosen
