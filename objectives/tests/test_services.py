"""objective_create / objective_update: permission, one objective per strategic objective per
plan, the plan's version moved and checked, target groups set."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crp_portal.concurrency import VERSION_NOT_SENT, VersionConflict, VersionRequired
from objectives import services
from objectives.models import Objective, StrategicObjective, TargetGroup
from objectives.tests.factories import ObjectiveFactory
from plans.models import Plan
from plans.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db

REFUSED = re.escape("You may not change the plans of this country.")
ONE_PER_SO = "This plan already has an objective under that strategic objective."


def _so(number: int) -> StrategicObjective:
    return StrategicObjective.objects.get(number=number)


def _groups(*slugs: str):
    return TargetGroup.objects.filter(slug__in=slugs)


def _version(plan: Plan) -> int:
    return Plan.objects.get(pk=plan.pk).version


def test_editor_creates_and_updates_objectives_of_own_country_only(editor, pak_editor):
    plan = PlanFactory()
    first, second = StrategicObjective.objects.order_by("number")[:2]
    objective = services.objective_create(
        plan=plan,
        strategic_objective=first,
        actor=editor,
        target_groups=TargetGroup.objects.filter(slug="refugees"),
        people_targeted=150,
    )
    assert [g.slug for g in objective.target_groups.all()] == ["refugees"]
    with pytest.raises(ValidationError):  # one objective per strategic objective
        services.objective_create(plan=plan, strategic_objective=first, actor=editor)
    services.objective_update(objective=objective, actor=editor, strategic_objective=second)
    assert Objective.objects.get().strategic_objective == second
    with pytest.raises(PermissionDenied):
        services.objective_update(objective=objective, actor=pak_editor, narrative="x")
    with pytest.raises(PermissionDenied):
        services.objective_create(plan=plan, strategic_objective=first, actor=pak_editor)


def test_create_stores_the_fields_and_target_groups_and_moves_the_plans_version(editor):
    plan = PlanFactory(status=Plan.Status.DRAFT)
    before = _version(plan)
    objective = services.objective_create(
        plan=plan,
        strategic_objective=_so(3),
        actor=editor,
        target_groups=_groups("idps", "refugees"),
        people_description="Returnees and hosts",
        narrative="Preparedness in the valleys",
        people_targeted=1200,
        entities_targeted=7,
    )
    stored = Objective.objects.get(pk=objective.pk)
    assert (stored.plan_id, stored.strategic_objective.number) == (plan.pk, 3)
    assert (stored.people_description, stored.narrative) == (
        "Returnees and hosts",
        "Preparedness in the valleys",
    )
    assert (stored.people_targeted, stored.entities_targeted) == (1200, 7)
    assert sorted(stored.target_groups.values_list("slug", flat=True)) == ["idps", "refugees"]
    assert _version(plan) == before + 1
    assert Plan.history.filter(id=plan.pk).latest().history_change_reason == (
        f"Objective added: {_so(3)}"
    )


@pytest.mark.parametrize("actor", ["outsider", "partner", "pak_editor", None])
def test_an_outsider_can_neither_create_nor_change_and_nothing_is_written(request, actor):
    user = request.getfixturevalue(actor) if actor else None
    plan = PlanFactory()
    objective = ObjectiveFactory(plan=plan, strategic_objective=_so(1), narrative="Kept")
    before = _version(plan)
    with pytest.raises(PermissionDenied, match=REFUSED):
        services.objective_create(plan=plan, strategic_objective=_so(2), actor=user)
    with pytest.raises(PermissionDenied, match=REFUSED):
        services.objective_update(
            objective=objective, actor=user, narrative="Overwritten", expected_version=before
        )
    assert list(Objective.objects.values_list("narrative", flat=True)) == ["Kept"]
    assert _version(plan) == before


def test_an_outsider_learns_nothing_of_versions(outsider):
    """Permission is checked before the version: a stranger with a stale version is refused
    for who they are, not told that someone saved meanwhile."""
    objective = ObjectiveFactory(plan=PlanFactory())
    with pytest.raises(PermissionDenied):
        services.objective_update(
            objective=objective, actor=outsider, narrative="x", expected_version=-5
        )


def test_one_objective_per_strategic_objective_per_plan_with_its_message(editor):
    plan, other = PlanFactory(), PlanFactory()
    services.objective_create(plan=plan, strategic_objective=_so(2), actor=editor)
    with pytest.raises(ValidationError) as refused:
        services.objective_create(plan=plan, strategic_objective=_so(2), actor=editor)
    assert ONE_PER_SO in str(refused.value.messages)
    # Another plan may use the same strategic objective.
    services.objective_create(plan=other, strategic_objective=_so(2), actor=editor)
    assert Objective.objects.filter(strategic_objective__number=2).count() == 2
    # Moving an objective onto a taken strategic objective is refused the same way.
    third = services.objective_create(plan=plan, strategic_objective=_so(4), actor=editor)
    with pytest.raises(ValidationError) as refused:
        services.objective_update(objective=third, actor=editor, strategic_objective=_so(2))
    assert ONE_PER_SO in str(refused.value.messages)
    assert Objective.objects.get(pk=third.pk).strategic_objective.number == 4


def test_update_with_the_current_version_writes_and_bumps_it(editor):
    plan = PlanFactory()
    objective = ObjectiveFactory(plan=plan, strategic_objective=_so(1), people_targeted=10)
    objective.target_groups.set(_groups("idps"))
    version = _version(plan)
    updated = services.objective_update(
        objective=objective,
        actor=editor,
        expected_version=version,
        people_targeted=25,
        narrative="New narrative",
        target_groups=_groups("refugees", "local-population"),
    )
    assert updated.plan.version == version + 1 == _version(plan)
    stored = Objective.objects.get(pk=objective.pk)
    assert (stored.people_targeted, stored.narrative) == (25, "New narrative")
    assert sorted(stored.target_groups.values_list("slug", flat=True)) == [
        "local-population",
        "refugees",
    ]
    assert Plan.history.filter(id=plan.pk).latest().history_change_reason == (
        f"Objective changed: {_so(1)}"
    )


def test_update_without_target_groups_keeps_them_and_an_empty_list_clears_them(editor):
    objective = ObjectiveFactory(plan=PlanFactory(), strategic_objective=_so(1))
    objective.target_groups.set(_groups("idps", "refugees"))
    services.objective_update(objective=objective, actor=editor, narrative="Only this")
    assert objective.target_groups.count() == 2
    services.objective_update(objective=objective, actor=editor, target_groups=[])
    assert objective.target_groups.count() == 0
    assert Objective.objects.get(pk=objective.pk).narrative == "Only this"


def test_a_stale_expected_version_raises_a_conflict_and_writes_nothing(editor, superuser):
    plan = PlanFactory()
    objective = ObjectiveFactory(plan=plan, strategic_objective=_so(1), people_targeted=10)
    read = _version(plan)
    services.objective_update(
        objective=objective, actor=superuser, expected_version=read, people_targeted=20
    )
    with pytest.raises(VersionConflict) as stale:
        services.objective_update(
            objective=objective,
            actor=editor,
            expected_version=read,
            people_targeted=30,
            target_groups=_groups("refugees"),
        )
    conflict = stale.value.conflict
    assert (conflict.loaded_version, conflict.current_version) == (read, read + 1)
    assert [(c.field, c.theirs, c.yours) for c in conflict.changes] == [("people_targeted", 20, 30)]
    stored = Objective.objects.get(pk=objective.pk)
    assert stored.people_targeted == 20 and stored.target_groups.count() == 0
    assert _version(plan) == read + 1


def test_a_version_must_be_sent_when_the_caller_requires_one(editor):
    plan = PlanFactory()
    objective = ObjectiveFactory(plan=plan, strategic_objective=_so(1), people_targeted=10)
    before = _version(plan)
    with pytest.raises(VersionRequired) as missing:
        services.objective_update(
            objective=objective,
            actor=editor,
            expected_version=VERSION_NOT_SENT,
            people_targeted=99,
        )
    assert missing.value.current_version == before
    assert Objective.objects.get(pk=objective.pk).people_targeted == 10
    assert _version(plan) == before


def test_an_invalid_value_is_refused_by_the_model_and_nothing_is_kept(editor):
    plan = PlanFactory()
    objective = ObjectiveFactory(plan=plan, strategic_objective=_so(1), people_targeted=10)
    before = _version(plan)
    with pytest.raises(ValidationError) as refused:
        services.objective_update(objective=objective, actor=editor, people_targeted=-1)
    assert "people_targeted" in refused.value.message_dict
    assert Objective.objects.get(pk=objective.pk).people_targeted == 10
    assert _version(plan) == before  # the version moved inside the rolled-back transaction
