"""FTS flows in (issue #14, item 4): the flows whose destination organisation is ours become
contributions, through contribution_record, in one transaction (kept unless a dry run).

- A flow counts when its destination organisation is ours (settings.FTS_ORGANIZATION_ID),
  incoming or internal (a pooled fund's allocation to us is money to us); a parent flow split
  into child flows per usage year is not counted, its children are.
- It goes to the plan of its destination country (its Location, matched to ISO 3166) that
  covers its usage year; it is earmarked to the one intervention of that plan whose sector its
  global cluster maps to (FtsClusterSector), else to the plan.
- Its USD amount and rate are kept as FTS published them; its status maps to ours; its donor is
  matched or created by FTS organisation id.
- A re-import updates a flow whose version is newer and leaves the same one alone: never a
  duplicate. A flow that matches no plan is listed (FtsUnmatchedFlow) with the reason, never
  dropped; an officer assigns it in the admin.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crp_portal.tables import error_messages
from interventions.models import Intervention
from plans.models import Country, Plan

from ..figures import ZERO
from ..imports.fts import ORGANIZATION_KINDS, STATUSES, FtsFlow, fts_flow_parse, fts_pages_read
from ..models import Contribution, Currency, FtsClusterSector, FtsImportRun, FtsUnmatchedFlow
from .contributions import contribution_delete, contribution_record
from .donors import donor_for_fts

# FTS's names of places that ISO 3166 (pycountry) spells otherwise.
LOCATION_ALIASES = {
    "occupied palestinian territory": "PSE",
    "state of palestine": "PSE",
    "kosovo": "XKX",
    "türkiye": "TUR",
    "turkey": "TUR",
    "democratic republic of the congo": "COD",
    "congo, the democratic republic of the": "COD",
    "iran": "IRN",
    "syria": "SYR",
    "venezuela": "VEN",
    "bolivia": "BOL",
    "tanzania": "TZA",
    "moldova": "MDA",
    "lao people's democratic republic": "LAO",
    "democratic people's republic of korea": "PRK",
    "côte d'ivoire": "CIV",
    "cote d'ivoire": "CIV",
    "russian federation": "RUS",
    "micronesia": "FSM",
}
NEW, UPDATED, UNCHANGED, REMOVED = "new", "updated", "unchanged", "removed"


@dataclass
class FtsReport:
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)
    not_ours: int = 0
    split: int = 0  # parents not counted (their children are)
    unmatched: list[tuple[FtsFlow, str]] = field(default_factory=list)
    # USD of the flows to us that count, by our status, matched or not: FTS's published totals.
    usd: dict[str, Decimal] = field(default_factory=dict)

    def count(self, action: str) -> int:
        return self.counts.get(action, 0)

    def summary(self) -> str:
        text = _(
            "%(new)d new, %(updated)d updated, %(unchanged)d unchanged, %(removed)d removed; "
            "%(unmatched)d unmatched; %(split)d split into child flows (not counted); "
            "%(not_ours)d to other organisations (ignored)."
        ) % {
            "new": self.count(NEW),
            "updated": self.count(UPDATED),
            "unchanged": self.count(UNCHANGED),
            "removed": self.count(REMOVED),
            "unmatched": len(self.unmatched),
            "split": self.split,
            "not_ours": self.not_ours,
        }
        totals = _(
            "To us: %(received)s USD received (committed and paid), %(pledged)s pledged."
        ) % {
            "received": f"{self.usd.get('committed', ZERO) + self.usd.get('paid', ZERO):,.2f}",
            "pledged": f"{self.usd.get('pledged', ZERO):,.2f}",
        }
        dry = _(" A dry run: nothing was written.") if self.dry_run else ""
        return f"{text} {totals}{dry}"


class Unmatched(Exception):
    """The flow fits no plan; the message says why."""


def country_of(location: str) -> Country | None:
    """Our country of an FTS location name: by our catalog's name, FTS's aliases, then ISO 3166
    (pycountry's names, official names and fuzzy-free lookup)."""
    name = location.strip()
    country = Country.objects.filter(name__iexact=name).first()
    if country is not None:
        return country
    iso3 = LOCATION_ALIASES.get(name.lower())
    if iso3 is None:
        try:
            iso3 = pycountry.countries.lookup(name).alpha_3
        except LookupError:
            return None
    return Country.objects.filter(iso3=iso3).first()


class _Lookups:
    """What many flows of one import share (their countries, plans, currencies, the cluster
    mapping, a plan's interventions), read once per import rather than once per flow. Donors are
    not kept: one created in a flow whose savepoint is rolled back would be gone."""

    def __init__(self) -> None:
        self._countries: dict[str, Country | None] = {}
        self._plans: dict[tuple[int, int, int], list[Plan]] = {}
        self._currencies: dict[str, Currency | None] = {}
        self._interventions: dict[int, list[Intervention]] = {}
        self._cluster_sectors: dict[str, int] | None = None

    def country(self, name: str) -> Country | None:
        if name not in self._countries:
            self._countries[name] = country_of(name)
        return self._countries[name]

    def plans(self, country: Country, first: int, last: int) -> list[Plan]:
        key = (country.pk, first, last)
        if key not in self._plans:
            self._plans[key] = list(
                Plan.objects.filter(countries=country, start_year__lte=first, end_year__gte=last)
                .exclude(status=Plan.Status.ARCHIVED)
                .prefetch_related("countries")
                .order_by("slug")
            )
        return self._plans[key]

    def currency(self, code: str) -> Currency | None:
        if code not in self._currencies:
            self._currencies[code] = Currency.objects.filter(code=code).first()
        return self._currencies[code]

    def sectors_of(self, clusters: set[str]) -> set[int]:
        if self._cluster_sectors is None:
            self._cluster_sectors = dict(
                FtsClusterSector.objects.values_list("global_cluster", "sector")
            )
        return {self._cluster_sectors[c] for c in clusters if c in self._cluster_sectors}

    def interventions(self, plan: Plan) -> list[Intervention]:
        if plan.pk not in self._interventions:
            self._interventions[plan.pk] = list(
                Intervention.objects.filter(objective__plan=plan).select_related("objective")
            )
        return self._interventions[plan.pk]


def _plan_of(flow: FtsFlow, lookups: _Lookups) -> tuple[Plan, list[int]]:
    locations = {o.name for o in flow.objects("destination", "Location")}
    if len(locations) != 1:
        raise Unmatched(
            _("it names %(n)d destination countries; a contribution goes to one plan.")
            % {"n": len(locations)}
            if locations
            else _("it names no destination country.")
        )
    (location,) = locations
    country = lookups.country(location)
    if country is None:
        raise Unmatched(_("“%(name)s” is not a country we know.") % {"name": location})
    years = flow.usage_years
    if not years:
        raise Unmatched(_("it names no usage year."))
    plans = lookups.plans(country, min(years), max(years))
    if len(plans) > 1:  # a country's own plan before a regional one
        own = [p for p in plans if len(p.countries.all()) == 1]
        plans = own if len(own) == 1 else plans
    if not plans:
        raise Unmatched(
            _("no plan of %(country)s covers %(years)s.")
            % {"country": country.name, "years": ", ".join(map(str, years))}
        )
    if len(plans) > 1:
        raise Unmatched(
            _("several plans could take it: %(plans)s.")
            % {"plans": ", ".join(p.slug for p in plans)}
        )
    return plans[0], years


def _intervention_of(flow: FtsFlow, plan: Plan, lookups: _Lookups) -> Intervention | None:
    sectors = lookups.sectors_of({o.name for o in flow.objects("destination", "GlobalCluster")})
    if not sectors:
        return None
    matches = [i for i in lookups.interventions(plan) if i.sector_id in sectors]
    return matches[0] if len(matches) == 1 else None


def _donor_of(flow: FtsFlow):
    organizations = flow.objects("source", "Organization")
    if len(organizations) != 1 or not organizations[0].id.isdigit():
        raise Unmatched(_("it names %(n)d source organisations.") % {"n": len(organizations)})
    source = organizations[0]
    kinds = [ORGANIZATION_KINDS.get(t.lower()) for t in source.organization_types]
    kind = next((k for k in kinds if k), "other")
    return donor_for_fts(organization_id=int(source.id), name=source.name, kind=kind)


def _record(
    flow: FtsFlow, saved: Contribution | None, lookups: _Lookups, *, plan=None, actor=None
) -> str:
    if plan is None:
        plan, years = _plan_of(flow, lookups)
    else:  # chosen by an officer: the usage year must still be one of its years
        years = flow.usage_years or [plan.start_year]
    if len(years) > 1:
        raise Unmatched(
            _("it is for %(years)s without child flows per year.")
            % {"years": ", ".join(map(str, years))}
        )
    code = (flow.original_currency or "USD").upper()
    currency = lookups.currency(code)
    if currency is None:
        raise Unmatched(_("%(code)s is not an ISO 4217 currency.") % {"code": code})
    amount = flow.original_amount if flow.original_amount is not None else flow.amount_usd
    rate = flow.exchange_rate if code != "USD" else None
    date = flow.date or datetime.date(years[0], 1, 1)
    intervention = _intervention_of(flow, plan, lookups)
    contribution_record(
        contribution=saved,
        actor=actor,
        donor=_donor_of(flow),
        plan=plan,
        objective=intervention.objective if intervention else None,
        intervention=intervention,
        amount=amount,
        currency=currency,
        status=STATUSES[flow.status],
        contributed_on=date,
        reference=(flow.ref_code or f"FTS-{flow.id}")[:120],
        units_per_usd=rate,
        years=[(years[0], None)],
        published_usd=flow.amount_usd.quantize(Decimal("0.01")),
        fts=(flow.id, flow.version_id),
    )
    return NEW if saved is None else UPDATED


def _import_flow(
    flow: FtsFlow, saved: Contribution | None, report: FtsReport, lookups: _Lookups
) -> str | None:
    if flow.child_ids:  # split per usage year: its children count, it does not
        report.split += 1
        if saved is not None:
            contribution_delete(contribution=saved)
            return REMOVED
        return None
    status = STATUSES[flow.status]
    report.usd[status] = report.usd.get(status, ZERO) + flow.amount_usd
    if saved is not None and (saved.fts_version_id or 0) >= flow.version_id:
        return UNCHANGED
    return _record(flow, saved, lookups)


def _ours(flow: FtsFlow, organization_id: str) -> bool:
    return any(o.id == organization_id for o in flow.objects("destination", "Organization"))


def _keep_unmatched(flow: FtsFlow, reason: str) -> None:
    location = ", ".join(o.name for o in flow.objects("destination", "Location"))
    donor = ", ".join(o.name for o in flow.objects("source", "Organization"))
    FtsUnmatchedFlow.objects.update_or_create(
        flow_id=flow.id,
        defaults={
            "version_id": flow.version_id,
            "donor": donor[:200],
            "location": location[:200],
            "usage_years": ", ".join(map(str, flow.usage_years))[:100],
            "status": STATUSES[flow.status],
            "amount_usd": flow.amount_usd.quantize(Decimal("0.01")),
            "reason": reason[:300],
            "flow": flow.raw,
        },
    )


@transaction.atomic
def fts_flow_assign(*, unmatched: FtsUnmatchedFlow, plan: Plan, actor) -> Contribution:
    """Record an unmatched flow onto the plan a funding officer chose, by the import's other
    rules (its usage year must be one of the plan's); it then leaves the unmatched list."""
    flow = fts_flow_parse(unmatched.flow)
    try:
        saved = Contribution.objects.filter(fts_flow_id=flow.id).first()
        _record(flow, saved, _Lookups(), plan=plan, actor=actor)
    except Unmatched as reason:
        raise ValidationError(str(reason)) from None
    unmatched.delete()
    return Contribution.objects.get(fts_flow_id=flow.id)


def fts_import_run(*, run: FtsImportRun) -> FtsImportRun:
    """Run an import uploaded in the admin (the Celery task's work): its pages are read and
    imported, and its report replaces them."""
    try:
        flows = fts_pages_read([(name, text.encode()) for name, text in run.pages])
        report = fts_import(flows=flows, dry_run=run.dry_run)
    except ValidationError as error:
        run.status, run.report = FtsImportRun.Status.FAILED, " ".join(error_messages(error))
    else:
        lines = [report.summary()]
        lines += [
            _("Unmatched flow %(id)s (%(usd)s USD): %(reason)s")
            % {"id": flow.id, "usd": f"{flow.amount_usd:,.0f}", "reason": reason}
            for flow, reason in report.unmatched
        ]
        run.status, run.report = FtsImportRun.Status.DONE, "\n".join(lines)
    run.pages, run.finished_at = [], timezone.now()
    run.save()
    return run


def fts_import(
    *,
    flows: Iterable[FtsFlow],
    dry_run: bool = False,
    progress: Callable[[int], object] | None = None,
) -> FtsReport:
    """Import FTS flows (funding.imports.fts): see the module's rules. One transaction, a
    savepoint per flow; a dry run rolls everything back and reports the same."""
    report = FtsReport(dry_run=dry_run)
    ours = str(settings.FTS_ORGANIZATION_ID)
    flows = list(flows)
    saved = {
        c.fts_flow_id: c for c in Contribution.objects.filter(fts_flow_id__in=[f.id for f in flows])
    }
    lookups = _Lookups()
    with transaction.atomic():
        for flow in flows:
            if not _ours(flow, ours):
                report.not_ours += 1
            else:
                try:
                    with transaction.atomic():
                        action = _import_flow(flow, saved.get(flow.id), report, lookups)
                except Unmatched as unmatched:
                    action = None
                    report.unmatched.append((flow, str(unmatched)))
                    _keep_unmatched(flow, str(unmatched))
                except ValidationError as error:  # refused by the services: their words
                    action = None
                    words = " ".join(error_messages(error))
                    report.unmatched.append((flow, words))
                    _keep_unmatched(flow, words)
                else:
                    FtsUnmatchedFlow.objects.filter(flow_id=flow.id).delete()
                if action:
                    report.counts[action] = report.count(action) + 1
            if progress is not None:
                progress(1)
        if dry_run:
            transaction.set_rollback(True)
    return report
