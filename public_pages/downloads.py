"""CSV and XLSX downloads of the tables a public page shows.

Money is written as plain numbers with cents (1075000.00), never formatted, so spreadsheets can
add it up; an unknown figure ("not yet costed") is an empty cell, never 0. Text cells are
neutralised against formulas (crp_portal.spreadsheets); in XLSX they are always strings, and
money is written as its exact decimal digits, never through a binary float.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse

from crp_portal.spreadsheets import neutralise

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv_cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return value
    return neutralise(str(value))


Sheet = tuple[str, Sequence[str], Iterable[Sequence]]  # title, headers, rows


def table_response(
    *,
    filename: str,
    fmt: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    more_sheets: Sequence[Sheet] = (),
) -> HttpResponse:
    """A download of one table as `<filename>.csv` or `<filename>.xlsx`; an XLSX file also
    carries `more_sheets` (a CSV holds one table: those have their own downloads)."""
    if fmt == "xlsx":
        response = HttpResponse(
            _xlsx([(filename, headers, rows), *more_sheets]), content_type=XLSX_TYPE
        )
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([_csv_cell(h) for h in headers])
        writer.writerows([_csv_cell(v) for v in row] for row in rows)
        # A byte-order mark lets spreadsheet programs read the UTF-8 (en dashes, accents).
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _xlsx(sheets: Sequence[Sheet]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for n, (title, headers, rows) in enumerate(sheets):
        sheet = workbook.active if n == 0 else workbook.create_sheet()
        sheet.title = title[:31]
        _fill(sheet, headers, rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fill(sheet, headers: Sequence[str], rows: Iterable[Sequence]) -> None:
    for r, row in enumerate([headers, *rows], start=1):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, Decimal):
                cell.value = value
                # openpyxl writes numbers through "%.16g" of a float (596934.18 becomes
                # 596934.1800000001); the cell's text is the decimal's own digits instead.
                cell._value = format(value, "f")
                cell.number_format = "0.00"
            elif isinstance(value, int | float) and not isinstance(value, bool):
                cell.value = value
            else:
                # Assigned text beginning with "=" would become a formula: always a string.
                cell.value = neutralise(str(value))
                cell.data_type = "s"
