"""The catalogs plans choose their ways of working from (issue #15, item 2): key operating
modalities and cross-cutting priorities. Public reads; administrators add entries (POST) and
change them (PATCH, e.g. set `retired_on`), through plans.services_catalogs."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from crp_portal.api.filters import sync_filterset
from crp_portal.api.renderers import Column
from crp_portal.api.viewsets import FORMAT_PARAMETER, ApiViewMixin
from plans.models import CrossCuttingPriority, OperatingModality

from .catalog_writes import CatalogWritesMixin


class WaysOfWorkingEntrySerializer(serializers.ModelSerializer):
    slug = serializers.SlugField(max_length=64, help_text="The entry's code, used in filters.")
    name = serializers.CharField(max_length=120, help_text="The entry's name.")
    position = serializers.IntegerField(
        min_value=0,
        max_value=32767,
        required=False,
        help_text="Where the published plans list it (lists are in this order).",
    )
    retired_on = serializers.DateField(
        allow_null=True,
        required=False,
        help_text="From this date it cannot be chosen for new plans; null: in use.",
    )

    class Meta:
        fields = ["id", "slug", "name", "position", "retired_on"]
        extra_kwargs = {"id": {"help_text": "The entry's id."}}


def _catalog_viewset(model, name: str, doc: str):
    serializer = type(
        f"{model.__name__}Serializer",
        (WaysOfWorkingEntrySerializer,),
        {"Meta": type("Meta", (WaysOfWorkingEntrySerializer.Meta,), {"model": model})},
    )
    viewset = type(
        f"{model.__name__}ViewSet",
        (CatalogWritesMixin, ApiViewMixin, viewsets.ReadOnlyModelViewSet),
        {
            "__doc__": doc,
            "queryset": model.objects.all(),
            "serializer_class": serializer,
            "filterset_class": sync_filterset(model),
            "ordering_fields": ["position", "name", "slug"],
            "ordering": ["position", "name"],
            "last_modified_fields": (),
            "export_name": name,
            "export_columns": [
                Column("Code", f"#{name}+code", lambda e: e.slug),
                Column("Name", f"#{name}+name", lambda e: e.name),
                Column("Retired on", "#date+retired", lambda e: e.retired_on),
            ],
        },
    )
    return extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))(viewset)


OperatingModalityViewSet = _catalog_viewset(
    OperatingModality,
    "modalities",
    "The catalog of key operating modalities plans name (e.g. Cash-based interventions). "
    "Administrators add entries (POST) and change them (PATCH).",
)
CrossCuttingPriorityViewSet = _catalog_viewset(
    CrossCuttingPriority,
    "cross-cutting-priorities",
    "The catalog of cross-cutting priorities plans name (e.g. Protection mainstreaming). "
    "Administrators add entries (POST) and change them (PATCH).",
)
