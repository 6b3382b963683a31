"""Realistic, reproducible synthetic plans and funding, for tests and benchmarks (seed_synthetic).

The same seed gives the same data: every random choice comes from one `random.Random(seed)`.
Countries, regions, strategic objectives, sectors and currencies come from the catalogs.
Rows are inserted in bulk, without signals (the rollup triggers are for edits, not loads); the
caller recomputes the rollups afterwards. On PostgreSQL the two big tables (requirements and
contributions) are streamed with COPY in chunks, so a million contributions take seconds and
never sit in memory together.
"""

from __future__ import annotations

import bisect
import datetime
import io
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models.functions import ExtractYear
from django.utils import timezone

from interventions.models import Activity, Intervention, Sector
from objectives.models import Objective, StrategicObjective
from plans.models import Country, OperationalPresence, Plan, PlanYear

from .figures import CENT
from .models import Contribution, ContributionYear, Currency, Donor, ExchangeRate, Requirement

# Currencies donors give in, with a plausible "units per USD" around which monthly rates wander.
CURRENCIES = {
    "USD": Decimal("1"),
    "EUR": Decimal("0.92"),
    "CHF": Decimal("0.91"),
    "GBP": Decimal("0.79"),
    "JPY": Decimal("145.0"),
    "SEK": Decimal("10.6"),
    "NOK": Decimal("10.7"),
    "CAD": Decimal("1.36"),
}
CURRENCY_WEIGHTS = [40, 20, 8, 10, 6, 6, 5, 5]
STATUSES = [Contribution.Status.PAID, Contribution.Status.COMMITTED, Contribution.Status.PLEDGED]
STATUS_WEIGHTS = [55, 25, 20]
PLAN_STATUSES = [
    Plan.Status.PUBLISHED,
    Plan.Status.DRAFT,
    Plan.Status.IN_REVIEW,
    Plan.Status.ARCHIVED,
]
PLAN_STATUS_WEIGHTS = [70, 15, 10, 5]
MULTILATERALS = [
    "European Union",
    "Central Emergency Response Fund",
    "World Bank",
    "Asian Development Bank",
    "Country-based pooled fund",
    "African Development Bank",
]
FIRST_YEAR, LAST_YEAR = 2019, 2025
CHUNK = 20_000
CONTRIBUTION_COLUMNS = [
    "donor_id",
    "plan_id",
    "objective_id",
    "intervention_id",
    "amount",
    "currency_id",
    "units_per_usd",
    "amount_usd",
    "status",
    "contributed_on",
    "reference",
    "created_at",
    "updated_at",
]


@dataclass
class SyntheticResult:
    plans: int = 0
    objectives: int = 0
    interventions: int = 0
    activities: int = 0
    requirements: int = 0
    donors: int = 0
    contributions: int = 0


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _round_thousand(value: float) -> Decimal:
    return Decimal(max(1, round(value / 1000)) * 1000).quantize(CENT)


