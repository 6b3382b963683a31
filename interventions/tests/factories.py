import factory

from interventions.models import Activity, Intervention, Sector
from objectives.tests.factories import ObjectiveFactory


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intervention

    objective = factory.SubFactory(ObjectiveFactory)
    title = factory.Sequence(lambda n: f"Intervention {n}")
    # Looked up each time (not a cached Iterator): a flush reloads the catalog under new ids.
    sector = factory.Sequence(lambda n: Sector.objects.order_by("name")[n % Sector.objects.count()])
    position = factory.Sequence(int)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    intervention = factory.SubFactory(InterventionFactory)
    text = factory.Sequence(lambda n: f"Activity {n}")
    position = factory.Sequence(int)
