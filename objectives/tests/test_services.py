import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from objectives import services
from objectives.models import Objective, StrategicObjective, TargetGroup
from plans.tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


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
