"""Deletions feed: how an `updated_since` sync learns that rows went away."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from crp_portal.api.renderers import Column
from crp_portal.api.viewsets import FORMAT_PARAMETER, ApiViewMixin
from partners.models import Deletion

from .serializers import DeletionSerializer


class DeletionFilter(filters.FilterSet):
    updated_since = filters.IsoDateTimeFilter(
        field_name="deleted_at", lookup_expr="gte", help_text="Deleted at or after (ISO 8601)."
    )
    kind = filters.MultipleChoiceFilter(choices=Deletion.Kind.choices)
    reason = filters.MultipleChoiceFilter(choices=Deletion.Reason.choices)

    class Meta:
        model = Deletion
        fields = []


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class DeletionViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Plans, objectives, interventions, contributions and donors deleted since a time.

    A once-published plan that leaves the published state (archived, back to draft) is listed
    too, with reason "withdrawn": it has gone from anonymous and partner lists. Deletions under
    plans never published are shown to administrators only.
    """

    serializer_class = DeletionSerializer
    filterset_class = DeletionFilter
    ordering_fields = ["deleted_at", "id"]
    ordering = ["deleted_at"]
    ordering_tiebreaker = "id"
    last_modified_fields = ("deleted_at",)
    export_name = "deletions"
    export_columns = [
        Column("Kind", "#meta+type", lambda d: d.kind),
        Column("Id", "#meta+id", lambda d: d.object_id),
        Column("Lookup", "#meta+code", lambda d: d.lookup),
        Column("Plan code", "#activity+appeal+id+external", lambda d: d.plan_slug),
        Column("Reason", "#status+code", lambda d: d.reason),
        Column("Deleted at", "#date+deleted", lambda d: d.deleted_at),
    ]

    def get_queryset(self):
        user = self.request.user
        if user.is_authenticated and user.is_active and user.is_superuser:
            return Deletion.objects.all()
        return Deletion.objects.filter(public=True)
