"""Plans, countries and regions endpoints."""

from __future__ import annotations

from django.db.models import F
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action

from crp_portal.api.filters import sync_filterset
from crp_portal.api.renderers import Column, figure
from crp_portal.api.viewsets import FORMAT_PARAMETER, ApiViewMixin
from crp_portal.api_concurrency import IF_MATCH, PRECONDITION_RESPONSES, VersionedWritesMixin
from plans import services, services_workflow
from plans.models import Country, Plan, Region

from .content import plan_content
from .filters import CountryFilter, PlanFilter
from .serializers import (
    LIST_VALUES,
    CountrySerializer,
    PlanCreateSerializer,
    PlanDetailSerializer,
    PlanSerializer,
    PlanWriteSerializer,
    RegionSerializer,
    WorkflowStepSerializer,
)

FIGURE_ORDERING = {
    "funding_required": "rollup__required_usd",
    "funding_received": "rollup__received_usd",
    "funding_gap": "rollup__gap_usd",
    "coverage_percent": "rollup__coverage_percent",
}


def _codes(plan: Plan) -> list[str]:
    return [c.iso3 for c in plan.countries.all()]


def _names(plan: Plan) -> list[str]:
    return [c.name for c in plan.countries.all()]


def _indicator(kind: str):
    """An indicator's text in an export ("8.9, Very high"); empty when not stated."""

    def text(plan: Plan) -> str | None:
        for indicator in plan.indicators.all():
            if indicator.kind == kind:
                return indicator.text
        return None

    return text


def _entries(field: str):
    return lambda plan: [entry.slug for entry in getattr(plan, field).all()]


PLAN_COLUMNS = [
    Column("Plan code", "#activity+appeal+id+external", lambda p: p.slug),
    Column("Plan name", "#activity+appeal+name", lambda p: p.title),
    Column("Kind", "#activity+appeal+type+code", lambda p: p.kind),
    Column("Kind label", "#activity+appeal+type+name", lambda p: p.get_kind_display()),
    Column("Status", "#status+code", lambda p: p.status),
    Column("Country codes", "#country+code", _codes),
    Column("Country names", "#country+name", _names),
    Column("Start year", "#date+year+start", lambda p: p.start_year),
    Column("End year", "#date+year+end", lambda p: p.end_year),
    Column("Required (USD)", "#value+funding+required+usd", figure("rollup", "required_usd")),
    Column("Received (USD)", "#value+funding+total+usd", figure("rollup", "received_usd")),
    Column("Pledged (USD)", "#value+funding+pledged+usd", figure("rollup", "pledged_usd")),
    Column("Gap (USD)", "#value+funding+gap+usd", figure("rollup", "gap_usd")),
    Column("Coverage (%)", "#value+funding+pct", figure("rollup", "coverage_percent")),
    Column(
        "Required at first publication (USD)",
        "#value+funding+required+usd+original",
        lambda p: p.first_published_required_usd,
    ),
    # As the plan states it (issue #12, item 8), not the time any row was saved.
    Column("Last updated", "#date+updated", lambda p: p.last_updated_on),
    Column("Funding updated", "#date+updated+funding", lambda p: p.funding_updated_at),
    # Context and ways of working (issue #15, item 2).
    Column("INFORM Risk", "#indicator+inform+risk", _indicator("inform_risk")),
    Column("INFORM Severity", "#indicator+inform+severity", _indicator("inform_severity")),
    Column("HDI rank", "#indicator+hdi+rank", _indicator("hdi_rank")),
    Column("State of Fragility", "#indicator+fragility", _indicator("fragility")),
    Column("Key operating modalities", "#modality+code", _entries("modalities")),
    Column("Cross-cutting priorities", "#priority+code", _entries("priorities")),
]


def _workflow_schema(name: str, summary: str):
    return extend_schema(
        operation_id=f"plans_{name}",
        summary=summary,
        request=WorkflowStepSerializer,
        responses={200: PlanDetailSerializer, **PRECONDITION_RESPONSES},
        parameters=[IF_MATCH],
    )


