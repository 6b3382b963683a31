"""What the IATI export says about each published plan (issue 14, item 5), read with a fixed
number of queries whatever the number of plans: the plans, their countries, their yearly
requirements, their requirements by sector and by country, their interventions, and their
contributions. document.py writes it as XML.

Figures are the database's sums of the source rows (requirements, contributions), as the
rollups are; an uncosted year has no budget (unknown is not zero).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from funding.models import Contribution, Donor, Requirement
from interventions.models import Intervention
from plans.models import Plan

HUNDRED = Decimal("100")
CENT = Decimal("0.01")

# IATI TransactionType (2.03): how a contribution's status reads as an incoming transaction.
TRANSACTION_TYPES = {
    Contribution.Status.COMMITTED: "11",  # incoming commitment
    Contribution.Status.PAID: "12",  # incoming funds
    Contribution.Status.PLEDGED: "13",  # incoming pledge
}
# IATI OrganisationType of a donor's kind. IATI has no pooled-fund type: the pooled funds donors
# give through (CERF, country-based pooled funds) are UN-managed, so multilateral.
ORGANISATION_TYPES = {
    Donor.Kind.GOVERNMENT: "10",
    Donor.Kind.MULTILATERAL: "40",
    Donor.Kind.POOLED_FUND: "40",
    Donor.Kind.PRIVATE: "70",
    Donor.Kind.OTHER: "90",
}
# IATI ActivityScope: 2 regional, 3 multi-national, 4 national.
SCOPE_REGIONAL, SCOPE_MULTINATIONAL, SCOPE_NATIONAL = "2", "3", "4"
# IATI ActivityStatus: 1 pipeline, 2 implementation, 3 finalisation.
STATUS_PIPELINE, STATUS_IMPLEMENTATION, STATUS_FINALISATION = "1", "2", "3"
STATUS_CLOSED = "4"  # IATI ActivityStatus: an archived (past) plan
# IATI SectorVocabulary: 1 OECD DAC CRS 5-digit purpose codes, 99 the reporting organisation's.
VOCABULARY_DAC, VOCABULARY_OWN = "1", "99"


@dataclass(frozen=True)
class Share:
    """A recipient country or a sector of an activity, with its percentage (sums to 100)."""

    code: str
    name: str
    percentage: Decimal
    vocabulary: str = ""


@dataclass(frozen=True)
class Budget:
    year: int
    value_usd: Decimal

    @property
    def period_start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def period_end(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)


@dataclass(frozen=True)
class Transaction:
    type_code: str
    on: datetime.date
    amount: Decimal  # in `currency`, the contribution's original currency
    currency: str
    amount_usd: Decimal
    units_per_usd: Decimal
    reference: str
    donor_name: str
    donor_type: str | None


@dataclass
class Activity:
    """One plan as an IATI activity."""

    identifier: str
    slug: str
    title: str
    description: str
    status_code: str
    start: datetime.date
    end: datetime.date
    scope_code: str
    last_updated: datetime.datetime
    countries: list[Share] = field(default_factory=list)
    sectors: list[Share] = field(default_factory=list)
    budgets: list[Budget] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    funders: list[tuple[str, str | None]] = field(default_factory=list)  # (name, type)


def percentages(weights: dict[str, Decimal]) -> dict[str, Decimal]:
    """Shares of positive weights as percentages with 2 decimals that add up to exactly 100:
    each rounded down, the cents left over going to the largest remainders (ties by key)."""
    weights = {key: w for key, w in weights.items() if w > 0}
    total = sum(weights.values(), Decimal(0))
    if not total:
        return {}
    exact = {key: w * HUNDRED / total for key, w in weights.items()}
    shares = {key: value.quantize(CENT, rounding=ROUND_DOWN) for key, value in exact.items()}
    left = int((HUNDRED - sum(shares.values(), Decimal(0))) / CENT)
    for key in sorted(exact, key=lambda k: (shares[k] - exact[k], k))[:left]:
        shares[key] += CENT
    return shares


def activity_identifier(slug: str) -> str:
    return f"{settings.IATI_REPORTING_ORG_REF}-{slug}"


def _status(plan: Plan, today: datetime.date) -> str:
    if plan.status == Plan.Status.ARCHIVED:
        return STATUS_CLOSED
    if today.year < plan.start_year:
        return STATUS_PIPELINE
    if today.year <= plan.end_year:
        return STATUS_IMPLEMENTATION
    # Past its period but still published (not archived): money may still come in.
    return STATUS_FINALISATION


def _scope(plan: Plan, country_count: int) -> str:
    if plan.kind == Plan.Kind.REGIONAL:
        return SCOPE_REGIONAL
    return SCOPE_MULTINATIONAL if country_count > 1 else SCOPE_NATIONAL


def _country_shares(
    countries: list[tuple[str, str]], named: dict[str | None, Decimal]
) -> list[Share]:
    """A plan's countries with their share of its requirement: an intervention naming its country
    counts there, the rest of the plan is split evenly; an uncosted plan splits evenly."""
    codes = [code for code, _name in countries]
    if len(codes) <= 1:
        return [Share(code=code, name=name, percentage=HUNDRED) for code, name in countries]
    weights = {code: named.get(code, Decimal(0)) for code in codes}
    rest = sum((v for k, v in named.items() if k not in weights), Decimal(0))
    if not any(weights.values()) and not rest:
        weights = dict.fromkeys(codes, Decimal(1))
    else:
        weights = {code: w + rest / len(codes) for code, w in weights.items()}
    shares = percentages(weights)
    return [Share(code, name, shares[code]) for code, name in countries if code in shares]


def _sector_shares(sectors: dict[str, dict]) -> list[Share]:
    """Sectors as IATI codes: the DAC code where the sector has one, else its slug in the
    organisation's own vocabulary (99). Within each vocabulary the percentages add up to 100,
    as IATI requires: shares of the costed requirement, or of the interventions when none of
    that vocabulary's sectors is costed. Sectors sharing a DAC code are one sector."""
    by_vocabulary: dict[str, dict[str, dict]] = defaultdict(dict)
    for row in sectors.values():
        code, vocabulary = (
            (row["dac_code"], VOCABULARY_DAC) if row["dac_code"] else (row["slug"], VOCABULARY_OWN)
        )
        entry = by_vocabulary[vocabulary].setdefault(
            code, {"names": [], "required": Decimal(0), "count": 0}
        )
        entry["names"].append(row["name"])
        entry["required"] += row["required"]
        entry["count"] += row["count"]
    result = []
    for vocabulary in (VOCABULARY_DAC, VOCABULARY_OWN):
        entries = by_vocabulary.get(vocabulary, {})
        costed = any(e["required"] for e in entries.values())
        weight = "required" if costed else "count"
        shares = percentages({code: Decimal(e[weight]) for code, e in entries.items()})
        result += [
            Share(code, "; ".join(sorted(entries[code]["names"])), share, vocabulary)
            for code, share in sorted(shares.items())
        ]
    return result


