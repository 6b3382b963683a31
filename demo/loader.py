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
from django.utils.translation import gettext as _

from funding import services as funding_services
from funding.models import Contribution, Currency, Donor, ExchangeRate
from interventions.models import Intervention, Sector
from objectives import services as objective_services
from objectives.models import Objective, StrategicObjective, TargetGroup
from plans import services as plan_services
from plans import services_workflow as workflow
from plans.models import Country, Plan, Role, RoleAssignment
from plans.role_groups import group_for, roles_setup

SEEDS = Path(__file__).resolve().parent / "seeds"
PLAN_SEED_FIELDS = (
    "title",
    "kind",
    "start_year",
    "end_year",
    "vision_statement",
    "vision_narrative",
)
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
#  status, date[, {year it is for: amount} when split across years])
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
        # Given in 2020 for both years of the plan, most of it for 2021 (as FTS records a
        # multi-year flow: one part per usage year).
        {2020: "20000.00", 2021: "30000.00"},
    ),
]


def _load_plan(data: dict, actor) -> Plan:
    """One seed plan through the same services as the admin's plan page, as one edit; then
    submitted and published through the review workflow."""
    fields = {name: data[name] for name in PLAN_SEED_FIELDS}
    countries = list(Country.objects.filter(iso3__in=data["countries"]))
    plan = Plan.objects.filter(slug=data["slug"]).first()
    if plan is not None and plan.status == Plan.Status.PUBLISHED and _as_seeded(plan, data):
        return plan  # loaded already, as the seed says: no new version, nothing in the history
    if plan is None:
        plan = plan_services.plan_create(
            actor=actor, countries=countries, slug=data["slug"], **fields
        )
    edit = plan_services.plan_content_lock(
        plan_id=plan.pk, actor=actor, reason=_("Demo content loaded"), record=False
    )
    plan_services.plan_update(plan=edit, actor=actor, edit=edit, countries=countries, **fields)
    plan_services.plan_years_replace(plan=edit, rows=data["years"], actor=actor, edit=edit)
    plan_services.presences_replace(
        plan=edit,
        rows=[
            {
                **presence,
                "country": Country.objects.get(iso3=presence["country"]),
                "as_of_on": datetime.date.fromisoformat(presence["as_of_on"]),
            }
            for presence in data["presence"]
        ],
        actor=actor,
        edit=edit,
    )
    for objective_data in data["objectives"]:
        _load_objective(edit, objective_data, actor)
    plan_services.plan_content_check(plan=edit)
    if edit.status == Plan.Status.DRAFT:
        edit = workflow.plan_submit(plan=edit, actor=actor)
    if edit.status == Plan.Status.IN_REVIEW:
        edit = workflow.plan_publish(plan=edit, actor=actor)
    return edit


def _as_seeded(plan: Plan, data: dict) -> bool:
    """Whether the plan's content in the database is what the seed file says."""
    return _seed_state(data) == _plan_state(plan)


def _seed_state(data: dict) -> dict:
    return {
        **{name: data[name] for name in PLAN_SEED_FIELDS},
        "countries": sorted(data["countries"]),
        "years": sorted(tuple(sorted(row.items())) for row in data["years"]),
        "presence": sorted(tuple(sorted(row.items())) for row in data["presence"]),
        "objectives": sorted(
            (
                o["strategic_objective"],
                o["people_description"],
                o["narrative"],
                o["people_targeted"],
                tuple(sorted(o["target_groups"])),
                tuple(
                    (
                        position,
                        i["title"],
                        i["sector"],
                        i["narrative"],
                        tuple(i["activities"]),
                        tuple(sorted((int(y), Decimal(a)) for y, a in i["requirements"].items())),
                    )
                    for position, i in enumerate(o["interventions"], start=1)
                ),
            )
            for o in data["objectives"]
        ),
    }


def _plan_state(plan: Plan) -> dict:
    objectives = plan.objectives.select_related("strategic_objective").prefetch_related(
        "target_groups",
        "interventions__sector",
        "interventions__activities",
        "interventions__requirements",
    )
    return {
        **{name: getattr(plan, name) for name in PLAN_SEED_FIELDS},
        "countries": sorted(plan.countries.values_list("iso3", flat=True)),
        "years": sorted(
            tuple(sorted(row.items()))
            for row in plan.plan_years.values(
                "year", "people_in_need", "people_targeted", "entities_targeted"
            )
        ),
        "presence": sorted(
            tuple(
                sorted(
                    {
                        **{k: v for k, v in row.items() if k != "country__iso3"},
                        "country": row["country__iso3"],
                        "as_of_on": row["as_of_on"].isoformat(),
                    }.items()
                )
            )
            for row in plan.presences.values(
                "international_staff",
                "national_staff",
                "field_offices",
                "as_of_on",
                "as_of_precision",
                "country__iso3",
            )
        ),
        "objectives": sorted(
            (
                o.strategic_objective.number,
                o.people_description,
                o.narrative,
                o.people_targeted,
                tuple(sorted(t.slug for t in o.target_groups.all())),
                tuple(
                    (
                        i.position,
                        i.title,
                        i.sector.name if i.sector else None,
                        i.narrative,
                        tuple(a.text for a in sorted(i.activities.all(), key=_activity_order)),
                        tuple(sorted((r.year, r.amount_usd) for r in i.requirements.all())),
                    )
                    for i in sorted(o.interventions.all(), key=lambda i: i.position)
                ),
            )
            for o in objectives
        ),
    }


def _activity_order(activity) -> tuple[int, int]:
    return (activity.position, activity.pk)


def _load_objective(edit: Plan, data: dict, actor) -> None:
    strategic_objective = StrategicObjective.objects.get(number=data["strategic_objective"])
    fields = {
        "people_description": data["people_description"],
        "narrative": data["narrative"],
        "people_targeted": data["people_targeted"],
        "target_groups": TargetGroup.objects.filter(slug__in=data["target_groups"]),
    }
    objective = Objective.objects.filter(plan=edit, strategic_objective=strategic_objective).first()
    if objective is None:
        objective = objective_services.objective_create(
            plan=edit, strategic_objective=strategic_objective, actor=actor, edit=edit, **fields
        )
    else:
        objective = objective_services.objective_update(
            objective=objective, actor=actor, edit=edit, **fields
        )
    for position, item in enumerate(data["interventions"], start=1):
        funding_services.intervention_save(
            intervention=Intervention.objects.filter(
                objective=objective, position=position
            ).first(),
            objective=objective,
            actor=actor,
            edit=edit,
            position=position,
            title=item["title"],
            sector=Sector.objects.get(name=item["sector"]),
            narrative=item["narrative"],
            activities=item["activities"],
            requirements=[
                {"year": int(year), "amount_usd": Decimal(amount)}
                for year, amount in item["requirements"].items()
            ],
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
    for reference, donor, slug, (
        so_number,
        title,
    ), amount, code, status, on, *for_years in DEMO_CONTRIBUTIONS:
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
            # Without a split: the year of its date.
            years=[(y, Decimal(a)) for y, a in for_years[0].items()] if for_years else None,
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
        _load_plan(json.loads((SEEDS / name).read_text(encoding="utf-8")), actor=users["admin"])
        for name in SEED_FILES
    ]
    _load_funding(recorded_by=users["funding"])
    return plans
