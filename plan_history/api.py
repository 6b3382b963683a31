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
from rest_framework import permissions
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from plans.models import Plan

from .history import PUBLIC_STATUSES, parse_moment, plan_as_of, plan_may_see_drafts


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
        responses={200: OpenApiTypes.OBJECT},
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
