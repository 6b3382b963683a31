"""The partner API v1: every endpoint is registered here (STYLE §5). One of the two modules of
crp_portal that import the domain apps (with the URLconf)."""

from __future__ import annotations

from rest_framework import routers

from funding.api.views import (
    ContributionViewSet,
    DonorViewSet,
    ExchangeRateViewSet,
    FundingSummaryViewSet,
)
from interventions.api.views import InterventionViewSet, PlanTypeViewSet, SectorViewSet
from objectives.api.views import ObjectiveViewSet, StrategicObjectiveViewSet, TargetGroupViewSet
from partners.api.views import ApiTokenViewSet, DeletionViewSet
from plans.api.documents import DocumentViewSet
from plans.api.views import CountryViewSet, PlanViewSet, RegionViewSet
from plans.api.ways_of_working import CrossCuttingPriorityViewSet, OperatingModalityViewSet


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
router.register("modalities", OperatingModalityViewSet, basename="modality")
router.register(
    "cross-cutting-priorities", CrossCuttingPriorityViewSet, basename="cross-cutting-priority"
)
router.register("funding/summary", FundingSummaryViewSet, basename="funding-summary")
router.register("exchange-rates", ExchangeRateViewSet, basename="exchange-rate")
router.register("documents", DocumentViewSet, basename="document")
router.register("deletions", DeletionViewSet, basename="deletion")
router.register("tokens", ApiTokenViewSet, basename="api-token")

urlpatterns = router.urls
