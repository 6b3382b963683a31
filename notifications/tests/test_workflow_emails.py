"""Workflow e-mails: who hears of a submitted, returned or published plan, when, and with what."""

from __future__ import annotations

import importlib
import time

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.db import transaction
from django.urls import reverse

from crp_portal import outages
from funding.tests.conftest import celery_app_on
from notifications import services, tasks
from notifications.models import TransitionEmail
from plans import services_workflow as workflow
from plans.models import Plan, Region
from plans.tests.factories import PlanFactory, Role, UserFactory, assign

initial = importlib.import_module("notifications.migrations.0001_initial")


@pytest.fixture
def people(db):
    """Editors and reviewers around a Pakistan plan, and some who must not hear of it."""
    users = {
        "editor": UserFactory(username="ed-pak"),
        "co-editor": UserFactory(username="ed-pak-2"),
        "tjk-editor": UserFactory(username="ed-tjk"),
        "reviewer": UserFactory(username="rev-pak"),
        "region-reviewer": UserFactory(username="rev-region"),
        "tjk-reviewer": UserFactory(username="rev-tjk"),
        "quiet-reviewer": UserFactory(username="rev-quiet"),
        "no-address": UserFactory(username="rev-no-mail", email=""),
        "gone": UserFactory(username="rev-gone", is_active=False),
    }
    for name in ("editor", "co-editor"):
        assign(users[name], Role.EDITOR, "PAK")
    assign(users["tjk-editor"], Role.EDITOR, "TJK")
    for name in ("reviewer", "quiet-reviewer", "no-address", "gone"):
        assign(users[name], Role.REVIEWER, "PAK")
    assign(users["tjk-reviewer"], Role.REVIEWER, "TJK")
    region = Region.objects.get(countries__iso3="PAK")
    users["region-reviewer"].role_assignments.create(role=Role.REVIEWER).regions.add(region)
    services.notification_preference_set(user=users["quiet-reviewer"], workflow_emails=False)
    return users


def _to(messages) -> list[str]:
    return sorted(address for m in messages for address in m.to)


def _step(django_capture_on_commit_callbacks, service, **kwargs) -> Plan:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        return service(**kwargs)


def test_a_submitted_plan_emails_each_of_its_reviewers_once(
    people, django_capture_on_commit_callbacks
):
    plan = PlanFactory(title="Pakistan CRP 2021", status=Plan.Status.DRAFT, countries=["PAK"])
    _step(
        django_capture_on_commit_callbacks, workflow.plan_submit, plan=plan, actor=people["editor"]
    )
    assert _to(mail.outbox) == ["rev-pak@example.org", "rev-region@example.org"]
    message = mail.outbox[0]
    assert message.subject == "Pakistan CRP 2021 waits for your review"
    assert "ed-pak submitted Pakistan CRP 2021 for review." in message.body
    assert f"http://127.0.0.1:8000/admin/plans/plan/{plan.pk}/change/" in message.body
    assert "http://127.0.0.1:8000/admin/notifications/" in message.body  # how to turn them off
    # Told once: the task run again (a redelivery) or the sweep sends nothing more.
    transition = plan.transitions.get()
    assert tasks.send_transition_emails(transition_id=transition.pk) == 0
    assert tasks.sweep_unsent_transition_emails() == 0
    assert TransitionEmail.objects.get(transition=transition).recipients == 2


def test_return_and_publish_email_the_plans_editors_with_the_comment(
    people, django_capture_on_commit_callbacks
):
    plan = PlanFactory(title="Pakistan CRP 2021", status=Plan.Status.IN_REVIEW, countries=["PAK"])
    reviewer = people["reviewer"]
    _step(
        django_capture_on_commit_callbacks,
        workflow.plan_return,
        plan=plan,
        actor=reviewer,
        comment="Cost objective 2 before publishing.",
    )
    assert _to(mail.outbox) == ["ed-pak-2@example.org", "ed-pak@example.org"]
    assert mail.outbox[0].subject == "Pakistan CRP 2021 was returned to its editors"
    assert "What to change: Cost objective 2 before publishing." in mail.outbox[0].body

    plan = _step(
        django_capture_on_commit_callbacks, workflow.plan_submit, plan=plan, actor=people["editor"]
    )
    plan = _step(
        django_capture_on_commit_callbacks,
        workflow.plan_publish,
        plan=plan,
        actor=reviewer,
        comment="Thanks, all clear.",
    )
    assert _to(mail.outbox) == ["ed-pak-2@example.org", "ed-pak@example.org"]
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "Pakistan CRP 2021 is published"
    assert "Their comment: Thanks, all clear." in body
    assert f"http://127.0.0.1:8000{reverse('plans:detail', args=[plan.slug])}" in body


def test_archiving_tells_no_one(people, django_capture_on_commit_callbacks):
    plan = PlanFactory(status=Plan.Status.PUBLISHED, countries=["PAK"])
    _step(
        django_capture_on_commit_callbacks,
        workflow.plan_archive,
        plan=plan,
        actor=people["reviewer"],
    )
    assert mail.outbox == []


