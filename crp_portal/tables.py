"""A CSV or XLSX file as numbered rows of named cells (row numbers as a spreadsheet shows them)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import openpyxl
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number in the file, {header: text})


def _text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and callable(value.date):  # a spreadsheet date cell
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(lines: list[list]) -> Table:
    if not lines:
        raise ValidationError({"file": _("The file is empty.")})
    headers = [_text(cell).lower() for cell in lines[0]]
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        cells = [_text(cell) for cell in line]
        if not any(cells):
            continue  # blank lines, as spreadsheets leave them
        rows.append((number, {h: v for h, v in zip(headers, cells, strict=False) if h}))
    return Table(headers=[h for h in headers if h], rows=rows)


def table_read(*, name: str, content: bytes) -> Table:
    """Read `content` as XLSX when `name` ends in .xlsx, else as CSV (UTF-8, comma-separated)."""
    if name.lower().endswith(".xlsx"):
        try:
            book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a file that is not XLSX
            raise ValidationError({"file": _("This is not a readable XLSX file.")}) from error
        sheet = book.worksheets[0]
        return _table([list(line) for line in sheet.iter_rows(values_only=True)])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError({"file": _("Save the CSV file as UTF-8.")}) from error
    return _table(list(csv.reader(io.StringIO(text))))


def table_check_headers(table: Table, *, required: tuple[str, ...], optional: tuple[str, ...]):
    """Refuse a file whose header lacks a required column or has one nobody reads."""
    missing = [h for h in required if h not in table.headers]
    unknown = [h for h in table.headers if h not in required and h not in optional]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(names)s") % {"names": ", ".join(unknown)})
        raise ValidationError(
            {
                "file": _("The header row does not fit (%(parts)s). Expected columns: %(all)s.")
                % {"parts": "; ".join(parts), "all": ", ".join((*required, *optional))}
            }
        )


def cell_number(text: str, *, name: str) -> Decimal:
    """A cell's number (thousands commas allowed), refused in words naming its column."""
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation as error:
        raise ValidationError(
            _("%(name)s: “%(text)s” is not a number.") % {"name": name, "text": text}
        ) from error
    if not value.is_finite():
        raise ValidationError(_("%(name)s: give a number.") % {"name": name})
    return value


def error_messages(error: ValidationError) -> list[str]:
    """A ValidationError in words, each prefixed with the field it names ("amount: ...")."""
    if hasattr(error, "error_dict"):
        return [
            message if name == "__all__" else f"{name}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return list(error.messages)
