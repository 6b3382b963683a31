import factory
from django.contrib.auth import get_user_model

from plans.models import Country, OperationalPresence, Plan, PlanYear, Role, RoleAssignment


def country(iso3: str) -> Country:
    """Countries come from the catalog migration; tests look them up, never invent them."""
    return Country.objects.get(iso3=iso3)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = factory.django.Password("pw-for-tests-1")


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Test Crisis Response Plan {n}")
    slug = factory.Sequence(lambda n: f"test-crp-{n}")
    start_year = 2020
    end_year = 2020
    status = Plan.Status.PUBLISHED

    @factory.post_generation
    def countries(self, create, extracted, **kwargs):
        if create:
            self.countries.set([country(code) for code in (extracted or ["TJK"])])


class PlanYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanYear

    plan = factory.SubFactory(PlanFactory)
    year = factory.LazyAttribute(lambda o: o.plan.start_year)


class OperationalPresenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OperationalPresence

    plan = factory.SubFactory(PlanFactory)
    country = factory.LazyFunction(lambda: country("TJK"))


def assign(user, role: str, *iso3: str, all_countries: bool = False) -> RoleAssignment:
    assignment, _ = RoleAssignment.objects.get_or_create(
        user=user, role=role, defaults={"all_countries": all_countries}
    )
    assignment.countries.add(*[country(code) for code in iso3])
    return assignment


__all__ = [
    "OperationalPresenceFactory",
    "PlanFactory",
    "PlanYearFactory",
    "Role",
    "UserFactory",
    "assign",
    "country",
]
