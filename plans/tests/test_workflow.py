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
    response = client.post(
        url, {"_transition": "return", "_transition_comment": "", "_confirmed": "1"}, follow=True
    )
    assert "Say what the editors should change" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == S.IN_REVIEW
    # Publishing asks first, saying what the public will see change; then it is done.
    confirm = client.post(url, {"_transition": "publish"})
    assert confirm.status_code == 200
    assert "The plan becomes public at /plans/" in confirm.content.decode()
    draft.refresh_from_db()
    assert draft.status == S.IN_REVIEW
    client.post(url, {"_transition": "publish", "_confirmed": "1"})
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


def test_a_step_saves_the_typed_edits_first_and_loses_nothing(client, editor, draft):
    """Typing a new vision and pressing "Submit for review" once threw the text away."""
    from crp_portal.tests.forms import form_data

    url = reverse("admin:plans_plan_change", args=[draft.pk])
    client.force_login(editor)
    data = form_data(client.get(url).content.decode(), "plan_form")
    # A mistake: the step is not taken, and the typed text is still on the page.
    broken = {**data, "vision_statement": ["Typed, not yet saved"], "end_year": ["1900"]}
    response = client.post(url, {**broken, "_transition": ["submit"]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The step was not taken: correct the errors below first." in page
    assert "Typed, not yet saved" in page
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and draft.vision_statement != "Typed, not yet saved"
    # Valid: saved, then submitted.
    typed = {**data, "vision_statement": ["Typed, then submitted"]}
    response = client.post(url, {**typed, "_transition": ["submit"]})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.vision_statement) == (S.IN_REVIEW, "Typed, then submitted")


def test_publish_from_the_page_saves_then_asks_and_a_stale_confirmation_is_refused(
    client, superuser, draft
):
    from crp_portal.tests.forms import form_data

    draft.status = S.IN_REVIEW
    draft.save()
    url = reverse("admin:plans_plan_change", args=[draft.pk])
    client.force_login(superuser)
    data = form_data(client.get(url).content.decode(), "plan_form")
    response = client.post(
        url, {**data, "vision_statement": ["Last words"], "_transition": ["publish"]}
    )
    step = reverse("admin:plans_plan_step", args=[draft.pk, "publish"])
    assert response.status_code == 302 and response["Location"] == step
    draft.refresh_from_db()
    assert (draft.status, draft.vision_statement) == (S.IN_REVIEW, "Last words")
    confirm = client.get(step).content.decode()
    assert "What the public will see change:" in confirm and f"/plans/{draft.slug}/" in confirm
    stale = draft.version
    draft.vision_statement = "Changed by someone else meanwhile"
    draft.version += 1
    draft.save()
    response = client.post(
        url, {"_transition": "publish", "_confirmed": "1", "_plan_version": str(stale)}, follow=True
    )
    assert "The plan changed since you opened this page" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == S.IN_REVIEW
    client.post(
        url, {"_transition": "publish", "_confirmed": "1", "_plan_version": str(draft.version)}
    )
    draft.refresh_from_db()
    assert draft.status == S.PUBLISHED
