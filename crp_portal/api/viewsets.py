"""The base of every partner API viewset: lists with streamed exports, conditional GET and the
answer cache (STYLE §5). The v1 router lives in crp_portal/api/router.py.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Max
from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.response import Response

from .answer_cache import AnswerCacheMixin
from .conditional import ConditionalResponseMixin
from .renderers import EXPORT_CHUNK, EXPORT_FORMATS, Column, export_rows

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv", "hxl"],
    description="csv / hxl: every matching row (not one page) as a flat, streamed CSV; hxl adds "
    "a row of HXL hashtags under the headers.",
)


# Query parameters every list takes besides its filters: pagination, ordering, export format,
# the names partners' sync scripts send to every list, and the answer's language (lang).
LIST_PARAMETERS = frozenset(
    {"format", "page", "page_size", "ordering", "search", "updated_since", "lang"}
)


class KnownParametersMixin:
    """A list refuses query parameters it does not know with a 400 naming them: a misspelt or
    unsupported filter would otherwise be ignored and the answer look filtered. Ref: #12 item 2.
    Checked after authentication and throttling, before the answer cache."""

    # Names a viewset takes beyond LIST_PARAMETERS and its FilterSet's (e.g. group_by).
    extra_query_parameters: frozenset[str] = frozenset()

    def known_query_parameters(self) -> frozenset[str]:
        filterset = getattr(self, "filterset_class", None)
        names = set(filterset.base_filters) if filterset is not None else set()
        return LIST_PARAMETERS | self.extra_query_parameters | names

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if getattr(self, "action", None) != "list" or request.method not in ("GET", "HEAD"):
            return
        known = self.known_query_parameters()
        unknown = sorted(name for name in request.query_params if name not in known)
        if unknown:
            takes = ", ".join(sorted(known))
            raise exceptions.ValidationError(
                {
                    name[:100]: [
                        _("Unknown query parameter; this list takes: %(takes)s.") % {"takes": takes}
                    ]
                    for name in unknown[:20]
                }
            )


def export_response(columns: list[Column], rows, fmt: str, name: str) -> StreamingHttpResponse:
    """Rows as a streamed CSV download (`fmt` "hxl": with a row of HXL hashtags)."""
    response = StreamingHttpResponse(
        export_rows(columns, rows, hxl=fmt == "hxl"), content_type="text/csv; charset=utf-8"
    )
    suffix = "-hxl" if fmt == "hxl" else ""
    response["Content-Disposition"] = f'attachment; filename="{name}{suffix}.csv"'
    return response


class ApiViewMixin(AnswerCacheMixin, KnownParametersMixin, ConditionalResponseMixin):
    """List/retrieve with streamed exports and conditional GET. A viewset sets `export_columns`
    (and optionally `last_modified_fields`, the datetime fields whose latest value dates a list).
    """

    export_columns: list[Column] = []
    export_name = "export"
    lookup_value_regex = r"[0-9]{1,15}"  # ids; a longer number is a 404, never an overflow
    # `changed_at`: names and figures a row shows change it too (partners/sync_sql.py).
    last_modified_fields: tuple[str, ...] = ("updated_at", "changed_at")
    _last_modified: datetime.datetime | None = None
    _etag_version: int | None = None  # set for versioned resources (crp_portal.api_concurrency)

    def export_format(self) -> str | None:
        fmt = self.request.query_params.get("format")
        return fmt if fmt in EXPORT_FORMATS else None

    def get_list_last_modified(self, queryset) -> datetime.datetime | None:
        """The latest change among all matching rows; the row count comes in the same query."""
        names = {f.name for f in queryset.model._meta.get_fields()}
        fields = [f for f in self.last_modified_fields if f in names]  # not every model stamps
        latest = queryset.order_by().aggregate(
            _count=Count("pk"), **{f"m{i}": Max(f) for i, f in enumerate(fields)}
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
            return export_response(self.export_columns, rows, fmt, self.export_name)
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
