"""GET /api/v1/iati/activities.xml: the IATI 2.03 document of the public plans, with the
plans list's filters (routed from crp_portal/urls.py ahead of the v1 router)."""

from __future__ import annotations

import logging

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.generics import GenericAPIView

from crp_portal.api.renderers import JSONRenderer
from crp_portal.api.schema import AutoSchema, ErrorSerializer
from plans.api.filters import PlanFilter
from plans.models import Plan

from . import NoActivities, iati_export
from .schema import IatiInvalid

XML = "application/xml"
logger = logging.getLogger(__name__)


class IatiUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = (
        "The IATI document could not be made valid (the server's IATI settings need attention); "
        "the error has been logged."
    )


class IatiActivitiesSchema(AutoSchema):
    """The plans list's filters as this view's parameters, and a 400 for a bad one (the document
    is one string, not a list, so drf-spectacular would leave both out); no 304."""

    def get_filter_backends(self):
        return self.view.filter_backends

    def _error_codes(self, responses) -> list[str]:
        codes = [code for code in super()._error_codes(responses) if code != "304"]
        return codes if "400" in codes else ["400", *codes]


class IatiActivitiesView(GenericAPIView):
    """The public plans (published, and archived ones as closed) as an IATI 2.03 `iati-activities` document: one `iati-activity` per
    plan, validated against the IATI 2.03 activity schema before it is sent. The filters are
    the plans list's (`/api/v1/plans/`); drafts are never exported."""

    queryset = Plan.objects.public()
    filterset_class = PlanFilter
    filter_backends = [DjangoFilterBackend]
    renderer_classes = [JSONRenderer]  # errors; the document itself is written below
    schema = IatiActivitiesSchema()

    def perform_content_negotiation(self, request, force=False):
        # The answer is XML whatever Accept says; an error is JSON, as everywhere in the API.
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(
        operation_id="iati_activities",
        summary="The published plans as an IATI 2.03 activity file",
        responses={
            (200, XML): OpenApiResponse(
                response=OpenApiTypes.STR,
                description="An IATI 2.03 `iati-activities` XML document (UTF-8), valid "
                "against the IATI activity schema: one `iati-activity` per public plan "
                "matching the filters, with its yearly budgets (USD) and one transaction per "
                "contribution (incoming commitment 11, incoming funds 12, incoming pledge 13) "
                "in its original currency.",
            ),
            404: OpenApiResponse(
                response=ErrorSerializer,
                description="No published plan matches the filters (an IATI file holds at "
                "least one activity).",
            ),
            503: OpenApiResponse(
                response=ErrorSerializer,
                description="The document would not validate: the server's IATI settings "
                "need attention (logged).",
            ),
        },
    )
    def get(self, request, *args, **kwargs):
        known = set(PlanFilter.base_filters)
        unknown = sorted(name for name in request.query_params if name not in known)
        if unknown:
            takes = ", ".join(sorted(known))
            raise exceptions.ValidationError(
                {
                    name[:100]: [
                        _("Unknown query parameter; this document takes: %(takes)s.")
                        % {"takes": takes}
                    ]
                    for name in unknown[:20]
                }
            )
        filterset = PlanFilter(request.query_params, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        try:
            body = iati_export(filterset.qs)
        except NoActivities as error:
            raise exceptions.NotFound(
                _("No published plan matches these filters; IATI has no empty activity file.")
            ) from error
        except IatiInvalid as error:
            # A configuration fault (e.g. an empty IATI_REPORTING_ORG_REF), never bad input.
            logger.error("The IATI export does not validate: %s", "; ".join(error.errors))
            raise IatiUnavailable from error
        response = HttpResponse(body, content_type=f"{XML}; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="iati-activities.xml"'
        return response
