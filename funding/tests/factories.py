import datetime
from decimal import Decimal

import factory

from funding import services
from funding.models import Contribution, Currency, Donor, ExchangeRate, Requirement
from interventions.tests.factories import InterventionFactory
from plans.tests.factories import PlanFactory


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requirement

    intervention = factory.SubFactory(InterventionFactory)
    year = factory.LazyAttribute(lambda o: o.intervention.objective.plan.start_year)
    amount_usd = Decimal("100000.00")


class DonorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donor
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Donor {n}")
    kind = Donor.Kind.GOVERNMENT


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    currency = factory.LazyFunction(lambda: Currency.objects.get(code="CHF"))
    rate_on = datetime.date(2020, 1, 1)
    units_per_usd = Decimal("0.999")


class ContributionFactory(factory.django.DjangoModelFactory):
    """Goes through the service, so USD conversion and earmark rules apply as in production."""

    class Meta:
        model = Contribution

    plan = factory.SubFactory(PlanFactory)
    donor = factory.SubFactory(DonorFactory)
    amount = Decimal("1000.00")
    currency = factory.LazyFunction(lambda: Currency.objects.get(code="USD"))
    status = Contribution.Status.PAID
    # In the plan's first year: a contribution is dated within its plan's years.
    contributed_on = factory.LazyAttribute(lambda o: datetime.date(o.plan.start_year, 3, 1))
    objective = None
    intervention = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.contribution_record(**kwargs)