@extend_schema_view(
    list=extend_schema(parameters=[FORMAT_PARAMETER]),
    create=extend_schema(request=PlanCreateSerializer, responses={201: PlanDetailSerializer}),
    partial_update=extend_schema(
        request=PlanWriteSerializer,
        responses={200: PlanDetailSerializer, **PRECONDITION_RESPONSES},
        parameters=[IF_MATCH],
    ),
    submit=_workflow_schema("submit", "Submit a draft for review (editors)"),
    publish=_workflow_schema("publish", "Publish a plan in review (reviewers)"),
    return_=_workflow_schema("return", "Return a plan in review to its editors (reviewers)"),
    archive=_workflow_schema(
        "archive", "Archive a published plan: it stays public as a past plan (reviewers)"
    ),
    unarchive=_workflow_schema(
        "unarchive", "Bring an archived plan back to published; comment required (reviewers)"
    ),
    withdraw=_workflow_schema(
        "withdraw", "Take a published or archived plan out of public view; comment required"
    ),
)
class PlanViewSet(
    VersionedWritesMixin,
    ApiViewMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Crisis response plans with their headline funding figures; the detail nests years,
    objectives, interventions, activities, yearly requirements, rollups and presence.

    Anonymous clients and partners see public plans: published and archived (past plans, with
    `status` "archived"); editors also their countries' drafts.
    Editors create draft plans in their countries (POST, with years and their figures) and
    PATCH the content of their countries' plans, sending If-Match with the ETag of the plan
    they read (its version guards all of its content). The workflow steps (submit, publish,
    return, archive, unarchive, withdraw) are POSTs with If-Match too, with the rules of the
    admin's buttons. A withdrawn plan leaves public view and is listed in /deletions/.
    """

    lookup_field = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]{1,64}"
    filterset_class = PlanFilter
    ordering_fields = ["slug", "title", "start_year", "end_year", "updated_at", *FIGURE_ORDERING]
    ordering = ["-start_year", "slug"]
    ordering_tiebreaker = "slug"
    export_columns = PLAN_COLUMNS
    export_name = "plans"
    last_modified_fields = ("updated_at", "funding_updated_at", "changed_at")
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = Plan.objects.visible_to(self.request.user).select_related("rollup")
        if self.action not in ("list", "metadata"):
            return queryset  # countries and the nested content: retrieve, plan_content
        # The figures by the names `ordering` takes.
        queryset = queryset.annotate(**{name: F(path) for name, path in FIGURE_ORDERING.items()})
        if self.action == "list" and not self.export_format():
            # A page gets its countries in prepare_page; the narrative is for the detail only.
            return queryset.defer("vision_narrative")
        return queryset.prefetch_related("countries", "indicators", "modalities", "priorities")

    def page_rows(self, queryset):
        return queryset.values(*LIST_VALUES)  # no model instances: a third of the time

    def prepare_page(self, rows: list[dict]) -> list[dict]:
        """Countries of a whole page in one query of plain values (no per-plan managers)."""
        through = Plan.countries.through.objects.filter(plan_id__in=[row["pk"] for row in rows])
        refs: dict[int, list[dict]] = {}
        for plan_id, code, name in through.order_by("country__name").values_list(
            "plan_id", "country__iso3", "country__name"
        ):
            refs.setdefault(plan_id, []).append({"code": code, "name": name})
        for row in rows:
            row["countries"] = refs.get(row["pk"], [])
        return rows

    def get_serializer_class(self):
        if self.action == "list":
            return PlanSerializer
        return PlanDetailSerializer

    def retrieve(self, request, *args, **kwargs):
        plan = self.get_object()
        plan.content = plan_content(plan)
        plan.country_refs = plan.content.countries
        dates = [
            plan.updated_at,
            plan.funding_updated_at,
            plan.changed_at,
            plan.content.last_changed,
        ]
        self._last_modified = max(d for d in dates if d is not None)
        return self.versioned_response(plan, self.get_serializer(plan).data)

    def _detail(self, plan: Plan, status_code: int = 200):
        self.kwargs[self.lookup_field] = plan.slug  # a create or a renamed code
        response = self.retrieve(self.request)
        response.status_code = status_code
        return response

    def create(self, request, *args, **kwargs):
        data = PlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = services.plan_save(actor=request.user, **data.validated_data)
        return self._detail(plan, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        plan = self.get_object()
        data = PlanWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        plan = services.plan_save(
            plan=plan,
            actor=request.user,
            expected_version=self.expected_version(),
            **data.validated_data,
        )
        return self._detail(plan)

    def _step(self, name: str):
        plan = self.get_object()
        services_workflow.plan_transition_check_permitted(
            name=name, plan=plan, actor=self.request.user
        )
        data = WorkflowStepSerializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        plan = services_workflow.plan_transition(
            name=name,
            plan=plan,
            actor=self.request.user,
            comment=data.validated_data.get("comment", ""),
            expected_version=self.expected_version(),
        )
        return self._detail(plan)

    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        return self._step("submit")

    @action(detail=True, methods=["post"])
    def publish(self, request, *args, **kwargs):
        return self._step("publish")

    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, *args, **kwargs):
        return self._step("return")

    @action(detail=True, methods=["post"])
    def archive(self, request, *args, **kwargs):
        return self._step("archive")

    @action(detail=True, methods=["post"])
    def unarchive(self, request, *args, **kwargs):
        return self._step("unarchive")

    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        return self._step("withdraw")


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class CountryViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """ISO 3166 countries (by alpha-3 code) with their region."""

    queryset = Country.objects.select_related("region")
    serializer_class = CountrySerializer
    filterset_class = CountryFilter
    lookup_field = "iso3"
    lookup_value_regex = "[A-Z]{3}"
    ordering_fields = ["name", "iso3"]
    ordering_tiebreaker = "iso3"
    last_modified_fields = ()
    export_name = "countries"
    export_columns = [
        Column("Country code", "#country+code", lambda c: c.iso3),
        Column("ISO2", "#country+code+iso2", lambda c: c.iso2),
        Column("Country name", "#country+name", lambda c: c.name),
        Column("Region", "#region+code", lambda c: c.region.slug if c.region else None),
        Column("Region name", "#region+name", lambda c: c.region.name if c.region else None),
    ]


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class RegionViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Regional offices' areas."""

    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = sync_filterset(Region)
    ordering_fields = ["name", "slug"]
    last_modified_fields = ()
    export_name = "regions"
    export_columns = [
        Column("Region id", "#region+id", lambda r: r.pk),
        Column("Region code", "#region+code", lambda r: r.slug),
        Column("Region name", "#region+name", lambda r: r.name),
    ]
