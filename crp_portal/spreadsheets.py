"""Cells of the CSV, HXL and XLSX exports that a spreadsheet can never run as a formula.

OWASP's advice against CSV injection (https://owasp.org/www-community/attacks/CSV_Injection):
a text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula
(`=cmd|' /C calc'!A0`, `=HYPERLINK(…)`), so such a cell is written with a leading single quote,
which spreadsheet programs read as "this is text". Only text is touched: money and counts are
written as numbers, so a negative figure stays a number; a text that is just a plain number
(e.g. "-250.00", money in a flattened JSON answer) is no formula and stays as it is.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def neutralise(text: str) -> str:
    """`text` as a cell no spreadsheet runs: prefixed with ' when it could start a formula."""
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text
