"""CSV and XLSX downloads of the tables a public page shows.

Money is written as plain numbers with cents (1075000.00), never formatted, so spreadsheets can
add it up; an unknown figure ("not yet costed") is an empty cell, never 0.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_response(
    *, filename: str, fmt: str, headers: Sequence[str], rows: Iterable[Sequence]
) -> HttpResponse:
    """A download of one table as `<filename>.csv` or `<filename>.xlsx`."""
    rows = [["" if value is None else value for value in row] for row in rows]
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        sheet.title = filename[:31]
        sheet.append([str(h) for h in headers])
        for row in rows:
            sheet.append(
                [v if isinstance(v, int | float) or _is_decimal(v) else str(v) for v in row]
            )
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([str(h) for h in headers])
        writer.writerows(rows)
        # A byte-order mark lets spreadsheet programs read the UTF-8 (en dashes, accents).
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _is_decimal(value) -> bool:
    from decimal import Decimal

    return isinstance(value, Decimal)
