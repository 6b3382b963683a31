"""The partner API v1: every endpoint is registered here (STYLE §5), and the exception handler
that turns domain errors into 400 / 403 with field-level messages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from rest_framework import exceptions, routers
from rest_framework.views import exception_handler as drf_exception_handler

from crp_portal.api_concurrency import precondition_response
from funding.api.views import (
    ContributionViewSet,
    DonorViewSet,
    FundingSummaryViewSet,
)
from interventions.api.views import InterventionViewSet, PlanTypeViewSet, SectorViewSet
from objectives.api.views import ObjectiveViewSet, StrategicObjectiveViewSet, TargetGroupViewSet
from partners.api.views import DeletionViewSet
from plans.api.views import CountryViewSet, PlanViewSet, RegionViewSet


def _messages(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def exception_handler(exc, context):
    """Django's ValidationError → 400 with field messages; PermissionDenied → 403; a database
    constraint or value error that slipped past validation → 400, never a 500; a missing or
    stale version → 428 / 412 (crp_portal.api_concurrency)."""
    precondition = precondition_response(exc)
    if precondition is not None:
        return precondition
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_messages(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, IntegrityError | DataError):
        exc = exceptions.ValidationError(
            {"non_field_errors": ["The data breaks a rule of the database; nothing was saved."]}
        )
    return drf_exception_handler(exc, context)


class Router(routers.DefaultRouter):
    include_format_suffixes = False  # ?format=csv|hxl selects the format; no .csv suffixes

    def get_routes(self, viewset):
        """No detail route for list-only viewsets (`has_detail = False`), such as the funding
        summary, even though the shared API mixin defines `retrieve`."""
        routes = super().get_routes(viewset)
        if getattr(viewset, "has_detail", True):
            return routes
        return [route for route in routes if not route.detail]


router = Router()
router.register("plans", PlanViewSet, basename="plan")
router.register("objectives", ObjectiveViewSet, basename="objective")
router.register("interventions", InterventionViewSet, basename="intervention")
router.register("contributions", ContributionViewSet, basename="contribution")
router.register("donors", DonorViewSet, basename="donor")
router.register("countries", CountryViewSet, basename="country")
router.register("regions", RegionViewSet, basename="region")
router.register("strategic-objectives", StrategicObjectiveViewSet, basename="strategic-objective")
router.register("sectors", SectorViewSet, basename="sector")
router.register("plan-types", PlanTypeViewSet, basename="plan-type")
router.register("target-groups", TargetGroupViewSet, basename="target-group")
router.register("funding/summary", FundingSummaryViewSet, basename="funding-summary")
router.register("deletions", DeletionViewSet, basename="deletion")

urlpatterns = router.urls
