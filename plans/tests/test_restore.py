"""Restoring a plan's whole content to an earlier version (plan_history.restore, issue 6)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from crp_portal.concurrency import VersionConflict
from crp_portal.tests.forms import form_data, requirement_change
from funding.models import (
    Contribution,
    InterventionRollup,
    ObjectiveRollup,
    PlanRollup,
    Requirement,
)
from funding.tests.factories import ContributionFactory, DonorFactory, RequirementFactory
from interventions.models import Activity, Intervention, PlanType
from interventions.tests.factories import ActivityFactory, InterventionFactory
from objectives.models import Objective, StrategicObjective, TargetGroup
from objectives.tests.factories import ObjectiveFactory
from plan_history.history import plan_as_of
from plan_history.restore import plan_restore, plan_restore_preview
from plans import services_workflow as workflow
from plans.models import OperationalPresence, Plan, PlanYear
from plans.tests.factories import (
    OperationalPresenceFactory,
    PlanFactory,
    PlanYearFactory,
    Role,
    UserFactory,
    assign,
    country,
)

D = Decimal
BOOKKEEPING = {"status", "published_at", "version", "as_of", "recorded_at", "recorded_by"}


def content(snapshot: dict) -> dict:
    """What a plan says, without what a restore leaves alone or bumps."""
    return {k: v for k, v in snapshot.items() if k not in BOOKKEEPING}


def live(plan: Plan) -> dict:
    """The plan's rows as the database holds them now, ids included (not read from history)."""
    plan.refresh_from_db()
    objectives = Objective.objects.filter(plan=plan)
    interventions = Intervention.objects.filter(objective__plan=plan)
    return {
        "plan": (plan.title, plan.slug, plan.start_year, plan.end_year, plan.vision_statement),
        "countries": sorted(c.iso3 for c in plan.countries.all()),
        "years": sorted(
            PlanYear.objects.filter(plan=plan).values_list("id", "year", "people_targeted")
        ),
        "presences": sorted(
            OperationalPresence.objects.filter(plan=plan).values_list(
                "id", "country__iso3", "international_staff"
            )
        ),
        "objectives": sorted(
            objectives.values_list("id", "strategic_objective__number", "people_targeted")
        ),
        "target_groups": sorted(objectives.values_list("id", "target_groups__slug")),
        "interventions": sorted(
            interventions.values_list("id", "objective_id", "title", "position")
        ),
        "plan_types": sorted(interventions.values_list("id", "plan_types__slug"), key=str),
        "activities": sorted(
            Activity.objects.filter(intervention__in=interventions).values_list(
                "id", "intervention_id", "text"
            )
        ),
        "requirements": sorted(
            Requirement.objects.filter(intervention__in=interventions).values_list(
                "id", "intervention_id", "year", "amount_usd"
            )
        ),
    }


