"""Context indicators from a CSV or XLSX file of country, indicator, year, value (issue #15,
item 2): `manage.py import_indicators FILE --user NAME`. Each row goes to the plans of its
country whose period covers its year; every plan's indicators are written once, through
plans.services.indicators_replace (so as the user: an editor of the country, never an archived
plan), and the whole file is kept or none of it.

A row that reaches no plan is listed, never dropped silently; a plan that already states the
indicator for a later year keeps it (a file of older editions does not turn a plan back).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from crp_portal.tables import Table, cell_number, error_messages, table_check_headers, table_read

from .indicators import FRAGILITY, HDI_RANK, indicator_clean
from .models import MAX_YEAR, MIN_YEAR, ContextIndicator, Country, Plan
from .services import INDICATOR_FIELDS, indicators_replace

REQUIRED = ("country", "indicator", "year", "value")
OPTIONAL = ("of", "label", "source", "source_url")
# What a file may call each kind, besides its code: its name, and short forms.
KIND_NAMES = {
    **{kind.value: kind.value for kind in ContextIndicator.Kind},
    **{str(kind.label).lower(): kind.value for kind in ContextIndicator.Kind},
    "inform risk index": ContextIndicator.Kind.INFORM_RISK,
    "inform severity index": ContextIndicator.Kind.INFORM_SEVERITY,
    "hdi": ContextIndicator.Kind.HDI_RANK,
    "hdi rank": ContextIndicator.Kind.HDI_RANK,
    "state of fragility": ContextIndicator.Kind.FRAGILITY,
    "states of fragility": ContextIndicator.Kind.FRAGILITY,
}
RANK_OF = re.compile(r"^\s*(\d+)\s*(?:of|/)\s*(\d+)\s*$", re.IGNORECASE)


@dataclass
class IndicatorRow:
    row: int
    country: Country | None = None
    kind: str = ""
    values: dict = field(default_factory=dict)  # year, value, of_total, label, source, source_url
    errors: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)  # slugs of the plans it was written to
    notes: list[str] = field(default_factory=list)  # why it reached fewer plans, or none


@dataclass
class IndicatorsReport:
    rows: list[IndicatorRow]
    dry_run: bool = False

    @property
    def errors(self) -> list[tuple[int, str]]:
        return [(r.row, message) for r in self.rows for message in r.errors]

    @property
    def unmatched(self) -> list[IndicatorRow]:
        return [r for r in self.rows if not r.errors and not r.plans]

    def summary(self) -> str:
        plans = {slug for r in self.rows for slug in r.plans}
        done = _("would be written") if self.dry_run else _("written")
        return _(
            "%(rows)d rows: %(applied)d %(done)s to %(plans)d plans, %(unmatched)d reached no "
            "plan, %(errors)d refused."
        ) % {
            "rows": len(self.rows),
            "applied": sum(1 for r in self.rows if r.plans),
            "done": done,
            "plans": len(plans),
            "unmatched": len(self.unmatched),
            "errors": sum(1 for r in self.rows if r.errors),
        }


def _country(text: str, countries: dict[str, Country]) -> Country:
    found = countries.get(text.strip().upper()) or countries.get(text.strip().lower())
    if found is None:
        raise ValidationError(
            _("country: “%(text)s” is neither an ISO 3166 alpha-3 code nor a country's name.")
            % {"text": text}
        )
    return found


def _read_row(number: int, cells: dict[str, str], countries: dict[str, Country]) -> IndicatorRow:
    row = IndicatorRow(row=number)
    try:
        row.country = _country(cells["country"], countries)
    except ValidationError as error:
        row.errors += error.messages
    name = " ".join(cells["indicator"].replace("_", " ").replace("-", " ").split()).lower()
    row.kind = KIND_NAMES.get(name) or KIND_NAMES.get(name.replace(" ", "_"), "")
    if not row.kind:
        choices = ", ".join(str(kind.label) for kind in ContextIndicator.Kind)
        row.errors.append(
            _("indicator: “%(text)s” is not one of %(choices)s.")
            % {"text": cells["indicator"], "choices": choices}
        )
    values = {
        "label": cells.get("label", ""),
        "source": cells.get("source", ""),
        "source_url": cells.get("source_url", ""),
        "value": None,
        "of_total": None,
    }
    year = cells["year"]
    if not year.isdigit() or not MIN_YEAR <= int(year) <= MAX_YEAR:
        row.errors.append(
            _("year: give a year from %(min)d to %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR}
        )
    else:
        values["year"] = int(year)
    value, of_total = cells["value"], cells.get("of", "")
    try:
        if row.kind == FRAGILITY:  # a label: "Extremely fragile"
            values["label"] = values["label"] or value
        elif row.kind == HDI_RANK and RANK_OF.match(value):  # "193 of 193"
            rank, total = RANK_OF.match(value).groups()
            values["value"], values["of_total"] = Decimal(rank), int(total)
        elif value:
            values["value"] = cell_number(value, name="value")
        if of_total:
            values["of_total"] = int(cell_number(of_total, name="of"))
    except ValidationError as error:
        row.errors += error.messages
    row.values = values
    return row


def indicators_file_read(*, name: str, content: bytes) -> list[IndicatorRow]:
    """The file's rows, each with its own errors in words (a header that does not fit, or a
    file that cannot be read, is one ValidationError)."""
    table: Table = table_read(name=name, content=content)
    table_check_headers(table, required=REQUIRED, optional=OPTIONAL)
    countries: dict[str, Country] = {}
    for country in Country.objects.all():
        countries[country.iso3] = country
        countries[country.name.lower()] = country
    return [_read_row(number, cells, countries) for number, cells in table.rows]


def _plans_of(country: Country, year: int) -> list[Plan]:
    """The single-country plans of the country that cover the year, newest first. A regional
    plan takes its indicators in the admin: a file's row is one country's. (Counted before the
    country is filtered: filtered first, the count would see only that country's link, and a
    regional plan would count one.)"""
    return list(
        Plan.objects.annotate(country_count=Count("countries", distinct=True))
        .filter(country_count=1, countries=country)
        .covering_year(year)
        .order_by("-start_year", "slug")
    )


def _stated(plan: Plan) -> dict[str, dict]:
    return {
        i["kind"]: i
        for i in ContextIndicator.objects.filter(plan=plan).values("kind", *INDICATOR_FIELDS)
    }


def _completed(values: dict) -> dict:
    """The values as the plan would store them (the INFORM label and the source filled in),
    so that a file stating what a plan states is seen to change nothing."""
    probe = ContextIndicator(**values)
    try:
        indicator_clean(probe)
    except ValidationError:
        return values  # indicators_replace refuses it, in its words
    return {**values, "label": probe.label, "source": probe.source}


def _write_plans(rows: list[IndicatorRow], actor, progress: Callable[[int], object]) -> None:
    """Each plan's indicators once: what it states, with the file's rows for it over them."""
    by_plan: dict[int, tuple[Plan, dict[str, IndicatorRow]]] = {}
    plans_of: dict[tuple[int, int], list[Plan]] = {}
    for row in rows:
        progress(1)  # rows are read one by one; the writes after are one per plan
        where = (row.country.pk, row.values["year"])
        if where not in plans_of:  # one query per country and year, not per row
            plans_of[where] = _plans_of(row.country, row.values["year"])
        plans = plans_of[where]
        if not plans:
            row.notes.append(
                _("No plan of %(country)s covers %(year)s.")
                % {"country": row.country.name, "year": row.values["year"]}
            )
        for plan in plans:
            if plan.status == Plan.Status.ARCHIVED:
                row.notes.append(_("%(plan)s is archived: kept as published.") % {"plan": plan})
                continue
            _plan, kinds = by_plan.setdefault(plan.pk, (plan, {}))
            kinds[row.kind] = row  # a later row of the same plan and kind wins
    for plan, kinds in by_plan.values():
        stated = _stated(plan)
        changed = False
        for kind, row in kinds.items():
            before = stated.get(kind)
            if before and before["year"] > row.values["year"]:
                row.notes.append(
                    _("%(plan)s keeps its %(year)s figure.")
                    % {"plan": plan, "year": before["year"]}
                )
                continue
            new = _completed({"kind": kind, **row.values})
            changed |= before is None or any(before[n] != new[n] for n in INDICATOR_FIELDS)
            stated[kind] = new
            row.plans.append(plan.slug)
        if not changed:
            continue  # the file says what the plan says: no new version
        try:
            with transaction.atomic():
                indicators_replace(plan=plan, rows=list(stated.values()), actor=actor)
        except (ValidationError, PermissionDenied) as error:
            words = error_messages(error) if isinstance(error, ValidationError) else [str(error)]
            for row in kinds.values():
                if plan.slug in row.plans:
                    row.plans.remove(plan.slug)
                    row.errors += [f"{plan.slug}: {message}" for message in words]


def indicators_import(
    *,
    rows: Iterable[IndicatorRow],
    actor,
    dry_run: bool = False,
    progress: Callable[[int], object] | None = None,
) -> IndicatorsReport:
    """Write the rows' indicators to their plans, all in one transaction, kept only when no
    row is refused and this is not a dry run (which reports the same). Idempotent: the same
    file again writes nothing."""
    report = IndicatorsReport(rows=list(rows), dry_run=dry_run)
    advance = progress or (lambda _count: None)
    valid = [r for r in report.rows if not r.errors]
    advance(len(report.rows) - len(valid))
    with transaction.atomic():
        _write_plans(valid, actor, advance)
        if report.errors or dry_run:
            transaction.set_rollback(True)
    return report
