import factory

from objectives.models import Objective, StrategicObjective
from plans.tests.factories import PlanFactory


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    plan = factory.SubFactory(PlanFactory)
    # Looked up each time (not a cached Iterator): on PostgreSQL a flush by a transactional test
    # reloads the catalog under new ids.
    strategic_objective = factory.Sequence(
        lambda n: StrategicObjective.objects.get(number=n % 4 + 1)
    )
    people_description = "People targeted"