def figures(row) -> tuple:
    return tuple(getattr(row, name) for name in row.FIGURE_FIELDS)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit():` runs the block's on-commit hooks (rollup recomputes: inline) at its end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def tree(db):
    """A TJK draft for 2020–2021: two years, presence, objectives 1 and 2 with an intervention
    each, activities and yearly requirements. Returns the plan, its rows and the moment after."""
    plan = PlanFactory(
        status=Plan.Status.DRAFT,
        start_year=2020,
        end_year=2021,
        title="Before",
        vision_statement="v1",
    )
    PlanYearFactory(plan=plan, year=2020, people_targeted=100)
    PlanYearFactory(plan=plan, year=2021, people_targeted=200)
    OperationalPresenceFactory(plan=plan, international_staff=3)
    so = {s.number: s for s in StrategicObjective.objects.all()}
    o1 = ObjectiveFactory(plan=plan, strategic_objective=so[1], people_targeted=90)
    o1.target_groups.set(TargetGroup.objects.filter(slug="refugees"))
    o2 = ObjectiveFactory(plan=plan, strategic_objective=so[2], people_targeted=50)
    shelter = InterventionFactory(objective=o1, title="Shelter", position=1)
    shelter.plan_types.set(PlanType.objects.order_by("slug")[:1])
    health = InterventionFactory(objective=o2, title="Health", position=1)
    ActivityFactory(intervention=shelter, text="Tents", position=1)
    ActivityFactory(intervention=health, text="Clinics", position=1)
    ActivityFactory(intervention=health, text="Vaccines", position=2)
    RequirementFactory(intervention=shelter, year=2020, amount_usd=D("1000.00"))
    RequirementFactory(intervention=shelter, year=2021, amount_usd=D("2000.00"))
    RequirementFactory(intervention=health, year=2020, amount_usd=D("500.00"))
    rows = {"o1": o1, "o2": o2, "shelter": shelter, "health": health, "so": so}
    return plan, rows, timezone.now()


def test_restore_brings_back_fields_rows_and_sets_as_they_were(tree, editor):
    plan, rows, at = tree
    before = live(plan)
    # Since then: fields edited, objective 2 deleted with its intervention, activities and
    # requirement, an intervention added, countries, years and target groups changed.
    plan.title, plan.vision_statement = "After", "v2"
    plan.save()
    plan.countries.add(country("PAK"))
    o2_id = rows["o2"].pk
    rows["o2"].delete()
    added = InterventionFactory(objective=rows["o1"], title="Added later", position=2)
    added_id = added.pk
    RequirementFactory(intervention=added, year=2020, amount_usd=D("999.00"))
    ActivityFactory(intervention=added, text="New line")
    Requirement.objects.get(intervention=rows["shelter"], year=2021).delete()
    PlanYear.objects.get(plan=plan, year=2021).delete()
    plan.end_year = 2020
    plan.save()
    rows["o1"].target_groups.set(TargetGroup.objects.filter(slug="idps"))
    rows["shelter"].plan_types.clear()
    req = Requirement.objects.get(intervention=rows["shelter"], year=2020)
    req.amount_usd = D("1500.00")
    req.save()
    assert live(plan) != before
    version = plan.version

    restored = plan_restore(plan=plan, at=at, actor=editor)

    assert live(plan) == before  # the same rows, ids included
    then = plan_as_of(plan_id=plan.pk, at=at)
    assert content(plan_as_of(plan_id=plan.pk, at=timezone.now())) == content(then)
    assert then["objectives"][1]["interventions"][0]["activities"] == ["Clinics", "Vaccines"]
    assert restored.version == version + 1
    assert not Intervention.objects.filter(pk=added_id).exists()
    # Every row it wrote is recorded as the editor's restore.
    latest = plan.history.first()
    assert latest.history_user == editor
    assert latest.history_change_reason.startswith("Restored to the version of ")
    recreated = Objective.history.filter(id=o2_id).first()
    assert (recreated.history_type, recreated.history_user) == ("+", editor)
    gone = Intervention.history.filter(id=added_id).first()
    assert (gone.history_type, gone.history_user) == ("-", editor)
    assert gone.history_change_reason == latest.history_change_reason
    assert Requirement.history.filter(id=req.pk).first().amount_usd == D("1000.00")


def test_restore_keeps_the_status_and_publication(tree, editor):
    plan, _, at = tree
    reviewer = UserFactory(username="reviewer-tjk")
    assign(reviewer, Role.REVIEWER, "TJK")
    workflow.plan_submit(plan=plan, actor=editor)
    workflow.plan_publish(plan=plan, actor=reviewer)
    plan.refresh_from_db()
    published_at = plan.published_at
    plan.title = "Published title"
    plan.save()

    restored = plan_restore(plan=plan, at=at, actor=editor)

    assert restored.title == "Before"
    assert restored.status == Plan.Status.PUBLISHED
    assert restored.published_at == published_at


def test_restore_to_a_recorded_version_by_its_history_id(tree, editor):
    plan, rows, _ = tree
    plan.title, plan.version = "Second", plan.version + 1  # every edit makes a new version
    plan.save()
    second = plan.history.first()
    ActivityFactory(intervention=rows["shelter"], text="Saved with the second version")
    plan.title, plan.version = "Third", plan.version + 1
    plan.save()
    ActivityFactory(intervention=rows["shelter"], text="Saved with the third version")

    restored = plan_restore(plan=plan, history_id=second.history_id, actor=editor)

    assert restored.title == "Second"
    texts = set(
        Activity.objects.filter(intervention=rows["shelter"]).values_list("text", flat=True)
    )
    assert texts == {"Tents", "Saved with the second version"}
    assert restored.history.first().history_change_reason.endswith(
        second.history_date.strftime("%Y-%m-%d %H:%M:%S UTC")
    )


def test_objectives_deleted_and_added_again_and_keys_swapped_come_back(tree, editor):
    plan, rows, _ = tree
    so = rows["so"]
    health = rows["health"]
    third = ObjectiveFactory(plan=plan, strategic_objective=so[4])
    first = Requirement.objects.get(intervention=health, year=2020)
    second = RequirementFactory(intervention=health, year=2021, amount_usd=D("7.00"))
    at = timezone.now()
    before = live(plan)
    # Objective 4 deleted and a new one made under the same strategic objective (one per plan);
    # objectives 1 and 2 swap their strategic objectives, and two requirements their years
    # (each key is unique within its plan or intervention, so the restore must go in steps).
    third.delete()
    ObjectiveFactory(plan=plan, strategic_objective=so[4])
    o1, o2 = (Objective.objects.get(pk=rows[k].pk) for k in ("o1", "o2"))
    for objective, number in ((o1, 3), (o2, 1), (o1, 2)):
        objective.strategic_objective = so[number]
        objective.save()
    for requirement, year in ((first, 2019), (second, 2020), (first, 2021)):
        requirement.refresh_from_db()
        requirement.year = year
        requirement.save()

    plan_restore(plan=plan, at=at, actor=editor)

    assert live(plan) == before


def test_editor_of_another_country_may_not_restore(tree, pak_editor):
    plan, _, at = tree
    plan.title = "After"
    plan.save()
    with pytest.raises(PermissionDenied):
        plan_restore(plan=plan, at=at, actor=pak_editor)
    plan.refresh_from_db()
    assert plan.title == "After"


def test_countries_come_back_only_for_an_editor_of_them(tree, editor, superuser):
    plan, _, _ = tree
    plan.countries.add(country("PAK"))
    at = timezone.now()
    plan.countries.remove(country("PAK"))
    with pytest.raises(ValidationError, match="Pakistan"):
        plan_restore(plan=plan, at=at, actor=editor)  # an editor of Tajikistan only
    assert [c.iso3 for c in plan.countries.all()] == ["TJK"]
    plan_restore(plan=plan, at=at, actor=superuser)
    assert sorted(c.iso3 for c in plan.countries.all()) == ["PAK", "TJK"]


def test_restoring_what_the_plan_already_says_writes_nothing(tree, editor):
    plan, _, at = tree
    version, records = plan.version, plan.history.count()
    assert not plan_restore_preview(plan=plan, at=at).changes_anything
    assert plan_restore(plan=plan, at=at, actor=editor).version == version
    assert plan.history.count() == records


def test_a_restore_on_a_stale_version_is_refused(tree, editor):
    plan, _, at = tree
    seen = plan.version
    plan.title = "Someone else's"
    plan.version += 1
    plan.save()
    with pytest.raises(VersionConflict) as refused:
        plan_restore(plan=plan, at=at, actor=editor, expected_version=seen)
    assert refused.value.conflict.current_version == seen + 1
    plan.refresh_from_db()
    assert plan.title == "Someone else's"
    plan_restore(plan=plan, at=at, actor=editor, expected_version=plan.version)
    plan.refresh_from_db()
    assert plan.title == "Before"


def test_money_earmarked_to_a_row_the_restore_would_delete_or_move_is_refused(tree, editor):
    plan, rows, at = tree
    added = InterventionFactory(objective=rows["o1"], title="Funded since")
    money = ContributionFactory(
        plan=plan,
        objective=rows["o1"],
        intervention=added,
        donor=DonorFactory(name="Generous donor"),
        amount=D("300.00"),
    )
    with pytest.raises(ValidationError) as refused:
        plan_restore(plan=plan, at=at, actor=editor)
    assert "Generous donor" in str(refused.value) and "Funded since" in str(refused.value)
    assert Intervention.objects.filter(pk=added.pk).exists()
    assert Contribution.objects.get(pk=money.pk).intervention_id == added.pk

    # Money earmarked to an intervention that sat under another objective then.
    money.delete()
    added.delete()
    moment = timezone.now()
    health = Intervention.objects.get(pk=rows["health"].pk)
    ContributionFactory(plan=plan, objective=rows["o2"], intervention=health)
    Intervention.objects.filter(pk=health.pk).update(objective=rows["o1"])
    Contribution.objects.filter(intervention=health).update(objective=rows["o1"])
    health.refresh_from_db()
    health.title = "Health (moved)"
    health.save()
    preview = plan_restore_preview(plan=plan, at=moment)
    assert any("another objective" in p for p in preview.problems)
    with pytest.raises(ValidationError):
        plan_restore(plan=plan, at=moment, actor=editor)


def test_a_version_whose_requirements_fall_outside_its_years_is_refused(db, editor):
    plan = PlanFactory(status=Plan.Status.DRAFT, start_year=2020, end_year=2020)
    Plan.objects.filter(pk=plan.pk).update(end_year=2021)  # unrecorded: the history is wrong
    RequirementFactory(intervention__objective__plan=plan, year=2021)
    at = timezone.now()
    plan.refresh_from_db()
    plan.title = "Edited"
    plan.save()
    with pytest.raises(ValidationError, match="outside its period"):
        plan_restore(plan=plan, at=at, actor=editor)
    plan.refresh_from_db()
    assert (plan.title, plan.end_year) == ("Edited", 2021)


def test_rollup_totals_go_back_to_the_figures_of_then(tree, editor, commit):
    from funding import services as funding_services

    plan, rows, _ = tree
    funding_services.plan_rollup_recompute(plan_id=plan.pk)  # the fixture did not commit
    with commit():
        ContributionFactory(plan=plan, amount=D("400.00"))
        ContributionFactory(
            plan=plan, objective=rows["o1"], intervention=rows["shelter"], amount=D("600.00")
        )
    at = timezone.now()
    plan_then = figures(PlanRollup.objects.get(plan=plan))
    o2_id = rows["o2"].pk
    objective_then = figures(ObjectiveRollup.objects.get(objective_id=o2_id))
    intervention_then = figures(InterventionRollup.objects.get(intervention=rows["shelter"]))
    assert plan_then[0] == D("3500.00")
    with commit():
        rows["o2"].delete()
        added = InterventionFactory(objective=rows["o1"])
        RequirementFactory(intervention=added, year=2020, amount_usd=D("10000.00"))
        requirement = Requirement.objects.get(intervention=rows["shelter"], year=2020)
        requirement.amount_usd = D("5.00")
        requirement.save()
    assert figures(PlanRollup.objects.get(plan=plan)) != plan_then

    with commit():
        plan_restore(plan=plan, at=at, actor=editor)

    assert figures(PlanRollup.objects.get(plan=plan)) == plan_then
    assert figures(ObjectiveRollup.objects.get(objective_id=o2_id)) == objective_then
    assert (
        figures(InterventionRollup.objects.get(intervention=rows["shelter"])) == intervention_then
    )
    plan.refresh_from_db()
    assert plan.rollup_dirty_since is None


# The admin: the history page's restore link ------------------------------------------------


def _user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def tjk_client(client, demo):
    client.force_login(_user("editor.tjk"))
    return client


def _save_plan_page(client, plan, **changes):
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = form_data(client.get(url).content.decode(), "plan_form")
    for name, value in changes.items():
        data[name] = [value]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_admin_restores_the_whole_plan_from_its_history_page(tjk_client, demo):
    plan = demo["tajikistan-crp-2020"]
    before = live(plan)
    _save_plan_page(tjk_client, plan, title="Wrong title")
    version = plan.history.first()  # the version to go back to
    # The next version, as writers make one: the plan's record first, then its rows.
    plan.refresh_from_db()
    plan.title, plan.version = "Later title", plan.version + 1
    plan.save()
    unfunded = Intervention.objects.filter(objective__plan=plan, contributions__isnull=True).first()
    unfunded.requirements.all().delete()
    unfunded.activities.all().delete()
    unfunded.delete()
    assert live(plan) != before

    history = tjk_client.get(reverse("admin:plans_plan_history", args=[plan.pk]))
    url = reverse("admin:plans_plan_simple_history", args=[plan.pk, version.history_id])
    assert url in history.content.decode()
    page = tjk_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Restore this version" in html and "recreated" in html
    assert "Wrong title" in html  # the field as it is now, beside what it will be
    data = form_data(html, "restore-form")
    response = tjk_client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:plans_plan_change", args=[plan.pk])

    after = live(plan)
    assert after["plan"][0] == "Wrong title"  # the version chosen had the wrong title ...
    assert {k: v for k, v in after.items() if k != "plan"} == {
        k: v for k, v in before.items() if k != "plan"
    }  # ... and every row
    latest = plan.history.first()
    assert latest.history_user == _user("editor.tjk")
    assert "Restored to the version of" in latest.history_change_reason


def test_a_recorded_admin_save_includes_the_rows_saved_with_it(tjk_client, demo):
    plan = demo["tajikistan-crp-2020"]
    url = reverse("admin:plans_plan_change", args=[plan.pk])
    data = form_data(tjk_client.get(url).content.decode(), "plan_form")
    data["title"] = ["Revised"]
    assert tjk_client.post(url, data).status_code == 302
    # The requirement on its intervention's page: a version of the plan of its own.
    assert requirement_change(tjk_client, old="700000.00", new="720000.00").status_code == 302
    revised = plan.history.first()
    assert revised.title == "Revised"
    _save_plan_page(tjk_client, plan, title="Later")
    Requirement.objects.filter(amount_usd=D("720000.00")).update(amount_usd=D("1.00"))
    requirement = Requirement.objects.get(amount_usd=D("1.00"))
    requirement.amount_usd = D("2.00")
    requirement.save()

    plan_restore(plan=plan, history_id=revised.history_id, actor=_user("editor.tjk"))

    plan.refresh_from_db()
    assert plan.title == "Revised"
    requirement.refresh_from_db()
    assert requirement.amount_usd == D("720000.00")  # saved with that version, after its record


def test_admin_restore_refused_for_money_says_why(tjk_client, demo):
    plan = demo["tajikistan-crp-2020"]
    version = plan.history.first()
    objective = plan.objectives.first()
    plan.title, plan.version = "Later title", plan.version + 1  # the next version ...
    plan.save()
    added = InterventionFactory(objective=objective, title="Funded after")  # ... adds this
    ContributionFactory(plan=plan, objective=objective, intervention=added)
    url = reverse("admin:plans_plan_simple_history", args=[plan.pk, version.history_id])
    page = tjk_client.get(url).content.decode()
    assert "cannot be restored" in page and "Funded after" in page
    assert "Restore this version" not in page
    response = tjk_client.post(url, {"loaded_version": str(plan.version)}, follow=True)
    assert response.status_code == 200
    assert "earmarked" in response.content.decode()
    assert Intervention.objects.filter(pk=added.pk).exists()


def test_admin_restore_on_a_stale_page_says_someone_saved(tjk_client, demo):
    plan = demo["tajikistan-crp-2020"]
    _save_plan_page(tjk_client, plan, title="Wrong title")
    version = plan.history.all()[1]
    url = reverse("admin:plans_plan_simple_history", args=[plan.pk, version.history_id])
    data = form_data(tjk_client.get(url).content.decode(), "restore-form")
    _save_plan_page(tjk_client, plan, title="Saved meanwhile")
    response = tjk_client.post(url, data, follow=True)
    assert "Someone else" in response.content.decode()
    plan.refresh_from_db()
    assert plan.title == "Saved meanwhile"


def test_admin_restore_is_refused_to_those_who_may_not_edit(client, demo, db):
    plan = demo["tajikistan-crp-2020"]
    plan.title = "Changed"
    plan.save()
    version = plan.history.all()[1]
    url = reverse("admin:plans_plan_simple_history", args=[plan.pk, version.history_id])
    data = {"loaded_version": str(plan.version)}
    # A reviewer sees the plan and what a restore would change, but may not restore it.
    reviewer = UserFactory(username="reviewer-tjk")
    assign(reviewer, Role.REVIEWER, "TJK")
    client.force_login(reviewer)
    page = client.get(url)
    assert page.status_code == 200 and "Restore this version" not in page.content.decode()
    assert client.post(url, data).status_code == 403
    # An editor of Pakistan does not see a Tajik draft at all.
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.DRAFT)
    client.force_login(_user("editor.pak"))
    assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    plan.refresh_from_db()
    assert plan.title == "Changed"


def test_a_restore_brings_back_the_ways_of_working_chosen_then(demo):
    from plans import services
    from plans.models import CrossCuttingPriority, OperatingModality

    plan = demo["tajikistan-crp-2020"]
    admin = _user("admin")
    cash, localization = OperatingModality.objects.filter(
        slug__in=["cash-based-interventions", "localization"]
    ).order_by("slug")
    gender = CrossCuttingPriority.objects.get(slug="gender-equality")
    services.plan_update(plan=plan, actor=admin, modalities=[cash], priorities=[gender])
    version = Plan.objects.get(pk=plan.pk).history.first()
    services.plan_update(
        plan=Plan.objects.get(pk=plan.pk), actor=admin, modalities=[localization], priorities=[]
    )
    plan = Plan.objects.get(pk=plan.pk)
    preview = plan_restore_preview(plan=plan, history_id=version.history_id, actor=admin)
    assert ("key operating modalities", localization.name, cash.name) in preview.plan_changes
    assert ("cross-cutting priorities", "—", gender.name) in preview.plan_changes
    plan_restore(plan=plan, history_id=version.history_id, actor=admin)
    assert list(plan.modalities.all()) == [cash]
    assert list(plan.priorities.all()) == [gender]