def iati_activities(plans: QuerySet[Plan]) -> list[Activity]:
    """The IATI activities of the given plans (callers pass published plans), in slug order.
    Seven queries, whatever the number of plans."""
    rows = list(plans.order_by("slug"))
    ids = [plan.pk for plan in rows]
    countries: dict[int, list[tuple[str, str]]] = defaultdict(list)
    through = Plan.countries.through.objects.filter(plan_id__in=ids).order_by("country__iso3")
    # IATI's Country codelist is ISO 3166-1 alpha-2; the plan's percentages are keyed by ISO3.
    iso2: dict[str, str] = {}
    for plan_id, code, code2, name in through.values_list(
        "plan_id", "country__iso3", "country__iso2", "country__name"
    ):
        countries[plan_id].append((code, name))
        iso2[code] = code2

    requirements = Requirement.objects.filter(intervention__objective__plan_id__in=ids).order_by()
    plan_key = "intervention__objective__plan_id"
    yearly: dict[int, list[Budget]] = defaultdict(list)
    for row in (
        requirements.values(plan_key, "year").annotate(total=Sum("amount_usd")).order_by("year")
    ):
        yearly[row[plan_key]].append(Budget(year=row["year"], value_usd=row["total"]))
    by_country: dict[int, dict[str | None, Decimal]] = defaultdict(dict)
    for row in requirements.values(plan_key, "intervention__country__iso3").annotate(
        total=Sum("amount_usd")
    ):
        by_country[row[plan_key]][row["intervention__country__iso3"]] = row["total"]

    sectors: dict[int, dict[str, dict]] = defaultdict(dict)
    interventions = Intervention.objects.filter(objective__plan_id__in=ids, sector__isnull=False)
    for row in (
        interventions.order_by()
        .values("objective__plan_id", "sector__slug", "sector__name", "sector__dac_code")
        .annotate(count=Count("pk"))
    ):
        sectors[row["objective__plan_id"]][row["sector__slug"]] = {
            "slug": row["sector__slug"],
            "name": row["sector__name"],
            "dac_code": row["sector__dac_code"],
            "count": row["count"],
            "required": Decimal(0),
        }
    for row in (
        requirements.filter(intervention__sector__isnull=False)
        .values(plan_key, "intervention__sector__slug")
        .annotate(total=Sum("amount_usd"))
    ):
        sectors[row[plan_key]][row["intervention__sector__slug"]]["required"] = row["total"]

    transactions: dict[int, list[Transaction]] = defaultdict(list)
    contributions = Contribution.objects.filter(
        plan_id__in=ids, status__in=list(TRANSACTION_TYPES)
    ).order_by("plan_id", "contributed_on", "id")
    for c in contributions.values(
        "plan_id",
        "status",
        "contributed_on",
        "amount",
        "currency_id",
        "amount_usd",
        "units_per_usd",
        "reference",
        "donor__name",
        "donor__kind",
    ):
        transactions[c["plan_id"]].append(
            Transaction(
                type_code=TRANSACTION_TYPES[c["status"]],
                on=c["contributed_on"],
                amount=c["amount"],
                currency=c["currency_id"],
                amount_usd=c["amount_usd"],
                units_per_usd=c["units_per_usd"],
                reference=c["reference"],
                donor_name=c["donor__name"],
                donor_type=ORGANISATION_TYPES.get(c["donor__kind"]),
            )
        )

    today = timezone.localdate()
    activities = []
    for plan in rows:
        plan_countries = countries[plan.pk]
        funders = sorted({(t.donor_name, t.donor_type) for t in transactions[plan.pk]})
        dates = [d for d in (plan.updated_at, plan.funding_updated_at) if d is not None]
        activities.append(
            Activity(
                identifier=activity_identifier(plan.slug),
                slug=plan.slug,
                title=plan.title,
                description=plan.vision_statement or plan.vision_narrative or plan.title,
                status_code=_status(plan, today),
                start=datetime.date(plan.start_year, 1, 1),
                end=datetime.date(plan.end_year, 12, 31),
                scope_code=_scope(plan, len(plan_countries)),
                last_updated=max(dates),
                countries=[
                    Share(iso2[c.code], c.name, c.percentage)
                    for c in _country_shares(plan_countries, by_country[plan.pk])
                ],
                sectors=_sector_shares(sectors[plan.pk]),
                budgets=yearly[plan.pk],
                transactions=transactions[plan.pk],
                funders=funders,
            )
        )
    return activities
