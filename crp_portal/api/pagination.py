"""Pagination with a hard cap and a stable ordering (every order ends with a unique key)."""

from __future__ import annotations

import functools

from django.core.paginator import Paginator as DjangoPaginator
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination
from rest_framework.filters import OrderingFilter

from crp_portal.translated_columns import shown_ordering

MAX_PAGE_SIZE = 500


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

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        words = {
            "count": "How many rows match, over all pages.",
            "next": "The next page's URL; null on the last page.",
            "previous": "The previous page's URL; null on the first page.",
            "results": "This page's rows.",
        }
        for name, description in words.items():
            paginated["properties"][name]["description"] = description
        return paginated

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
        # A translated field sorts by the text shown in the language asked (not its column,
        # where what is not translated is NULL).
        ordering = [
            shown_ordering(queryset.model, term)
            for term in self.get_ordering(request, queryset, view)
        ]
        return queryset.order_by(*ordering)

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
