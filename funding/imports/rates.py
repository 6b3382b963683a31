"""Rate files as central banks publish them, read into RateRows (units of currency per USD).

- "ecb": the ECB's euro reference rates (eurofxref-hist.csv, or the daily eurofxref.csv):
  `Date,USD,JPY,...`, units of each currency per EUR, "N/A" where none was fixed that day.
  Units per USD = units per EUR ÷ USD per EUR; EUR itself = 1 ÷ USD per EUR; both rounded
  half-up to the 8 decimals a rate is stored with. Columns of currencies that left ISO 4217
  (CYP, MTL, ... in the history file) are skipped and said so.
- "csv": `date,currency,units_per_usd`, one rate a line (what the IMF's and other banks' series
  become once reshaped), also as XLSX.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from crp_portal.tables import Table, cell_number, table_check_headers, table_read
from funding import services
from funding.models import Currency
from funding.services.rates import RATE_PLACES, RateRow, RatesReport

FORMATS = ("ecb", "csv")
NOT_FIXED = {"", "N/A", "NA", "-"}


def _date(text: str) -> datetime.date:
    for shape in ("%Y-%m-%d", "%d %B %Y"):  # the history file; the daily file ("02 December 2026")
        try:
            return datetime.datetime.strptime(text, shape).date()  # noqa: DTZ007 (a date only)
        except ValueError:
            continue
    raise ValidationError(_("“%(text)s” is not a date (YYYY-MM-DD).") % {"text": text})


def _decimal(text: str, *, column: str) -> Decimal:
    value = cell_number(text, name=column)
    if value <= 0:
        raise ValidationError(_("%(column)s: give a rate above 0.") % {"column": column})
    return value


def _per_usd(units_per_eur: Decimal, usd_per_eur: Decimal) -> Decimal:
    return (units_per_eur / usd_per_eur).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def _ecb_rows(table: Table, report: RatesReport) -> list[RateRow]:
    if not table.headers or table.headers[0] != "date" or "usd" not in table.headers:
        raise ValidationError(
            {"file": _("This is not an ECB reference-rate file: its header must be Date,USD,...")}
        )
    codes = [h.upper() for h in table.headers[1:]]
    known = set(Currency.objects.filter(code__in=codes).values_list("pk", flat=True))
    skipped = sorted(set(codes) - known)
    if skipped:
        report.notes.append(
            _("Skipped columns of currencies no longer in ISO 4217: %(codes)s.")
            % {"codes": ", ".join(skipped)}
        )
    rows = []
    for number, cells in table.rows:
        try:
            on = _date(cells.get("date", ""))
            usd_per_eur = _decimal(cells.get("usd", ""), column="USD")
        except ValidationError as error:
            report.errors.extend((number, message) for message in error.messages)
            continue

        rows.append(RateRow(number, "EUR", on, _per_usd(Decimal(1), usd_per_eur)))
        for code in codes:
            text = cells.get(code.lower(), "")
            if code == "USD" or code not in known or text.upper() in NOT_FIXED:
                continue
            try:
                rows.append(
                    RateRow(number, code, on, _per_usd(_decimal(text, column=code), usd_per_eur))
                )
            except ValidationError as error:
                report.errors.extend((number, message) for message in error.messages)
    return rows


def _plain_rows(table: Table, report: RatesReport) -> list[RateRow]:
    table_check_headers(table, required=("date", "currency", "units_per_usd"), optional=())
    rows = []
    for number, cells in table.rows:
        try:
            rows.append(
                RateRow(
                    number,
                    cells["currency"].upper(),
                    _date(cells["date"]),
                    _decimal(cells["units_per_usd"], column="units_per_usd"),
                )
            )
        except ValidationError as error:
            report.errors.extend((number, message) for message in error.messages)
    return rows


def rates_file_import(
    *, name: str, content: bytes, fmt: str, actor=None, dry_run: bool = False
) -> RatesReport:
    """Read a rate file and import it through funding.services.rates_import (all or nothing)."""
    if fmt not in FORMATS:
        raise ValidationError({"format": _("Choose the format: ecb or csv.")})
    report = RatesReport()
    table = table_read(name=name, content=content)
    rows = (_ecb_rows if fmt == "ecb" else _plain_rows)(table, report)
    return services.rates_import(rows=rows, actor=actor, dry_run=dry_run, report=report)
