"""GET /api/v1/plans/<slug>/as-of/?at=<ISO datetime>: what a plan said at that moment (default now).

Routed from crp_portal/urls.py ahead of the v1 router. Visibility is the plan's visible_to(); a
reader who may not see drafts also gets 404 for a moment when the plan was not yet published.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from crp_portal.api.fields import MoneyField
from plans.models import PUBLIC_STATUSES, Plan

from .history import parse_moment, plan_as_of, plan_may_see_drafts


# The body's schema (plan_as_of builds it): what a generated client parses, field by field.
def _count(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(allow_null=True, read_only=True, help_text=help_text)


class RequirementThenSerializer(serializers.Serializer):
    """A yearly requirement as it stood."""

    year = serializers.IntegerField(read_only=True)
    amount_usd = MoneyField(read_only=True, help_text="USD needed that year (2 decimals).")


class InterventionThenSerializer(serializers.Serializer):
    """An intervention as it stood, with its activities and yearly requirements."""

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    sector = serializers.CharField(
        allow_null=True, read_only=True, help_text="The sector's name; null if none."
    )
    people_targeted = _count("People targeted; null if not stated.")
    narrative = serializers.CharField(read_only=True)
    plan_types = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Slugs of its plan types."
    )
    activities = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Its activities, in order."
    )
    requirements = RequirementThenSerializer(many=True, read_only=True)


class ObjectiveThenSerializer(serializers.Serializer):
    """An objective as it stood, with its interventions."""

    id = serializers.IntegerField(read_only=True)
    strategic_objective = serializers.IntegerField(
        read_only=True, help_text="The number of the strategic objective it serves."
    )
    title = serializers.CharField(read_only=True, help_text="That strategic objective's title.")
    people_targeted = _count("People targeted; null if not stated.")
    entities_targeted = _count("Entities targeted; null if not stated.")
    narrative = serializers.CharField(read_only=True)
    target_groups = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Slugs of its target groups."
    )
    interventions = InterventionThenSerializer(many=True, read_only=True)


class YearThenSerializer(serializers.Serializer):
    """A year's stated people figures as they stood."""

    year = serializers.IntegerField(read_only=True)
    people_in_need = _count("People in need; null if not stated.")
    people_targeted = _count("People targeted; null if not stated.")
    entities_targeted = _count("Entities targeted; null if not stated.")


class PresenceThenSerializer(serializers.Serializer):
    """A country's staffing as it stood."""

    country = serializers.CharField(read_only=True, help_text="ISO 3166 alpha-3 code.")
    international_staff = _count("International staff; null if not stated.")
    national_staff = _count("National staff; null if not stated.")
    field_offices = _count("Field offices; null if not stated.")
    as_of_on = serializers.DateField(
        allow_null=True, read_only=True, help_text="The date the figures were as of; null if none."
    )


class PlanAsOfSerializer(serializers.Serializer):
    """A plan as it stood at a moment, from its change history (no funding figures)."""

    title = serializers.CharField(read_only=True)
    slug = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=Plan.Kind.choices, read_only=True)
    status = serializers.ChoiceField(choices=Plan.Status.choices, read_only=True)
    start_year = serializers.IntegerField(read_only=True)
    end_year = serializers.IntegerField(read_only=True)
    vision_statement = serializers.CharField(read_only=True)
    vision_narrative = serializers.CharField(read_only=True)
    published_at = serializers.DateTimeField(allow_null=True, read_only=True)
    version = serializers.IntegerField(read_only=True, help_text="The plan's version then.")
    countries = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="ISO 3166 alpha-3 codes."
    )
    as_of = serializers.DateTimeField(read_only=True, help_text="The moment asked for (`at`).")
    recorded_at = serializers.DateTimeField(
        read_only=True, help_text="When the version shown was saved."
    )
    recorded_by = serializers.CharField(
        allow_null=True, read_only=True, help_text="Who saved it; null if not known."
    )
    years = YearThenSerializer(many=True, read_only=True)
    operational_presence = PresenceThenSerializer(many=True, read_only=True)
    objectives = ObjectiveThenSerializer(many=True, read_only=True)


class PlanAsOfView(APIView):
    """A plan with its objectives, interventions, activities and requirements as they stood at
    `at` (read from the change history)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "at",
                OpenApiTypes.DATETIME,
                required=False,
                description="ISO 8601 date or datetime (UTC when no offset is given); "
                "a date means the end of that day; default now.",
            )
        ],
        responses={200: PlanAsOfSerializer},
    )
    def get(self, request, slug: str):
        # Visibility first: a hidden plan is a 404 whatever else is wrong with the request.
        plan = get_object_or_404(Plan.objects.visible_to(request.user), slug=slug)
        given = request.query_params.get("at")
        at = parse_moment(given) if given else timezone.now()
        if at is None:
            raise ValidationError(
                {"at": _("Give the moment as an ISO date or datetime, e.g. 2024-05-01T12:00Z.")}
            )
        snapshot = plan_as_of(plan_id=plan.pk, at=at)
        if snapshot is None:
            raise Http404(_("This plan did not exist at that moment."))
        if snapshot["status"] not in PUBLIC_STATUSES and not plan_may_see_drafts(
            plan=plan, user=request.user
        ):
            raise Http404(_("This plan was not published at that moment."))
        return Response(snapshot)
