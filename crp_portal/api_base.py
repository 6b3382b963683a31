"""Partner API base classes shared by every app's `api/` package (STYLE §5).

Pagination with a hard cap, stable ordering, throttles read from settings, CSV and HXL exports
streamed over every matching row, conditional GET (ETag / Last-Modified → 304), and the
serializer fields for money and countries. The v1 router lives in crp_portal/api.py.
"""

from __future__ import annotations

import csv
import datetime
import functools
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator as DjangoPaginator
from django.db.models import Count, Max
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import exceptions, pagination, permissions, renderers, serializers
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.utils import encoders

from . import pagecache
from .api_concurrency import etag as etag_of

MAX_PAGE_SIZE = 500
EXPORT_CHUNK = 2000
EXPORT_FORMATS = ("csv", "hxl")

# --- Permissions and throttles ------------------------------------------------------------


class ReadOrAuthenticatedWrite(permissions.BasePermission):
    """Anyone reads (what visible_to() lets them see); writes need a login and then pass the
    permission check inside the service they call."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)


class _FixedWindowThrottle(BaseThrottle):
    """At most N requests per window and client: one atomic counter (INCR) in the shared cache.

    DRF's SimpleRateThrottle keeps every request's timestamp in one cache value, re-read and
    re-written whole on each request: at partner rates that list grows to thousands of entries.
    Rates are read from settings per request, so deploys and tests can change them.
    """

    scope = ""

    def get_client(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        rate = settings.API_THROTTLE_RATES.get(self.scope)
        client = self.get_client(request)
        if not rate or client is None:
            return True
        limit, period = _parse_rate(rate)
        now = time.time()
        key = throttle_key(self.scope, client, now, period)
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=period + 1)
            count = 1
        self._wait = period - (now % period)
        return count <= limit

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)


def _parse_rate(rate: str) -> tuple[int, int]:
    count, period = rate.split("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def throttle_key(scope: str, client: str, now: float, period: int) -> str:
    return f"throttle:{scope}:{client}:{int(now // period)}"


class AnonThrottle(_FixedWindowThrottle):
    """Anonymous clients, by IP address (API_NUM_PROXIES says how many proxies to trust)."""

    scope = "anon"

    def get_client(self, request) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        return self.get_ident(request)


class PartnerThrottle(_FixedWindowThrottle):
    """Authenticated clients (API token or session), by account: a higher limit."""

    scope = "partner"

    def get_client(self, request) -> str | None:
        if request.user and request.user.is_authenticated:
            return str(request.user.pk)
        return None


# --- Pagination and ordering ---------------------------------------------------------------


class _CountedPaginator(DjangoPaginator):
    """A paginator told the row count, which the list view got in its one aggregate query."""

    def __init__(self, *args, known_count: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if known_count is not None:
            self.__dict__["count"] = known_count  # fills the cached_property


class CappedPageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M`, M at most 500: asking for more is a 400, never a silent clamp."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        known = getattr(view, "_known_count", None)
        self.django_paginator_class = functools.partial(_CountedPaginator, known_count=known)
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise exceptions.ValidationError(
                {
                    "page_size": [
                        _("page_size must be a whole number from 1 to %(max)d.")
                        % {"max": MAX_PAGE_SIZE}
                    ]
                }
            )
        return size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
        return parameters


class StableOrderingFilter(OrderingFilter):
    """`?ordering=` over the view's `ordering_fields`; unknown fields are a 400, and a unique
    tiebreaker always ends the order so that pages never overlap or skip rows."""

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [param.strip() for param in params.split(",") if param.strip()]
            valid = self.get_valid_fields(queryset, view, {"request": request})
            names = {name for name, _label in valid}
            unknown = [f for f in fields if f.lstrip("-") not in names]
            if unknown or not fields:
                raise exceptions.ValidationError(
                    {
                        self.ordering_param: [
                            _("Unknown ordering %(bad)s; use one of: %(ok)s.")
                            % {"bad": ", ".join(unknown) or "''", "ok": ", ".join(sorted(names))}
                        ]
                    }
                )
            ordering = fields
        else:
            ordering = list(self.get_default_ordering(view) or queryset.query.order_by or [])
            if not ordering:
                ordering = list(queryset.model._meta.ordering)
        tiebreaker = getattr(view, "ordering_tiebreaker", "pk")
        if tiebreaker.lstrip("-") not in {f.lstrip("-") for f in ordering}:
            ordering.append(tiebreaker)
        return ordering

    def filter_queryset(self, request, queryset, view):
        return queryset.order_by(*self.get_ordering(request, queryset, view))

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        fields = [f if isinstance(f, str) else f[0] for f in getattr(view, "ordering_fields", [])]
        for parameter in parameters:
            parameter["description"] = (
                "Comma-separated fields, `-` for descending: " + ", ".join(fields)
                if fields
                else parameter.get("description", "")
            )
        return parameters


# --- Filters shared by every FilterSet ----------------------------------------------------


class YearFilter(filters.NumberFilter):
    field_class = filters.NumberFilter.field_class

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1990)
        kwargs.setdefault("max_value", 2100)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)


MAX_ID = 2**53  # beyond any row id; larger numbers would overflow the database's integers


class IdFilter(filters.NumberFilter):
    """A row id: a whole number from 1 to MAX_ID (larger would overflow SQL integers)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)