def seed(
    *,
    plans: int,
    contributions: int,
    seed: int,
    interventions_per_plan: int = 100,
    donors: int = 150,
    progress: Callable[[str, int], None] | None = None,
) -> SyntheticResult:
    """Create `plans` plans (with objectives, interventions, requirements) and `contributions`.

    Slugs start with "synthetic-<seed>-", so two seeds can share a database; the same seed twice
    is refused (ValueError) rather than duplicated.
    """
    rng = random.Random(seed)
    prefix = f"synthetic-{seed}-"
    if Plan.objects.filter(slug__startswith=prefix).exists():
        raise ValueError(f"Plans with slugs {prefix}* already exist; use another --seed.")
    step = progress or (lambda _what, _n: None)
    result = SyntheticResult()
    with transaction.atomic():
        countries = list(
            Country.objects.exclude(region=None).order_by("iso3").values_list("pk", "region_id")
        )
        by_region: dict[int, list[int]] = {}
        for pk, region_id in countries:
            by_region.setdefault(region_id, []).append(pk)
        strategic = list(StrategicObjective.objects.filter(retired_on=None).order_by("number"))
        sectors = list(Sector.objects.order_by("slug").values_list("pk", flat=True))
        country_names = dict(Country.objects.values_list("pk", "name"))

        plan_rows = _plans(rng, prefix, plans, countries, by_region, country_names)
        Plan.objects.bulk_create([p for p, _ in plan_rows], batch_size=1000)
        Plan.countries.through.objects.bulk_create(
            [Plan.countries.through(plan_id=p.pk, country_id=c) for p, cs in plan_rows for c in cs],
            batch_size=5000,
        )
        result.plans = len(plan_rows)
        step("plans", result.plans)

        objectives = []
        for plan, _ in plan_rows:
            count = rng.randint(min(2, len(strategic)), min(4, len(strategic)))
            for so in sorted(rng.sample(strategic, count), key=lambda s: s.number):
                objectives.append(
                    Objective(
                        plan=plan,
                        strategic_objective=so,
                        people_description="People and communities targeted",
                        people_targeted=rng.randint(500, 500_000),
                    )
                )
        Objective.objects.bulk_create(objectives, batch_size=2000)
        result.objectives = len(objectives)
        by_plan: dict[int, list[Objective]] = {}
        for objective in objectives:
            by_plan.setdefault(objective.plan_id, []).append(objective)

        interventions = []
        for plan, _ in plan_rows:
            plan_objectives = by_plan[plan.pk]
            for n in range(interventions_per_plan):
                objective = plan_objectives[n % len(plan_objectives)]
                interventions.append(
                    Intervention(
                        objective=objective,
                        position=n,
                        title=f"Intervention {n + 1} of {plan.slug}",
                        sector_id=rng.choice(sectors),
                        people_targeted=rng.choice([None, rng.randint(50, 50_000)]),
                    )
                )
        for start in range(0, len(interventions), 5000):
            Intervention.objects.bulk_create(interventions[start : start + 5000])
        result.interventions = len(interventions)
        step("interventions", result.interventions)
        result.activities = _plan_content(plan_rows, interventions)

        plan_of_objective = {o.pk: o.plan for o in objectives}
        required: dict[int, Decimal] = {}
        result.requirements = _insert(
            Requirement,
            ["intervention_id", "year", "amount_usd", "created_at", "updated_at"],
            _requirements(rng, interventions, plan_of_objective, required),
        )
        step("requirements", result.requirements)

        donor_ids = _donors(rng, donors, countries, country_names)
        result.donors = len(donor_ids)
        rates = _exchange_rates(rng)

        result.contributions = _insert(
            Contribution,
            CONTRIBUTION_COLUMNS,
            _contributions(
                rng, contributions, plan_rows, by_plan, interventions, donor_ids, rates, required
            ),
            on_chunk=lambda n: step("contributions", n),
        )
        _years_of_their_dates()
    return result


