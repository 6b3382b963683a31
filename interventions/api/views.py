"""Interventions (with activities and yearly requirements), sectors and plan types."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets

from crp_portal.api.filters import sync_filterset
from crp_portal.api.renderers import Column, figure
from crp_portal.api.viewsets import FORMAT_PARAMETER, ApiViewMixin
from crp_portal.api_concurrency import IF_MATCH, PRECONDITION_RESPONSES, VersionedWritesMixin
from crp_portal.translated_columns import translated_text
from funding import services as funding_services
from funding.models import Requirement
from interventions.models import Activity, Intervention, PlanType, Sector
from objectives.models import Objective
from plans.api.catalog_writes import CatalogWritesMixin

from .filters import InterventionFilter
from .serializers import (
    InterventionCreateSerializer,
    InterventionSerializer,
    InterventionWriteSerializer,
    PlanTypeSerializer,
    SectorSerializer,
)

# Long texts of the parents, which an intervention row does not show.
PARENT_TEXT = (
    "objective__plan__vision_narrative",
    "objective__plan__vision_statement",
    "objective__narrative",
    "objective__people_description",
)

FIGURE_ORDERING = {
    "funding_required": "rollup__required_usd",
    "funding_gap": "rollup__gap_usd",
    "coverage_percent": "rollup__coverage_percent",
}

INTERVENTION_COLUMNS = [
    Column("Intervention id", "#activity+id", lambda i: i.pk),
    Column("Intervention", "#activity+name", lambda i: i.title),
    Column("Plan code", "#activity+appeal+id+external", lambda i: i.objective.plan.slug),
    Column("Plan name", "#activity+appeal+name", lambda i: i.objective.plan.title),
    Column("Objective id", "#activity+objective+id", lambda i: i.objective_id),
    Column(
        "Strategic objective",
        "#indicator+objective+code",
        lambda i: i.objective.strategic_objective.number,
    ),
    Column("Sector", "#sector+code", lambda i: i.sector.slug if i.sector else None),
    Column("Sector name", "#sector+name", lambda i: i.sector.name if i.sector else None),
    Column("Country code", "#country+code", lambda i: i.country.iso3 if i.country else None),
    Column("Plan types", "#activity+type", lambda i: [t.name for t in i.plan_types.all()]),
    Column("People targeted", "#targeted+num", lambda i: i.people_targeted),
    Column("Required (USD)", "#value+funding+required+usd", figure("rollup", "required_usd")),
    Column("Received (USD)", "#value+funding+total+usd", figure("rollup", "received_usd")),
    Column("Pledged (USD)", "#value+funding+pledged+usd", figure("rollup", "pledged_usd")),
    Column("Gap (USD)", "#value+funding+gap+usd", figure("rollup", "gap_usd")),
    Column("Coverage (%)", "#value+funding+pct", figure("rollup", "coverage_percent")),
    Column("Last updated", "#date+updated", lambda i: i.updated_at),
]


def _objective(objective_id: int, user) -> Objective:
    objective = (
        Objective.objects.visible_to(user).select_related("plan").filter(pk=objective_id).first()
    )
    if objective is None:
        raise ValidationError({"objective": _("No objective with this id.")})
    return objective


@extend_schema_view(
    list=extend_schema(parameters=[FORMAT_PARAMETER]),
    create=extend_schema(
        request=InterventionCreateSerializer, responses={201: InterventionSerializer}
    ),
    partial_update=extend_schema(
        request=InterventionWriteSerializer,
        responses={200: InterventionSerializer, **PRECONDITION_RESPONSES},
        parameters=[IF_MATCH],
    ),
)
class InterventionViewSet(
    VersionedWritesMixin,
    ApiViewMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Interventions with their activities, yearly requirements and funding figures.

    Editors create and change interventions of their countries' plans (POST, PATCH). Their
    plan's version guards them: PATCH sends If-Match with the ETag read.
    """

    serializer_class = InterventionSerializer
    filterset_class = InterventionFilter
    ordering_fields = ["id", "title", "position", "updated_at", *FIGURE_ORDERING]
    ordering = ["objective__plan__slug", "objective__strategic_objective__number", "position"]
    ordering_tiebreaker = "id"
    export_columns = INTERVENTION_COLUMNS
    export_name = "interventions"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            Intervention.objects.visible_to(self.request.user)
            .select_related("objective__plan", "objective__strategic_objective", "rollup")
            .defer(*PARENT_TEXT)
            .prefetch_related(
                # Sector and country by their own (tiny) queries, not joined: with them, the
                # page's query joined 8 tables and PostgreSQL spent ~20 ms choosing a join order
                # for a 1 ms answer (issue 14, bench/api.py).
                "sector",
                "country",
                # Explicit orders: the models' default orders would join the parent tables.
                # By the name shown in the language asked (not its column alone).
                Prefetch("plan_types", queryset=PlanType.objects.order_by(translated_text("name"))),
                Prefetch("activities", queryset=Activity.objects.order_by("position", "id")),
                Prefetch("requirements", queryset=Requirement.objects.order_by("year")),
            )
            .annotate(**{name: F(path) for name, path in FIGURE_ORDERING.items()})
        )

    def _write(self, request, intervention: Intervention | None):
        if intervention is None:
            data = InterventionCreateSerializer(data=request.data)
        else:
            data = InterventionWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "objective" in fields:
            fields["objective"] = _objective(fields["objective"], request.user)
        intervention = funding_services.intervention_save(
            intervention=intervention,
            actor=request.user,
            expected_version=self.expected_version() if intervention is not None else None,
            **fields,
        )
        return self.get_queryset().get(pk=intervention.pk)

    def create(self, request, *args, **kwargs):
        intervention = self._write(request, None)
        body = InterventionSerializer(intervention, context=self.get_serializer_context()).data
        return self.versioned_response(intervention, body, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        intervention = self._write(request, self.get_object())
        body = InterventionSerializer(intervention, context=self.get_serializer_context()).data
        return self.versioned_response(intervention, body)

    def etag_version(self, intervention: Intervention) -> int:
        return intervention.objective.plan.version


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class SectorViewSet(CatalogWritesMixin, ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """The catalog of sectors (thematic areas). Administrators add entries (POST) and change them (PATCH)."""

    queryset = Sector.objects.all()
    serializer_class = SectorSerializer
    filterset_class = sync_filterset(Sector)
    ordering_fields = ["name", "slug"]
    last_modified_fields = ()
    export_name = "sectors"
    export_columns = [
        Column("Sector", "#sector+code", lambda s: s.slug),
        Column("Sector name", "#sector+name", lambda s: s.name),
        Column("Retired on", "#date+retired", lambda s: s.retired_on),
    ]


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class PlanTypeViewSet(CatalogWritesMixin, ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """The catalog of plan types (tags of interventions). Administrators add entries (POST) and change them (PATCH)."""

    queryset = PlanType.objects.all()
    serializer_class = PlanTypeSerializer
    filterset_class = sync_filterset(PlanType)
    ordering_fields = ["name", "slug"]
    last_modified_fields = ()
    export_name = "plan-types"
    export_columns = [
        Column("Plan type", "#activity+type+code", lambda t: t.slug),
        Column("Plan type name", "#activity+type+name", lambda t: t.name),
        Column("Retired on", "#date+retired", lambda t: t.retired_on),
    ]
