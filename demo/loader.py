"""Load the two published seed plans, demo funding and demo users. Idempotent.

The plan texts in seeds/*.json were cut from the published pages in seeds/*.txt without
rewording; intervention titles for Pakistan, which the page does not print, name their sector.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from funding import services as funding_services
from funding.models import Contribution, Currency, Donor, ExchangeRate, Requirement
from interventions.models import Activity, Intervention, Sector
from objectives.models import Objective, StrategicObjective, TargetGroup
from plans.models import Country, OperationalPresence, Plan, PlanYear, Role, RoleAssignment
from plans.role_groups import group_for, roles_setup

SEEDS = Path(__file__).resolve().parent / "seeds"
SEED_FILES = ["tajikistan_crp_2020.json", "pakistan_crp_2020_2021.json"]


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str | None  # None: superuser
    countries: tuple[str, ...] = ()
    all_countries: bool = False
    description: str = ""


DEMO_USERS = [
    DemoUser("admin", "crp-demo-admin", None, description="administrator: everything"),
    DemoUser(
        "editor.pak", "crp-demo-editor", Role.EDITOR, ("PAK",), description="editor of Pakistan"
    ),
    DemoUser(
        "editor.tjk", "crp-demo-editor", Role.EDITOR, ("TJK",), description="editor of Tajikistan"
    ),
    DemoUser(
        "reviewer",
        "crp-demo-reviewer",
        Role.REVIEWER,
        ("PAK", "TJK"),
        description="reviewer of Pakistan and Tajikistan",
    ),
    DemoUser(
        "funding",
        "crp-demo-funding",
        Role.FUNDING_OFFICER,
        all_countries=True,
        description="funding officer, all countries",
    ),
]

# Units of currency per USD in force from each date (illustrative 2020 market rates).
DEMO_RATES = [
    ("CHF", "2020-01-01", "0.96500000"),
    ("CHF", "2020-06-01", "0.94200000"),
    ("EUR", "2020-01-01", "0.89200000"),
    ("EUR", "2020-06-01", "0.88600000"),
    ("JPY", "2020-01-01", "108.50000000"),
    ("GBP", "2020-01-01", "0.76200000"),
]

DEMO_DONORS = [
    ("Switzerland", Donor.Kind.GOVERNMENT, "CHE"),
    ("European Union", Donor.Kind.MULTILATERAL, None),
    ("United States of America", Donor.Kind.GOVERNMENT, "USA"),
    ("Japan", Donor.Kind.GOVERNMENT, "JPN"),
    ("Central Emergency Response Fund (CERF)", Donor.Kind.POOLED_FUND, None),
    ("United Kingdom", Donor.Kind.GOVERNMENT, "GBR"),
]

# (reference, donor, plan slug, earmark (objective number, intervention title), amount, currency,
#  status, date)
DEMO_CONTRIBUTIONS = [
    (
        "DEMO-TJK-001",
        "Switzerland",
        "tajikistan-crp-2020",
        (2, None),
        "250000.00",
        "CHF",
        "paid",
        "2020-02-14",
    ),
    (
        "DEMO-TJK-002",
        "European Union",
        "tajikistan-crp-2020",
        (3, "Emergency preparedness"),
        "100000.00",
        "EUR",
        "committed",
        "2020-07-01",
    ),
    (
        "DEMO-TJK-003",
        "United States of America",
        "tajikistan-crp-2020",
        (None, None),
        "150000.00",
        "USD",
        "paid",
        "2020-04-15",
    ),
    (
        "DEMO-TJK-004",
        "Japan",
        "tajikistan-crp-2020",
        (2, "Community stabilization"),
        "10000000.00",
        "JPY",
        "pledged",
        "2020-09-01",
    ),
    (
        "DEMO-TJK-005",
        "Central Emergency Response Fund (CERF)",
        "tajikistan-crp-2020",
        (2, "Mental health and psychosocial support in transition and recovery"),
        "75000.00",
        "USD",
        "paid",
        "2020-05-20",
    ),
    (
        "DEMO-PAK-001",
        "United Kingdom",
        "pakistan-crp-2020-2021",
        (None, None),
        "50000.00",
        "GBP",
        "committed",
        "2020-10-05",
    ),
]


def _load_plan(data: dict) -> Plan:
    plan, _ = Plan.objects.update_or_create(
        slug=data["slug"],
        defaults={
            "title": data["title"],
            "kind": data["kind"],
            "start_year": data["start_year"],
            "end_year": data["end_year"],
            "vision_statement": data["vision_statement"],
            "vision_narrative": data["vision_narrative"],
            "status": Plan.Status.PUBLISHED,
        },
    )
    if plan.published_at is None:
        plan.published_at = timezone.now()
        plan.save(update_fields=["published_at"])
    plan.countries.set(Country.objects.filter(iso3__in=data["countries"]))
    for year in data["years"]:
        PlanYear.objects.update_or_create(
            plan=plan, year=year["year"], defaults={k: v for k, v in year.items() if k != "year"}
        )
    for presence in data["presence"]:
        OperationalPresence.objects.update_or_create(
            plan=plan,
            country=Country.objects.get(iso3=presence["country"]),
            defaults={
                "international_staff": presence["international_staff"],
                "national_staff": presence["national_staff"],
                "field_offices": presence["field_offices"],
                "as_of_on": datetime.date.fromisoformat(presence["as_of_on"]),
                "as_of_precision": presence["as_of_precision"],
            },
        )
    for objective_data in data["objectives"]:
        _load_objective(plan, objective_data)
    return plan


def _load_objective(plan: Plan, data: dict) -> None:
    objective, _ = Objective.objects.update_or_create(
        plan=plan,
        strategic_objective=StrategicObjective.objects.get(number=data["strategic_objective"]),
        defaults={
            "people_description": data["people_description"],
            "narrative": data["narrative"],
            "people_targeted": data["people_targeted"],
        },
    )
    objective.target_groups.set(TargetGroup.objects.filter(slug__in=data["target_groups"]))
    for position, item in enumerate(data["interventions"], start=1):
        intervention, _ = Intervention.objects.update_or_create(
            objective=objective,
            position=position,
            defaults={
                "title": item["title"],
                "sector": Sector.objects.get(name=item["sector"]),
                "narrative": item["narrative"],
            },
        )
        for activity_position, text in enumerate(item["activities"], start=1):
            Activity.objects.update_or_create(
                intervention=intervention, position=activity_position, defaults={"text": text}
            )
        intervention.activities.filter(position__gt=len(item["activities"])).delete()
        for year, amount in item["requirements"].items():
            Requirement.objects.update_or_create(
                intervention=intervention, year=int(year), defaults={"amount_usd": Decimal(amount)}
            )


def _load_funding(recorded_by) -> None:
    for code, on, rate in DEMO_RATES:
        ExchangeRate.objects.update_or_create(
            currency_id=code,
            rate_on=datetime.date.fromisoformat(on),
            defaults={"units_per_usd": Decimal(rate)},
        )
    for name, kind, iso3 in DEMO_DONORS:
        Donor.objects.update_or_create(
            name=name,
            defaults={"kind": kind, "country": Country.objects.filter(iso3=iso3).first()},
        )
    for reference, donor, slug, (so_number, title), amount, code, status, on in DEMO_CONTRIBUTIONS:
        plan = Plan.objects.get(slug=slug)
        objective = (
            plan.objectives.get(strategic_objective__number=so_number) if so_number else None
        )
        intervention = objective.interventions.get(title=title) if title else None
        funding_services.contribution_record(
            contribution=Contribution.objects.filter(reference=reference).first(),
            donor=Donor.objects.get(name=donor),
            plan=plan,
            objective=objective,
            intervention=intervention,
            amount=Decimal(amount),
            currency=Currency.objects.get(code=code),
            status=status,
            contributed_on=datetime.date.fromisoformat(on),
            reference=reference,
            recorded_by=recorded_by,
        )


def _load_users() -> dict[str, object]:
    User = get_user_model()
    roles_setup()
    users = {}
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=spec.username, defaults={"email": f"{spec.username}@example.org"}
        )
        user.is_staff = True
        user.is_superuser = spec.role is None
        if created:
            user.set_password(spec.password)
        user.save()
        if spec.role:
            assignment, _ = RoleAssignment.objects.update_or_create(
                user=user, role=spec.role, defaults={"all_countries": spec.all_countries}
            )
            assignment.countries.set(Country.objects.filter(iso3__in=spec.countries))
            user.groups.add(group_for(spec.role))
        users[spec.username] = user
    return users


@transaction.atomic
def demo_load() -> list[Plan]:
    """Create or update the demo content; running it twice changes no counts."""
    users = _load_users()
    plans = [
        _load_plan(json.loads((SEEDS / name).read_text(encoding="utf-8"))) for name in SEED_FILES
    ]
    _load_funding(recorded_by=users["funding"])
    return plans