def _plan_content(plan_rows, interventions) -> int:
    """What a plan page shows beside the money: people per year, staff and offices per country,
    and 1-3 activities per intervention. A random stream of its own, so the plans, requirements
    and contributions of a seed are the same as before these rows existed."""
    rng = random.Random(f"content-{plan_rows[0][0].slug}" if plan_rows else "content")
    PlanYear.objects.bulk_create(
        [
            PlanYear(
                plan=plan,
                year=year,
                people_in_need=(need := rng.randint(10_000, 2_000_000)),
                people_targeted=rng.randint(need // 10, need),
            )
            for plan, _ in plan_rows
            for year in plan.years
        ],
        batch_size=5000,
    )
    OperationalPresence.objects.bulk_create(
        [
            OperationalPresence(
                plan=plan,
                country_id=country,
                international_staff=rng.randint(0, 40),
                national_staff=rng.randint(5, 400),
                field_offices=rng.randint(0, 12),
                as_of_on=datetime.date(plan.start_year, 12, 31),
            )
            for plan, countries in plan_rows
            for country in countries
        ],
        batch_size=5000,
    )
    return _insert(
        Activity,
        ["intervention_id", "position", "text"],
        (
            (intervention.pk, n, f"Activity {n + 1}: {rng.choice(ACTIVITY_VERBS)} {title}")
            for intervention in interventions
            for n in range(rng.randint(1, 3))
            for title in [intervention.title.split(" of ")[0].lower()]
        ),
    )


ACTIVITY_VERBS = ["deliver", "train staff for", "monitor", "coordinate", "assess needs for"]


def _plans(rng, prefix, n, countries, by_region, names) -> list[tuple[Plan, list[int]]]:
    now = timezone.now()
    rows = []
    for i in range(n):
        country, region = rng.choice(countries)
        kind = rng.choices(
            [Plan.Kind.COUNTRY, Plan.Kind.REGIONAL, Plan.Kind.FLASH], weights=[80, 12, 8]
        )[0]
        chosen = [country]
        if kind == Plan.Kind.REGIONAL:
            neighbours = by_region[region]
            chosen = rng.sample(neighbours, min(len(neighbours), rng.randint(2, 4)))
        start = rng.randint(FIRST_YEAR, LAST_YEAR)
        end = min(start + rng.choices([0, 1, 2], weights=[60, 30, 10])[0], LAST_YEAR + 2)
        status = rng.choices(PLAN_STATUSES, weights=PLAN_STATUS_WEIGHTS)[0]
        period = str(start) if start == end else f"{start}–{end}"
        place = names[country] if kind != Plan.Kind.REGIONAL else "Regional"
        rows.append(
            (
                Plan(
                    title=f"{place} {Plan.Kind(kind).label} {period} ({i + 1})",
                    slug=f"{prefix}{i + 1}",
                    kind=kind,
                    start_year=start,
                    end_year=end,
                    status=status,
                    published_at=now if status == Plan.Status.PUBLISHED else None,
                    vision_statement="Synthetic plan for tests and benchmarks.",
                ),
                chosen,
            )
        )
    return rows


def _requirements(rng, interventions, plan_of_objective, required: dict) -> Iterator[tuple]:
    """Yearly requirements; `required` collects each plan's total (to size its funding)."""
    now = timezone.now()
    for intervention in interventions:
        if rng.random() < 0.08:
            continue  # not yet costed: unknown, never zero
        plan = plan_of_objective[intervention.objective_id]
        yearly = rng.lognormvariate(11.5, 1.0)  # median ≈ USD 100,000
        for year in plan.years:
            if rng.random() < 0.9:
                amount = _round_thousand(yearly * rng.uniform(0.7, 1.3))
                required[plan.pk] = required.get(plan.pk, 0) + amount
                yield (intervention.pk, year, amount, now, now)


def _donors(rng, n, countries, names) -> list[int]:
    wanted = [(name, Donor.Kind.MULTILATERAL, None) for name in MULTILATERALS]
    wanted.append(("Private donors", Donor.Kind.PRIVATE, None))
    for pk, _region in rng.sample(countries, min(len(countries), max(0, n - len(wanted)))):
        wanted.append((f"Government of {names[pk]}", Donor.Kind.GOVERNMENT, pk))
    wanted = wanted[:n]
    Donor.objects.bulk_create(
        [Donor(name=name, kind=kind, country_id=c) for name, kind, c in wanted],
        ignore_conflicts=True,
    )
    ids = dict(Donor.objects.filter(name__in=[w[0] for w in wanted]).values_list("name", "pk"))
    return [ids[name] for name, _, _ in wanted]


def _exchange_rates(rng) -> dict[str, tuple[list[datetime.date], list[Decimal]]]:
    """Monthly rates for each currency; those already stored win (a rate is never rewritten)."""
    codes = [c for c in CURRENCIES if c != "USD"]
    currencies = {c.pk: c for c in Currency.objects.filter(pk__in=codes)}
    rows = []
    for code in codes:
        level = CURRENCIES[code]
        for year in range(FIRST_YEAR - 1, LAST_YEAR + 3):
            for month in range(1, 13):
                level = (level * Decimal(str(rng.uniform(0.98, 1.02)))).quantize(
                    Decimal("0.00000001")
                )
                rows.append(
                    ExchangeRate(
                        currency=currencies[code],
                        rate_on=datetime.date(year, month, 1),
                        units_per_usd=level,
                    )
                )
    ExchangeRate.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    rates: dict[str, tuple[list, list]] = {code: ([], []) for code in codes}
    for code, on, rate in (
        ExchangeRate.objects.filter(currency__in=codes)
        .order_by("currency", "rate_on")
        .values_list("currency", "rate_on", "units_per_usd")
    ):
        rates[code][0].append(on)
        rates[code][1].append(rate)
    return rates


def _rate_on(rates, code: str, on: datetime.date) -> Decimal:
    if code == "USD":
        return Decimal("1")
    dates, values = rates[code]
    return values[bisect.bisect_right(dates, on) - 1]


def _contributions(
    rng, n, plan_rows, by_plan, interventions, donor_ids, rates, required
) -> Iterator:
    """Contributions sized so that each plan ends up 20-110 % funded (received + pledged)."""
    now = timezone.now()
    plans = [p for p, _ in plan_rows if p.status != Plan.Status.DRAFT] or [p for p, _ in plan_rows]
    weights = [rng.uniform(0.2, 1.0) for _ in plans]
    total_weight = sum(weights) or 1
    typical: dict[int, float] = {}
    for plan, weight in zip(plans, weights, strict=True):
        expected = max(1.0, n * weight / total_weight)
        target = float(required.get(plan.pk) or 1_000_000) * rng.uniform(0.2, 1.1)
        typical[plan.pk] = target / expected
    by_plan_interventions: dict[int, list[Intervention]] = {}
    plan_of_objective = {o.pk: pid for pid, objs in by_plan.items() for o in objs}
    for intervention in interventions:
        by_plan_interventions.setdefault(plan_of_objective[intervention.objective_id], []).append(
            intervention
        )
    codes = list(CURRENCIES)
    picked = rng.choices(plans, weights=weights, k=n) if plans else []
    for i, plan in enumerate(picked):
        earmark = rng.random()
        objective_id = intervention_id = None
        if earmark < 0.4 and by_plan_interventions.get(plan.pk):
            intervention = rng.choice(by_plan_interventions[plan.pk])
            intervention_id, objective_id = intervention.pk, intervention.objective_id
        elif earmark < 0.6:
            objective_id = rng.choice(by_plan[plan.pk]).pk
        on = datetime.date(
            rng.randint(plan.start_year, plan.end_year), rng.randint(1, 12), rng.randint(1, 28)
        )
        code = rng.choices(codes, weights=CURRENCY_WEIGHTS)[0]
        rate = _rate_on(rates, code, on)
        usd = _money(typical[plan.pk] * rng.lognormvariate(-0.3, 0.8))  # mean ≈ typical
        amount = (usd * rate).quantize(CENT, rounding=ROUND_HALF_UP)
        amount_usd = (amount / rate).quantize(CENT, rounding=ROUND_HALF_UP)
        status = rng.choices(STATUSES, weights=STATUS_WEIGHTS)[0]
        yield (
            rng.choice(donor_ids),
            plan.pk,
            objective_id,
            intervention_id,
            amount,
            code,
            rate,
            amount_usd,
            status,
            on,
            f"SYN-{plan.pk}-{i + 1}",
            now,
            now,
        )


def _insert(model, columns: list[str], rows: Iterator[tuple], on_chunk=None) -> int:
    """Insert rows in chunks: COPY on PostgreSQL, bulk_create elsewhere. Returns the count."""
    total = 0
    chunk: list[tuple] = []

    def flush() -> None:
        nonlocal total
        if not chunk:
            return
        if connection.vendor == "postgresql":
            # COPY bypasses Django: fill NOT NULL columns the caller left out (e.g. `version`)
            # with the field's default, as bulk_create would.
            extra = [
                f
                for f in model._meta.concrete_fields
                if f.attname not in columns and not f.primary_key and not f.null and f.has_default()
            ]
            defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in extra)
            _copy(
                model._meta.db_table,
                [*columns, *(f.column for f in extra)],
                [(*row, *defaults) for row in chunk],
            )
        else:
            model.objects.bulk_create(
                [model(**dict(zip(columns, row, strict=True))) for row in chunk], batch_size=2000
            )
        total += len(chunk)
        if on_chunk is not None:
            on_chunk(len(chunk))
        chunk.clear()

    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            flush()
    flush()
    return total