def test_a_step_that_rolls_back_tells_no_one(people, django_capture_on_commit_callbacks):
    plan = PlanFactory(status=Plan.Status.DRAFT, countries=["PAK"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            workflow.plan_submit(plan=plan, actor=people["editor"])
            raise RuntimeError("a later write of the same request fails")
    assert mail.outbox == [] and not TransitionEmail.objects.exists()


def test_with_the_broker_down_the_save_goes_through_and_the_sweep_sends_later(
    people, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    plan = PlanFactory(status=Plan.Status.DRAFT, countries=["PAK"])
    try:
        with celery_app_on("redis://127.0.0.1:1/0"):  # nothing listens there
            plan = _step(
                django_capture_on_commit_callbacks,
                workflow.plan_submit,
                plan=plan,
                actor=people["editor"],
            )
    finally:
        outages.reset()  # the broker was marked down: not for the next test
    assert plan.status == Plan.Status.IN_REVIEW and mail.outbox == []
    assert services.transitions_unsent() == [plan.transitions.get().pk]
    assert tasks.sweep_unsent_transition_emails() == 2
    assert _to(mail.outbox) == ["rev-pak@example.org", "rev-region@example.org"]


def test_a_user_turns_workflow_emails_off_and_on_in_the_admin(people, client):
    user = people["reviewer"]
    client.force_login(user)
    url = reverse("notification-preferences")
    page = client.get(url)
    assert page.status_code == 200 and b"checked" in page.content
    assert b"E-mails go to rev-pak@example.org." in page.content
    response = client.post(url, {}, follow=True)  # an unticked box is not posted
    assert b"Workflow e-mails are off" in response.content
    assert not services.workflow_emails_on(user)
    client.post(url, {"workflow_emails": "on"})
    assert services.workflow_emails_on(user)


def test_the_preferences_page_needs_a_signed_in_staff_user(client, db):
    response = client.get(reverse("notification-preferences"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_admin_home_lists_what_waits_for_this_reviewer(people, client):
    waiting = PlanFactory(
        title="Pakistan CRP 2021", status=Plan.Status.IN_REVIEW, countries=["PAK"]
    )
    PlanFactory(title="Tajikistan CRP 2021", status=Plan.Status.IN_REVIEW, countries=["TJK"])
    PlanFactory(title="Pakistan CRP draft", status=Plan.Status.DRAFT, countries=["PAK"])
    client.force_login(people["reviewer"])
    page = client.get(reverse("admin:index")).content.decode()
    assert "Waiting for your review (1)" in page
    assert reverse("admin:plans_plan_change", args=[waiting.pk]) in page
    assert "Tajikistan CRP 2021" not in page and "Pakistan CRP draft" not in page
    client.force_login(people["editor"])
    assert "Nothing waits for your review." in client.get(reverse("admin:index")).content.decode()


def test_steps_before_notifications_existed_are_not_news(db, people):
    """The migration marks every step already taken as told, so the sweep e-mails none of them."""
    plan = PlanFactory(status=Plan.Status.IN_REVIEW, countries=["PAK"])
    plan.transitions.create(
        from_status=Plan.Status.DRAFT, to_status=Plan.Status.IN_REVIEW, at=plan.updated_at
    )
    assert len(services.transitions_unsent()) == 1
    initial.mark_past_steps_told(django_apps, None)
    assert services.transitions_unsent() == []
    assert tasks.sweep_unsent_transition_emails() == 0 and mail.outbox == []


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_emails_after_commit(request, tmp_path, monkeypatch):
    """As in production: the step commits, the receiver enqueues on Redis, a `celery worker`
    process sends the mail (here through Django's file backend, which the worker is told of by
    EMAIL_URL as any deployment would be)."""
    # django-environ reads filemail:///a/b as the relative a/b: an absolute path takes four.
    monkeypatch.setenv("EMAIL_URL", f"filemail:///{tmp_path}")
    request.getfixturevalue("celery_worker")
    editor, reviewer = UserFactory(username="ed-w"), UserFactory(username="rev-w")
    assign(editor, Role.EDITOR, "PAK")
    assign(reviewer, Role.REVIEWER, "PAK")
    plan = PlanFactory(title="Worker plan", status=Plan.Status.DRAFT, countries=["PAK"])
    workflow.plan_submit(plan=plan, actor=editor)
    deadline = time.monotonic() + 30
    while not TransitionEmail.objects.filter(transition__plan=plan).exists():
        assert time.monotonic() < deadline, "the worker sent nothing within 30 s"
        time.sleep(0.1)
    told = TransitionEmail.objects.get(transition__plan=plan)
    sent = "".join(p.read_text() for p in tmp_path.iterdir())
    assert told.recipients == 1, (told.recipients, list(tmp_path.iterdir()))
    assert "Subject: Worker plan waits for your review" in sent and "To: rev-w@example.org" in sent