class _IdsField(filters.ModelMultipleChoiceFilter.field_class):
    def clean(self, value):
        for item in value or []:
            text = str(item)
            if not text.isdigit() or not 1 <= int(text) <= MAX_ID:
                raise forms.ValidationError(
                    _("%(value)s is not a valid id.") % {"value": text[:40]}, code="invalid_id"
                )
        return super().clean(value)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdMultipleChoiceFilter(filters.ModelMultipleChoiceFilter):
    """Repeatable row ids; anything but a whole number in range is a 400, never a query."""

    field_class = _IdsField


class MoneyFilter(filters.NumberFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


class PercentFilter(filters.NumberFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


class SyncFilterSet(filters.FilterSet):
    """`updated_since` (ISO 8601 with timezone) for incremental sync; strict input everywhere."""

    updated_since = filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Rows changed at or after this time (ISO 8601). Deletions: /api/v1/deletions/.",
    )


def figure_filters(prefix: str) -> dict[str, filters.Filter]:
    """min/max gap and coverage over a stored rollup reached through `prefix`."""
    return {
        "min_gap": MoneyFilter(field_name=f"{prefix}gap_usd", lookup_expr="gte"),
        "max_gap": MoneyFilter(field_name=f"{prefix}gap_usd", lookup_expr="lte"),
        "min_coverage": PercentFilter(field_name=f"{prefix}coverage_percent", lookup_expr="gte"),
        "max_coverage": PercentFilter(field_name=f"{prefix}coverage_percent", lookup_expr="lte"),
    }


# --- Serializer fields ---------------------------------------------------------------------


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^-?\d+\.\d{2}$"})
class MoneyField(serializers.DecimalField):
    """USD as a string with 2 decimals; None (not yet costed) stays null, never 0."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("coerce_to_string", True)
        super().__init__(**kwargs)


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": r"^-?\d+\.\d{2}$", "nullable": True}
)
class FigureField(serializers.Field):
    """One figure of a stored rollup reached by `rollup` (a reverse one-to-one or an attribute);
    a missing rollup gives null, never 0."""

    def __init__(self, figure: str, rollup: str = "rollup", **kwargs):
        self.figure, self.rollup = figure, rollup
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, obj) -> str | None:
        try:
            row = getattr(obj, self.rollup) if self.rollup else obj
        except ObjectDoesNotExist:
            return None
        value = getattr(row, self.figure, None) if row is not None else None
        return None if value is None else f"{Decimal(value):.2f}"


FIGURES = {
    "funding_required": "required_usd",
    "funding_received": "received_usd",
    "funding_pledged": "pledged_usd",
    "funding_gap": "gap_usd",
    "coverage_percent": "coverage_percent",
}


class FiguresMixin(serializers.Serializer):
    """The five funding figures of DESIGN.md, from the stored rollup at `figures_rollup`."""

    figures_rollup = "rollup"

    def get_fields(self):
        fields = super().get_fields()
        for name, figure in FIGURES.items():
            fields[name] = FigureField(figure, rollup=self.figures_rollup, allow_null=True)
        return fields


class CountryRefSerializer(serializers.Serializer):
    code = serializers.CharField(source="iso3", read_only=True)
    name = serializers.CharField(read_only=True)


class NamedRefSerializer(serializers.Serializer):
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


def rollup_of(obj, relation: str = "rollup"):
    try:
        return getattr(obj, relation)
    except ObjectDoesNotExist:
        return None


# --- CSV and HXL ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a flat export: header, HXL hashtag, and how to read it from a row."""

    header: str
    hxl: str
    get: Callable[[Any], Any]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(_cell(v) for v in value)
    return str(value)


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
    yield writer.writerow([c.header for c in columns])
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


# --- Views ---------------------------------------------------------------------------------

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv", "hxl"],
    description="csv / hxl: every matching row (not one page) as a flat, streamed CSV; hxl adds "
    "a row of HXL hashtags under the headers.",
)


