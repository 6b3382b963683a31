import factory

from objectives.models import Objective, StrategicObjective
from plans.tests.factories import PlanFactory


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective

    plan = factory.SubFactory(PlanFactory)
    strategic_objective = factory.Iterator(StrategicObjective.objects.order_by("number"))
    people_description = "People targeted"
