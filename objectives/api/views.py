"""Objectives and the strategic-objective and target-group catalogs."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets

from crp_portal.api.filters import sync_filterset
from crp_portal.api.renderers import Column, figure
from crp_portal.api.viewsets import FORMAT_PARAMETER, ApiViewMixin
from crp_portal.api_concurrency import IF_MATCH, PRECONDITION_RESPONSES, VersionedWritesMixin
from objectives import services
from objectives.models import Objective, StrategicObjective, TargetGroup
from plans.api.catalog_writes import CatalogWritesMixin
from plans.models import Plan

from .filters import ObjectiveFilter
from .serializers import (
    ObjectiveCreateSerializer,
    ObjectiveSerializer,
    ObjectiveWriteSerializer,
    StrategicObjectiveSerializer,
    TargetGroupSerializer,
)

FIGURE_ORDERING = {
    "funding_required": "rollup__required_usd",
    "funding_gap": "rollup__gap_usd",
    "coverage_percent": "rollup__coverage_percent",
}

OBJECTIVE_COLUMNS = [
    Column("Objective id", "#activity+objective+id", lambda o: o.pk),
    Column("Plan code", "#activity+appeal+id+external", lambda o: o.plan.slug),
    Column("Plan name", "#activity+appeal+name", lambda o: o.plan.title),
    Column(
        "Strategic objective", "#indicator+objective+code", lambda o: o.strategic_objective.number
    ),
    Column(
        "Strategic objective name",
        "#indicator+objective+name",
        lambda o: o.strategic_objective.title,
    ),
    Column("Target groups", "#targeted+type", lambda o: [g.name for g in o.target_groups.all()]),
    Column("People targeted", "#targeted+num", lambda o: o.people_targeted),
    Column("Entities targeted", "#targeted+entities+num", lambda o: o.entities_targeted),
    Column("Required (USD)", "#value+funding+required+usd", figure("rollup", "required_usd")),
    Column("Received (USD)", "#value+funding+total+usd", figure("rollup", "received_usd")),
    Column("Pledged (USD)", "#value+funding+pledged+usd", figure("rollup", "pledged_usd")),
    Column("Gap (USD)", "#value+funding+gap+usd", figure("rollup", "gap_usd")),
    Column("Coverage (%)", "#value+funding+pct", figure("rollup", "coverage_percent")),
    Column("Last updated", "#date+updated", lambda o: o.updated_at),
]


@extend_schema_view(
    list=extend_schema(parameters=[FORMAT_PARAMETER]),
    create=extend_schema(request=ObjectiveCreateSerializer, responses={201: ObjectiveSerializer}),
    partial_update=extend_schema(
        request=ObjectiveWriteSerializer,
        responses={200: ObjectiveSerializer, **PRECONDITION_RESPONSES},
        parameters=[IF_MATCH],
    ),
)
class ObjectiveViewSet(
    VersionedWritesMixin,
    ApiViewMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Plans' objectives under the strategic objectives, with funding figures.

    Editors add objectives to their countries' plans (POST: plan and strategic_objective) and
    change them (PATCH, with If-Match: the plan's version guards its objectives).
    """

    http_method_names = ["get", "post", "patch", "head", "options"]

    serializer_class = ObjectiveSerializer
    filterset_class = ObjectiveFilter
    ordering_fields = ["id", "updated_at", "people_targeted", *FIGURE_ORDERING]
    ordering = ["plan__slug", "strategic_objective__number"]
    ordering_tiebreaker = "id"
    export_columns = OBJECTIVE_COLUMNS
    export_name = "objectives"

    def get_queryset(self):
        return (
            Objective.objects.visible_to(self.request.user)
            .select_related("plan", "strategic_objective", "rollup")
            .prefetch_related("target_groups")
            .annotate(**{name: F(path) for name, path in FIGURE_ORDERING.items()})
        )

    def etag_version(self, objective: Objective) -> int:
        return objective.plan.version

    def _respond(self, objective: Objective, status_code: int = 200):
        objective = self.get_queryset().get(pk=objective.pk)
        body = ObjectiveSerializer(objective, context=self.get_serializer_context()).data
        return self.versioned_response(objective, body, status=status_code)

    def create(self, request, *args, **kwargs):
        data = ObjectiveCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        plan = Plan.objects.visible_to(request.user).filter(slug=fields.pop("plan")).first()
        if plan is None:
            raise ValidationError({"plan": _("No plan with this code.")})
        objective = services.objective_create(plan=plan, actor=request.user, **fields)
        return self._respond(objective, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        objective = self.get_object()
        data = ObjectiveWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if fields.pop("plan", objective.plan.slug) != objective.plan.slug:
            raise ValidationError({"plan": _("An objective stays in its plan.")})
        objective = services.objective_update(
            objective=objective,
            actor=request.user,
            expected_version=self.expected_version(),
            **fields,
        )
        return self._respond(objective)


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class StrategicObjectiveViewSet(CatalogWritesMixin, ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """The organisation-wide catalog of strategic objectives (retired ones keep their number). Administrators add entries (POST) and change them (PATCH)."""

    queryset = StrategicObjective.objects.all()
    serializer_class = StrategicObjectiveSerializer
    filterset_class = sync_filterset(StrategicObjective)
    ordering_fields = ["number", "title"]
    ordering_tiebreaker = "number"
    last_modified_fields = ()
    export_name = "strategic-objectives"
    export_columns = [
        Column("Number", "#indicator+objective+code", lambda s: s.number),
        Column("Title", "#indicator+objective+name", lambda s: s.title),
        Column("Retired on", "#date+retired", lambda s: s.retired_on),
    ]


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class TargetGroupViewSet(CatalogWritesMixin, ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """The catalog of primary target groups. Administrators add entries (POST) and change them (PATCH)."""

    queryset = TargetGroup.objects.all()
    serializer_class = TargetGroupSerializer
    filterset_class = sync_filterset(TargetGroup)
    ordering_fields = ["name", "slug"]
    last_modified_fields = ()
    export_name = "target-groups"
    export_columns = [
        Column("Code", "#targeted+type+code", lambda t: t.slug),
        Column("Name", "#targeted+type+name", lambda t: t.name),
    ]