class ApiViewMixin:
    """List/retrieve with streamed exports and conditional GET. A viewset sets `export_columns`
    (and optionally `last_modified_fields`, the datetime fields whose latest value dates a list).
    """

    export_columns: list[Column] = []
    export_name = "export"
    lookup_value_regex = r"[0-9]{1,15}"  # ids; a longer number is a 404, never an overflow
    last_modified_fields: tuple[str, ...] = ("updated_at",)
    _last_modified: datetime.datetime | None = None
    _etag_version: int | None = None  # set for versioned resources (crp_portal.api_concurrency)

    def export_format(self) -> str | None:
        fmt = self.request.query_params.get("format")
        return fmt if fmt in EXPORT_FORMATS else None

    def get_list_last_modified(self, queryset) -> datetime.datetime | None:
        """The latest change among all matching rows; the row count comes in the same query."""
        latest = queryset.order_by().aggregate(
            _count=Count("pk"), **{f"m{i}": Max(f) for i, f in enumerate(self.last_modified_fields)}
        )
        self._known_count = latest.pop("_count")
        values = [v for v in latest.values() if v is not None]
        return max(values) if values else None

    def get_object_last_modified(self, obj) -> datetime.datetime | None:
        values = [getattr(obj, f, None) for f in self.last_modified_fields]
        values = [v for v in values if v is not None]
        return max(values) if values else None

    def page_rows(self, queryset):
        """A hook: what a page of the JSON list reads (e.g. plain values instead of models)."""
        return queryset

    def prepare_page(self, rows: list) -> list:
        """A hook to attach related data to one page of rows in bulk."""
        return rows

    def filter_queryset(self, queryset):
        # Filters and ordering shape lists; a detail is found by its key among visible rows.
        if self.action != "list":
            return queryset
        for backend in self.filter_backends:
            if issubclass(backend, filters.DjangoFilterBackend) and not self._filters_asked():
                # Building and validating the filter form costs ~10 ms; with none of its
                # parameters in the query it would filter nothing.
                continue
            queryset = backend().filter_queryset(self.request, queryset, self)
        return queryset

    def _filters_asked(self) -> bool:
        filterset = getattr(self, "filterset_class", None)
        if filterset is None:
            return bool(getattr(self, "filterset_fields", None))
        params = self.request.query_params
        return any(name in params for name in filterset.base_filters)

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        fmt = self.export_format()
        if fmt:
            rows = queryset.iterator(chunk_size=EXPORT_CHUNK)
            response = StreamingHttpResponse(
                export_rows(self.export_columns, rows, hxl=fmt == "hxl"),
                content_type="text/csv; charset=utf-8",
            )
            suffix = "-hxl" if fmt == "hxl" else ""
            response["Content-Disposition"] = (
                f'attachment; filename="{self.export_name}{suffix}.csv"'
            )
            return response
        self._last_modified = self.get_list_last_modified(queryset)
        page = self.prepare_page(self.paginate_queryset(self.page_rows(queryset)))
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        self._last_modified = self.get_object_last_modified(instance)
        return self.versioned_response(instance, self.get_serializer(instance).data)

    def versioned_response(self, instance, data, status: int = 200) -> Response:
        """A body about one object; a versioned one's ETag will carry its version."""
        if hasattr(self, "etag_version"):
            self._etag_version = self.etag_version(instance)
        return Response(data, status=status)

    # --- The shared answer cache: anonymous JSON reads (crp_portal.pagecache) ---------------
    # Anonymous clients all see the same published data, so an answer rendered for one serves
    # all until anything it may show changes (the version bump retires every stored answer).
    # Looked up after authentication and throttling (initial), so limits still count hits.

    _cache_key: str | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._cache_key = self._answer_cache_key(request)
        stored = pagecache.cache_get(self._cache_key) if self._cache_key else None
        if stored is not None:
            # DRF takes the handler after initial(): answer this request from the cache.
            setattr(self, request.method.lower(), lambda *a, **k: self._cached_answer(stored))

    def _answer_cache_key(self, request) -> str | None:
        if not settings.API_ANSWER_CACHE or request.method != "GET":
            return None
        if request.user.is_authenticated or self.export_format():
            return None
        version = pagecache.pages_version()
        if not version:
            return None
        return pagecache.page_key(
            request, version, namespace="api", vary=request.headers.get("Accept", "")
        )

    def _cached_answer(self, stored) -> HttpResponse:
        content, headers = stored
        response = HttpResponse(content)
        for name, value in headers.items():
            response[name] = value
        response["X-Answer-Cache"] = "hit"
        self._cache_key = None  # nothing to store again
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Accept", "Authorization", "Cookie"])
        if response.streaming or response.status_code not in (200, 201):
            return response
        if request.method in ("OPTIONS", "DELETE"):
            return response
        if response.has_header("X-Answer-Cache"):  # rendered, dated and tagged when stored
            etag = response["ETag"]
            last_modified = response.get("Last-Modified")
            last_modified = parse_http_date_safe(last_modified) if last_modified else None
            return get_conditional_response(
                request, etag=etag, last_modified=last_modified, response=response
            )
        response.render()
        etag = etag_of(self._etag_version, hashlib.sha256(response.content).hexdigest()[:32])
        response["ETag"] = etag
        if request.method not in ("GET", "HEAD"):
            return response  # a write's answer: the ETag to send with the next write
        last_modified = None
        if self._last_modified is not None:
            last_modified = int(self._last_modified.timestamp())
            response["Last-Modified"] = http_date(last_modified)
        response["Cache-Control"] = "no-cache"  # revalidate each time: cheap with a 304
        if self._cache_key and response.status_code == 200:
            kept = ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Vary")
            headers = {h: response[h] for h in kept if response.has_header(h)}
            pagecache.cache_put(self._cache_key, (response.content, headers))
            response["X-Answer-Cache"] = "miss"
        return get_conditional_response(
            request, etag=etag, last_modified=last_modified, response=response
        )


# --- Fast representations ------------------------------------------------------------------
# The big read paths (plan list and detail, interventions) build their dicts by hand: DRF's
# generic field machinery costs ~15x the raw SQL floor on a 100-plan page (bench/api.py). The
# declared serializer fields stay the schema; schemathesis checks responses against it.


def iso_datetime(value: datetime.datetime | None) -> str | None:
    """As DRF's DateTimeField renders it (UTC, a trailing Z)."""
    if value is None:
        return None
    text = value.astimezone(datetime.UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso_date(value: datetime.date | None) -> str | None:
    return None if value is None else value.isoformat()


def money_text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def figures_of(row) -> dict[str, str | None]:
    """The five figures of a stored rollup row (None: no rollup → all null, never 0)."""
    if row is None:
        return dict.fromkeys(FIGURES)
    return {name: money_text(getattr(row, figure)) for name, figure in FIGURES.items()}


def choice_labels(choices) -> dict[str, str]:
    """{value: translated label} once per response rather than per row."""
    return {value: str(label) for value, label in choices}
