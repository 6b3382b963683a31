"""Serializers of plans' objectives and the strategic-objective and target-group catalogs."""

from __future__ import annotations

from rest_framework import serializers

from crp_portal.api.fields import FIGURES, FiguresMixin, NamedRefSerializer
from crp_portal.api.writes import WriteSerializer
from interventions.api.serializers import NestedInterventionSerializer
from objectives.models import Objective, StrategicObjective, TargetGroup


class StrategicObjectiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = StrategicObjective
        fields = ["id", "number", "title", "retired_on"]


class StrategicObjectiveRefSerializer(serializers.Serializer):
    number = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)


class TargetGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = TargetGroup
        fields = ["id", "slug", "name"]


_OBJECTIVE_FIELDS = [
    "id",
    "strategic_objective",
    "people_description",
    "target_groups",
    "narrative",
    "people_targeted",
    "entities_targeted",
    "updated_at",
]


class ObjectiveSerializer(FiguresMixin, serializers.ModelSerializer):
    """A plan's objective with its funding figures (without its interventions)."""

    plan = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    strategic_objective = StrategicObjectiveRefSerializer(read_only=True)
    target_groups = NamedRefSerializer(many=True, read_only=True)

    class Meta:
        model = Objective
        fields = ["id", "plan", *_OBJECTIVE_FIELDS[1:]]
        read_only_fields = fields


class NestedObjectiveSerializer(FiguresMixin, serializers.ModelSerializer):
    """An objective inside a plan's detail, with its interventions down to activities (the
    schema; plans/api/content.py builds the body)."""

    strategic_objective = StrategicObjectiveRefSerializer(read_only=True)
    target_groups = NamedRefSerializer(many=True, read_only=True)
    interventions = NestedInterventionSerializer(many=True, read_only=True)

    class Meta:
        model = Objective
        fields = [*_OBJECTIVE_FIELDS, "interventions"]
        read_only_fields = fields


class ObjectiveWriteSerializer(WriteSerializer):
    """What an editor sends to change an objective (PATCH, with If-Match)."""

    read_only_names = (*NestedObjectiveSerializer.Meta.fields, *FIGURES)

    plan = serializers.SlugField(max_length=64, required=False)
    strategic_objective = serializers.SlugRelatedField(
        slug_field="number",
        queryset=StrategicObjective.objects.all(),
        required=False,
        help_text="The number of the strategic objective it serves (/api/v1/strategic-objectives/).",
    )
    people_description = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    target_groups = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=TargetGroup.objects.all(),
        many=True,
        required=False,
        help_text="Slugs of its primary target groups (/api/v1/target-groups/).",
    )
    narrative = serializers.CharField(max_length=20000, allow_blank=True, required=False)
    people_targeted = serializers.IntegerField(
        min_value=0, max_value=2_147_483_647, allow_null=True, required=False
    )
    entities_targeted = serializers.IntegerField(
        min_value=0, max_value=2_147_483_647, allow_null=True, required=False
    )


class ObjectiveCreateSerializer(ObjectiveWriteSerializer):
    """What an editor sends to add an objective to a plan (POST): the plan and the strategic
    objective are required."""

    plan = serializers.SlugField(max_length=64, help_text="The plan's slug.")
    strategic_objective = serializers.SlugRelatedField(
        slug_field="number",
        queryset=StrategicObjective.objects.all(),
        help_text="The number of the strategic objective it serves (/api/v1/strategic-objectives/).",
    )
