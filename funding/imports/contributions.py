"""A contributions file (CSV or XLSX) read into rows for funding.services.contributions_import.

Columns: reference, donor (its name), plan (its slug), amount (original currency), currency
(ISO 4217), status (pledged, committed, paid), contributed_on (YYYY-MM-DD); optional: objective
(the strategic objective's number within the plan), intervention (its id), units_per_usd (the
rate the agreement fixed, for officers who may set rates), years (the year(s) of the plan it is
for: "2021", or "2020: 20000; 2021: 30000" in its currency; empty: the year of its date, or the
years recorded). Each cell's problem is its row's error.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from crp_portal.tables import cell_number, table_check_headers, table_read
from funding.models import Contribution, Currency, Donor
from funding.services.contribution_imports import (
    ContributionsReport,
    ImportedRow,
    contributions_import,
)
from funding.services.contribution_years import years_parse
from interventions.models import Intervention
from objectives.models import Objective
from plans.models import Plan

REQUIRED = ("reference", "donor", "plan", "amount", "currency", "status", "contributed_on")
OPTIONAL = ("objective", "intervention", "units_per_usd", "years")
STATUSES = {
    **{value: value for value in Contribution.Status.values},
    **{str(label).lower(): value for value, label in Contribution.Status.choices},
}


class _Catalog:
    """The rows a file names, read once for the whole file (a query per kind, not per row)."""

    def __init__(self, rows: list[dict[str, str]]):
        def names(column):
            return {r.get(column, "") for r in rows} - {""}

        self.donors = {d.name: d for d in Donor.objects.filter(name__in=names("donor"))}
        self.plans = {p.slug: p for p in Plan.objects.filter(slug__in=names("plan"))}
        self.currencies = {
            c.code: c
            for c in Currency.objects.filter(code__in={n.upper() for n in names("currency")})
        }
        self.objectives = {
            (o.plan_id, o.strategic_objective.number): o
            for o in Objective.objects.filter(plan__in=self.plans.values()).select_related(
                "strategic_objective"
            )
        }
        ids = {int(n) for n in names("intervention") if n.isdigit()}
        self.interventions = {
            i.pk: i for i in Intervention.objects.filter(pk__in=ids).select_related("objective")
        }


def _row_fields(cells: dict[str, str], catalog: _Catalog, row: ImportedRow) -> None:
    def refuse(message: str) -> None:
        row.errors.append(message)

    fields = row.fields
    for name in REQUIRED:
        if not cells.get(name):
            refuse(_("%(name)s: this column is empty.") % {"name": name})
    if row.errors:
        return
    fields["reference"] = cells["reference"]
    fields["donor"] = catalog.donors.get(cells["donor"])
    if fields["donor"] is None:
        refuse(_("donor: no donor named “%(name)s”; add it first.") % {"name": cells["donor"]})
    fields["plan"] = plan = catalog.plans.get(cells["plan"])
    if plan is None:
        refuse(_("plan: no plan with slug “%(slug)s”.") % {"slug": cells["plan"]})
    fields["currency"] = catalog.currencies.get(cells["currency"].upper())
    if fields["currency"] is None:
        refuse(_("currency: “%(code)s” is not an ISO 4217 code.") % {"code": cells["currency"]})
    fields["status"] = STATUSES.get(cells["status"].lower())
    if fields["status"] is None:
        refuse(_("status: give pledged, committed or paid."))
    try:
        fields["contributed_on"] = datetime.date.fromisoformat(cells["contributed_on"])
    except ValueError:
        refuse(_("contributed_on: give a date as YYYY-MM-DD."))
    for name, parse in (("amount", fields), ("units_per_usd", None)):
        if cells.get(name):
            try:
                value = cell_number(cells[name], name=name)
            except ValidationError as error:
                row.errors.extend(error.messages)
                continue
            if parse is None:
                row.units_per_usd = value
            else:
                fields[name] = value
    try:
        row.years = years_parse(cells.get("years", ""))
    except ValidationError as error:
        row.errors.extend(f"years: {message}" for message in error.messages)
    fields["objective"] = fields["intervention"] = None
    if cells.get("objective") and plan is not None:
        number = cells["objective"]
        fields["objective"] = catalog.objectives.get(
            (plan.pk, int(number) if number.isdigit() else 0)
        )
        if fields["objective"] is None:
            refuse(_("objective: this plan has no objective %(n)s.") % {"n": number})
    if cells.get("intervention"):
        fields["intervention"] = catalog.interventions.get(
            int(cells["intervention"]) if cells["intervention"].isdigit() else 0
        )
        if fields["intervention"] is None:
            refuse(
                _("intervention: no intervention with id %(id)s.") % {"id": cells["intervention"]}
            )


def contributions_file_read(*, name: str, content: bytes) -> list[ImportedRow]:
    table = table_read(name=name, content=content)
    table_check_headers(table, required=REQUIRED, optional=OPTIONAL)
    catalog = _Catalog([cells for _number, cells in table.rows])
    rows = []
    for number, cells in table.rows:
        row = ImportedRow(row=number, reference=cells.get("reference", ""))
        _row_fields(cells, catalog, row)
        rows.append(row)
    return rows


def contributions_file_import(
    *,
    name: str,
    content: bytes,
    actor=None,
    dry_run: bool = False,
    progress: Callable[[int], object] | None = None,
) -> ContributionsReport:
    """Read a file and import it (all rows or none; see contributions_import)."""
    rows = contributions_file_read(name=name, content=content)
    return contributions_import(rows=rows, actor=actor, dry_run=dry_run, progress=progress)
