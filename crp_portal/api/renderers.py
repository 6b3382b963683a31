"""Renderers (orjson JSON, CSV, HXL) and the streamed flat exports of every list."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
from rest_framework import renderers
from rest_framework.utils import encoders

from ..spreadsheets import neutralise
from .fields import rollup_of

EXPORT_CHUNK = 2000
EXPORT_FORMATS = ("csv", "hxl")


@dataclass(frozen=True)
class Column:
    """One column of a flat export: header, HXL hashtag, and how to read it from a row."""

    header: str
    hxl: str
    get: Callable[[Any], Any]


def _cell(value: Any) -> str:
    """A CSV cell: numbers and dates as text, text neutralised (crp_portal.spreadsheets)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, int | float):
        return str(value)  # bool is an int: True / False
    return neutralise(str(value))


def figure(relation: str, name: str) -> Callable[[Any], Any]:
    def get(obj):
        row = rollup_of(obj, relation) if relation else obj
        return None if row is None else getattr(row, name)

    return get


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_rows(columns: list[Column], rows: Iterable[Any], *, hxl: bool) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # Headers too: a flattened answer's come from its keys, which may echo a client's input.
    yield writer.writerow([neutralise(c.header) for c in columns])
    if hxl:
        yield writer.writerow([c.hxl for c in columns])
    for row in rows:
        yield writer.writerow([_cell(c.get(row)) for c in columns])


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict):
        flat: dict[str, Any] = {}
        for key, value in data.items():
            flat.update(_flatten(value, f"{prefix}{key}."))
        return flat
    if isinstance(data, list):
        if all(not isinstance(v, dict | list) for v in data):
            return {prefix[:-1]: "; ".join(_cell(v) for v in data)}
        return {prefix[:-1]: f"{len(data)} items"}
    return {prefix[:-1]: data}


class JSONRenderer(renderers.JSONRenderer):
    """DRF's compact JSON, encoded by orjson: the same bytes at a fraction of the time (about
    1.5 ms of a 100-intervention plan's 20 ms, bench/api.py). Dates and anything orjson does not
    know go through DRF's encoder, so the text is DRF's (e.g. datetimes with a trailing Z)."""

    _fallback = encoders.JSONEncoder()
    _options = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS  # {0: …}: list errors

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        text = orjson.dumps(data, default=self._fallback.default, option=self._options)
        # As DRF: line and paragraph separators escaped, for JavaScript that evals JSON.
        return text.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")


class CSVRenderer(renderers.BaseRenderer):
    """CSV of a response that is not a streamed list export (a detail, an error): flattened."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    hxl = False

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if data is None:
            return b""
        rows = data.get("results", [data]) if isinstance(data, dict) else data
        flat = [_flatten(r) for r in rows] if isinstance(rows, list) else [_flatten(rows)]
        headers: list[str] = []
        for row in flat:
            headers += [h for h in row if h not in headers]
        columns = [Column(h, "", lambda r, h=h: r.get(h)) for h in headers]
        return "".join(export_rows(columns, flat, hxl=False)).encode()


class HXLRenderer(CSVRenderer):
    media_type = "text/csv"
    format = "hxl"
