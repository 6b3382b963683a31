"""Contributions imported from a file: every row recorded or corrected through the same services
as the admin's form and the API, in one transaction that is kept only if every row is valid."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crp_portal.tables import error_messages

from ..models import Contribution
from .contributions import contribution_check_recordable, contribution_correct, contribution_record

NEW, UPDATED, UNCHANGED, REFUSED = "new", "updated", "unchanged", "refused"
# What a file's row gives, as the services take it (model instances, resolved by the reader).
IMPORTED = ("donor", "plan", "objective", "intervention", "amount", "currency", "status",
            "contributed_on", "reference")  # fmt: skip


@dataclass
class ImportedRow:
    """One row of a file: what it asks for (or what the reader could not make of it)."""

    row: int
    reference: str
    fields: dict[str, Any] = field(default_factory=dict)
    units_per_usd: Decimal | None = None
    years: list[tuple[int, Decimal | None]] | None = None  # None: not given (contribution_years)
    errors: list[str] = field(default_factory=list)
    action: str = ""
    amount_usd: Decimal | None = None
    rate_used: Decimal | None = None


@dataclass
class ContributionsReport:
    rows: list[ImportedRow]
    dry_run: bool

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def errors(self) -> list[tuple[int, str]]:
        return [(r.row, message) for r in self.rows for message in r.errors]

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.errors

    def summary(self) -> str:
        counts = _("%(new)d new, %(updated)d updated, %(unchanged)d unchanged") % {
            "new": self.count(NEW),
            "updated": self.count(UPDATED),
            "unchanged": self.count(UNCHANGED),
        }
        if self.errors:
            refused = self.count(REFUSED)
            return ngettext(
                "%(counts)s; %(rows)d row with errors: nothing was written.",
                "%(counts)s; %(rows)d rows with errors: nothing was written.",
                refused,
            ) % {"counts": counts, "rows": refused}
        if self.dry_run:
            return _("%(counts)s (a dry run: nothing was written).") % {"counts": counts}
        return _("%(counts)s: imported.") % {"counts": counts}


def _unchanged(saved: Contribution, row: ImportedRow) -> bool:
    wanted = dict(row.fields)
    if wanted.get("intervention") is not None:
        wanted["objective"] = wanted["intervention"].objective
    same = all(getattr(saved, name) == wanted.get(name) for name in IMPORTED)
    if row.years is not None:
        given = [(y, wanted["amount"] if a is None else a) for y, a in sorted(row.years)]
        same = same and given == list(saved.years.values_list("year", "amount"))
    return same and (row.units_per_usd is None or row.units_per_usd == saved.units_per_usd)


def _import_row(row: ImportedRow, saved: Contribution | None, actor) -> None:
    if saved is None:
        done = contribution_record(
            actor=actor, units_per_usd=row.units_per_usd, years=row.years, **row.fields
        )
        row.action = NEW
    elif _unchanged(saved, row):
        contribution_check_recordable(plan=saved.plan, actor=actor) if actor else None
        done, row.action = saved, UNCHANGED  # not recorded again: no new version, no write
    else:
        changes = {k: v for k, v in row.fields.items() if k != "reference"}
        done = contribution_correct(
            contribution=saved,
            actor=actor,
            units_per_usd=row.units_per_usd,
            years=row.years,
            **changes,
        )
        row.action = UPDATED
    row.amount_usd, row.rate_used = done.amount_usd, done.units_per_usd


def contributions_import(
    *,
    rows: Iterable[ImportedRow],
    actor=None,
    dry_run: bool = False,
    progress: Callable[[int], object] | None = None,
) -> ContributionsReport:
    """Record or correct each row by its `reference` (a new reference is recorded, a known one
    corrected, an unchanged one left alone), all in one transaction: kept only when every row is
    valid and this is not a dry run. Each row's errors are the services' own words. Idempotent:
    importing the same file again changes nothing."""
    report = ContributionsReport(rows=list(rows), dry_run=dry_run)
    references = [r.reference for r in report.rows if r.reference]
    saved_by_reference: dict[str, list[Contribution]] = {}
    for saved in Contribution.objects.filter(reference__in=references).select_related(
        "plan", "objective", "intervention__objective"
    ):
        saved_by_reference.setdefault(saved.reference, []).append(saved)
    first_row: dict[str, int] = {}
    with transaction.atomic():
        for row in report.rows:
            if row.reference in first_row:
                row.errors.append(
                    _("reference: %(ref)s is also on row %(row)d; give each contribution once.")
                    % {"ref": row.reference, "row": first_row[row.reference]}
                )
            first_row.setdefault(row.reference, row.row)
            matches = saved_by_reference.get(row.reference, [])
            if len(matches) > 1:
                row.errors.append(
                    _(
                        "reference: %(count)d recorded contributions have this reference; correct "
                        "them one by one in the admin."
                    )
                    % {"count": len(matches)}
                )
            if not row.errors:
                try:
                    with transaction.atomic():  # a savepoint: one refused row undoes only itself
                        _import_row(row, matches[0] if matches else None, actor)
                except (ValidationError, PermissionDenied) as error:
                    row.errors.extend(
                        error_messages(error)
                        if isinstance(error, ValidationError)
                        else [str(error)]
                    )
            if row.errors:
                row.action = REFUSED
            if progress is not None:
                progress(1)
        if report.errors or dry_run:
            transaction.set_rollback(True)  # nothing of the file is kept (and no rollup queued)
    return report
