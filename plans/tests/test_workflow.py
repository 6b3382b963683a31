"""Review and publishing: who may move a plan, what is recorded, what the admin offers."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from plans import services_workflow as workflow
from plans.models import Plan, PlanTransition
from plans.tests.factories import PlanFactory, Role, UserFactory, assign

S = Plan.Status


@pytest.fixture
def reviewer(db):
    user = UserFactory(username="reviewer-asia")
    assign(user, Role.REVIEWER, "TJK")
    return user


@pytest.fixture
def draft(db):
    return PlanFactory(status=S.DRAFT, countries=["TJK"])


def test_full_cycle_is_recorded_with_who_when_and_comment(editor, reviewer, draft):
    workflow.plan_submit(plan=draft, actor=editor, comment="Ready")
    workflow.plan_return(plan=draft, actor=reviewer, comment="Add the 2020 figures")
    workflow.plan_submit(plan=draft, actor=editor)
    published = workflow.plan_publish(plan=draft, actor=reviewer)
    assert published.status == S.PUBLISHED and published.published_at is not None
    archived = workflow.plan_archive(plan=draft, actor=reviewer, comment="Superseded")
    assert archived.status == S.ARCHIVED
    log = list(PlanTransition.objects.filter(plan=draft).order_by("at", "id"))
    assert [(t.from_status, t.to_status, t.actor) for t in log] == [
        (S.DRAFT, S.IN_REVIEW, editor),
        (S.IN_REVIEW, S.DRAFT, reviewer),
        (S.DRAFT, S.IN_REVIEW, editor),
        (S.IN_REVIEW, S.PUBLISHED, reviewer),
        (S.PUBLISHED, S.ARCHIVED, reviewer),
    ]
    assert log[1].comment == "Add the 2020 figures"
    assert archived.version == 6  # every transition is a new version
    # The change history says who made each status change.
    statuses = list(draft.history.order_by("history_date").values_list("status", "history_user"))
    assert statuses[-1] == (S.ARCHIVED, reviewer.pk)


def test_return_needs_a_comment(editor, reviewer, draft):
    workflow.plan_submit(plan=draft, actor=editor)
    with pytest.raises(ValidationError, match="Say what the editors should change"):
        workflow.plan_return(plan=draft, actor=reviewer, comment="   ")
    draft.refresh_from_db()
    assert draft.status == S.IN_REVIEW


@pytest.mark.parametrize(
    "step, status, who",
    [
        ("publish", S.IN_REVIEW, "editor"),  # editors do not publish
        ("submit", S.DRAFT, "pak_editor"),  # not their country
        ("publish", S.IN_REVIEW, "pak_reviewer"),  # not their country
        ("archive", S.PUBLISHED, "outsider"),
    ],
)
def test_steps_are_refused_to_the_wrong_people(request, step, status, who, db):
    if who == "pak_reviewer":
        user = UserFactory(username="reviewer-pak")
        assign(user, Role.REVIEWER, "PAK")
    else:
        user = request.getfixturevalue(who)
    plan = PlanFactory(status=status, countries=["TJK"])
    with pytest.raises(PermissionDenied):
        workflow.TRANSITIONS[step][0](plan=plan, actor=user, comment="x")
    plan.refresh_from_db()
    assert plan.status == status
    assert not PlanTransition.objects.exists()


def test_steps_from_the_wrong_status_are_explained(reviewer, draft):
    with pytest.raises(ValidationError, match="is draft; this step needs it to be in review"):
        workflow.plan_publish(plan=draft, actor=reviewer)


def test_reviewer_of_a_region_reviews_its_countries(db):
    from plans.models import Country

    user = UserFactory(username="reviewer-region")
    assignment = assign(user, Role.REVIEWER)
    assignment.regions.add(Country.objects.get(iso3="TJK").region)
    tjk = PlanFactory(status=S.IN_REVIEW, countries=["TJK"])
    pak = PlanFactory(status=S.IN_REVIEW, countries=["PAK"])
    assert Country.objects.get(iso3="TJK").region != Country.objects.get(iso3="PAK").region
    assert list(Plan.objects.reviewable_by(user)) == [tjk]
    workflow.plan_publish(plan=tjk, actor=user)
    with pytest.raises(PermissionDenied):
        workflow.plan_publish(plan=pak, actor=user)


def test_publishing_refreshes_rollups_via_update_fields_with_status(editor, reviewer, draft):
    from django.db.models.signals import post_save

    seen = []

    def spy(sender, instance, update_fields=None, **kwargs):
        seen.append(set(update_fields or ()))

    post_save.connect(spy, sender=Plan, dispatch_uid="test-spy")
    try:
        workflow.plan_submit(plan=draft, actor=editor)
    finally:
        post_save.disconnect(dispatch_uid="test-spy", sender=Plan)
    assert any("status" in fields for fields in seen)


def test_admin_buttons_move_the_plan_and_show_the_log(client, editor, reviewer, draft):
    url = reverse("admin:plans_plan_change", args=[draft.pk])
    client.force_login(editor)
    page = client.get(url).content.decode()
    assert 'value="submit"' in page and 'value="publish"' not in page
    response = client.post(url, {"_transition": "submit", "_transition_comment": "please"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == S.IN_REVIEW

    client.force_login(reviewer)
    page = client.get(url).content.decode()
    assert 'value="publish"' in page and 'value="return"' in page
    assert "please" in page  # the transition log on the plan page
    response = client.post(url, {"_transition": "return", "_transition_comment": ""}, follow=True)
    assert "Say what the editors should change" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == S.IN_REVIEW
    client.post(url, {"_transition": "publish"})
    draft.refresh_from_db()
    assert draft.status == S.PUBLISHED


def test_admin_refuses_a_step_the_user_may_not_take(client, editor, draft):
    draft.status = S.IN_REVIEW
    draft.save()
    client.force_login(editor)
    url = reverse("admin:plans_plan_change", args=[draft.pk])
    assert client.post(url, {"_transition": "publish"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == S.IN_REVIEW


def test_status_is_not_typed_in_the_form(client, superuser, draft):
    client.force_login(superuser)
    page = client.get(reverse("admin:plans_plan_change", args=[draft.pk])).content.decode()
    assert 'name="status"' not in page