def _years_of_their_dates() -> None:
    """Each contribution inserted without the years it is for is for the year of its date, in
    whole (as the services record one given no years; funding 0008 did the same)."""
    missing = (
        Contribution.objects.filter(years__isnull=True)
        .annotate(year=ExtractYear("contributed_on"))
        .values_list("pk", "year", "amount", "amount_usd")
    )
    ContributionYear.objects.bulk_create(
        (
            ContributionYear(contribution_id=pk, year=year, amount=amount, amount_usd=usd)
            for pk, year, amount, usd in missing.iterator(chunk_size=CHUNK)
        ),
        batch_size=2000,
    )


def _copy(table: str, columns: list[str], rows: list[tuple]) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(r"\N" if v is None else str(v) for v in row))
        buffer.write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def add_contributions(*, seed: int, contributions: int, salt: int = 1, progress=None) -> int:
    """Add contributions to the plans `seed(seed=...)` made (the benchmark grows data this way)."""
    from django.db.models import Sum

    rng = random.Random(seed * 1_000_003 + salt)
    prefix = f"synthetic-{seed}-"
    plans = list(Plan.objects.filter(slug__startswith=prefix).order_by("pk"))
    if not plans:
        raise ValueError(f"No plans with slugs {prefix}*; run seed_synthetic first.")
    plan_rows = [(p, []) for p in plans]
    by_plan: dict[int, list[Objective]] = {}
    for objective in Objective.objects.filter(plan__in=plans).only("pk", "plan_id").order_by("pk"):
        by_plan.setdefault(objective.plan_id, []).append(objective)
    interventions = list(
        Intervention.objects.filter(objective__plan__in=plans)
        .only("pk", "objective_id")
        .order_by("pk")
    )
    required = dict(
        Requirement.objects.filter(intervention__objective__plan__in=plans)
        .values("intervention__objective__plan")
        .annotate(total=Sum("amount_usd"))
        .values_list("intervention__objective__plan", "total")
    )
    donor_ids = list(Donor.objects.order_by("pk").values_list("pk", flat=True))
    rates = _exchange_rates(rng)
    with transaction.atomic():
        added = _insert(
            Contribution,
            CONTRIBUTION_COLUMNS,
            _contributions(
                rng, contributions, plan_rows, by_plan, interventions, donor_ids, rates, required
            ),
            on_chunk=progress,
        )
        _years_of_their_dates()
        return added
