"""Contributions, donors and the grouped funding summary."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import CharField, F, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.response import Response

from crp_portal.api.pagination import StableOrderingFilter
from crp_portal.api.renderers import Column
from crp_portal.api.viewsets import FORMAT_PARAMETER, ApiViewMixin, export_response
from crp_portal.api_concurrency import IF_MATCH, PRECONDITION_RESPONSES, VersionedWritesMixin
from crp_portal.translated_columns import translated_text
from funding import services
from funding.models import Contribution, Donor, ExchangeRate, GroupRollup, PlanRollup
from funding.summary import SummaryGroup, summarise
from interventions.models import Intervention
from objectives.models import Objective
from plans.models import PUBLIC_STATUSES, Plan

from .filters import ContributionFilter, DonorFilter, ExchangeRateFilter, SummaryFilter
from .serializers import (
    ContributionSerializer,
    ContributionWriteSerializer,
    DonorSerializer,
    DonorWriteSerializer,
    ExchangeRateSerializer,
    ExchangeRateWriteSerializer,
    SummaryGroupSerializer,
)

CONTRIBUTION_COLUMNS = [
    Column("Contribution id", "#meta+id", lambda c: c.pk),
    Column("Donor id", "#org+id+funder", lambda c: c.donor_id),
    Column("Donor", "#org+name+funder", lambda c: c.donor.name),
    Column("Plan code", "#activity+appeal+id+external", lambda c: c.plan.slug),
    Column("Plan name", "#activity+appeal+name", lambda c: c.plan.title),
    Column("Country codes", "#country+code", lambda c: [x.iso3 for x in c.plan.countries.all()]),
    Column("Objective id", "#activity+objective+id", lambda c: c.objective_id),
    Column("Intervention id", "#activity+id", lambda c: c.intervention_id),
    Column("Amount", "#value+original", lambda c: c.amount),
    Column("Currency", "#currency+code", lambda c: c.currency_id),
    Column("Units per USD", "#value+rate", lambda c: f"{c.units_per_usd:.8f}"),
    Column("Amount (USD)", "#value+funding+usd", lambda c: c.amount_usd),
    Column("Status", "#status+code", lambda c: c.status),
    Column("Status label", "#status+name", lambda c: c.get_status_display()),
    Column("Date", "#date", lambda c: c.contributed_on),
    Column(
        "Years it is for", "#date+year", lambda c: "; ".join(str(s.year) for s in c.years.all())
    ),
    Column(
        "Amount by year",
        "#value+original+year",
        lambda c: "; ".join(f"{s.year}: {s.amount}" for s in c.years.all()),
    ),
    Column("Reference", "#meta+ref", lambda c: c.reference),
    Column("Last updated", "#date+updated", lambda c: c.updated_at),
]


@extend_schema_view(
    list=extend_schema(parameters=[FORMAT_PARAMETER]),
    create=extend_schema(request=ContributionWriteSerializer, responses=ContributionSerializer),
    partial_update=extend_schema(
        request=ContributionWriteSerializer,
        responses={200: ContributionSerializer, **PRECONDITION_RESPONSES},
        parameters=[IF_MATCH],
    ),
    destroy=extend_schema(responses={204: None, **PRECONDITION_RESPONSES}, parameters=[IF_MATCH]),
)
class ContributionViewSet(
    VersionedWritesMixin,
    ApiViewMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Donor contributions (pledged, committed, paid) to visible plans.

    Funding officers record contributions to their countries' plans (POST), correct them
    (PATCH) and delete those recorded in error (DELETE), sending If-Match with the ETag read;
    the USD amount is fixed at the exchange rate in force on the contribution's date.
    """

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    serializer_class = ContributionSerializer
    filterset_class = ContributionFilter
    ordering_fields = ["id", "contributed_on", "amount_usd", "updated_at"]
    ordering = ["-contributed_on", "-id"]
    ordering_tiebreaker = "id"
    export_columns = CONTRIBUTION_COLUMNS
    export_name = "contributions"

    def get_queryset(self):
        return (
            Contribution.objects.visible_to(self.request.user)
            .select_related("donor", "plan", "currency")
            .defer("plan__vision_narrative", "plan__vision_statement")
            .prefetch_related("plan__countries", "years")
        )

    def _write(self, request, contribution: Contribution | None) -> Contribution:
        data = ContributionWriteSerializer(
            data=request.data,
            plans=Plan.objects.visible_to(request.user),
            partial=contribution is not None,
        )
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        for name, model in (("objective", Objective), ("intervention", Intervention)):
            if fields.get(name) is not None:  # an id: the row, if this client may see it
                fields[name] = (
                    model.objects.visible_to(request.user).filter(pk=fields[name]).first()
                )
                if fields[name] is None:
                    raise ValidationError({name: _("No %(kind)s with this id.") % {"kind": name}})
        if contribution is None:
            contribution = services.contribution_record(actor=request.user, **fields)
        else:
            contribution = services.contribution_correct(
                contribution=contribution,
                actor=request.user,
                expected_version=self.expected_version(),
                **fields,
            )
        return self.get_queryset().get(pk=contribution.pk)

    def create(self, request, *args, **kwargs):
        contribution = self._write(request, None)
        body = ContributionSerializer(contribution, context=self.get_serializer_context()).data
        return self.versioned_response(contribution, body, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        contribution = self._write(request, self.get_object())
        body = ContributionSerializer(contribution, context=self.get_serializer_context()).data
        return self.versioned_response(contribution, body)

    def destroy(self, request, *args, **kwargs):
        services.contribution_delete(
            contribution=self.get_object(),
            actor=request.user,
            expected_version=self.expected_version(),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(parameters=[FORMAT_PARAMETER]),
    create=extend_schema(request=DonorWriteSerializer, responses={201: DonorSerializer}),
    partial_update=extend_schema(request=DonorWriteSerializer, responses={200: DonorSerializer}),
)
class DonorViewSet(
    ApiViewMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Donors: governments, multilaterals, pooled funds, private donors.

    Funding officers create donors (POST) and rename or correct them (PATCH).
    """

    http_method_names = ["get", "post", "patch", "head", "options"]

    queryset = Donor.objects.select_related("country")
    serializer_class = DonorSerializer
    filterset_class = DonorFilter
    ordering_fields = ["id", "name", "updated_at"]
    ordering_tiebreaker = "id"
    export_name = "donors"
    export_columns = [
        Column("Donor id", "#org+id+funder", lambda d: d.pk),
        Column("Donor", "#org+name+funder", lambda d: d.name),
        Column("Kind", "#org+type+code+funder", lambda d: d.kind),
        Column("Kind label", "#org+type+name+funder", lambda d: d.get_kind_display()),
        Column("Country code", "#country+code", lambda d: d.country.iso3 if d.country else None),
        Column("Country name", "#country+name", lambda d: d.country.name if d.country else None),
        Column("Last updated", "#date+updated", lambda d: d.updated_at),
    ]

    def _answer(self, donor: Donor, status_code: int = 200) -> Response:
        donor = self.get_queryset().get(pk=donor.pk)
        return Response(DonorSerializer(donor).data, status=status_code)

    def create(self, request, *args, **kwargs):
        data = DonorWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        donor = services.donor_create(actor=request.user, **data.validated_data)
        return self._answer(donor, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        donor = self.get_object()
        services.donor_check_writable(actor=request.user)  # before saying what is wrong in it
        data = DonorWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        donor = services.donor_update(actor=request.user, donor=donor, **data.validated_data)
        return self._answer(donor)


@extend_schema_view(
    list=extend_schema(parameters=[FORMAT_PARAMETER]),
    create=extend_schema(
        request=ExchangeRateWriteSerializer, responses={201: ExchangeRateSerializer}
    ),
)
class ExchangeRateViewSet(ApiViewMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Exchange rates: units of a currency per USD in force from a date. Anyone reads them;
    funding officers record them (POST). A contribution keeps the rate it was recorded at."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = ExchangeRate.objects.all()
    serializer_class = ExchangeRateSerializer
    filterset_class = ExchangeRateFilter
    ordering_fields = ["id", "on", "currency", "updated_at"]
    ordering = ["currency", "-rate_on"]
    ordering_tiebreaker = "id"
    export_name = "exchange-rates"
    export_columns = [
        Column("Currency", "#currency+code", lambda r: r.currency_id),
        Column("In force from", "#date+start", lambda r: r.rate_on),
        Column("Units per USD", "#value+rate", lambda r: f"{r.units_per_usd:.8f}"),
        Column("Last updated", "#date+updated", lambda r: r.updated_at),
    ]

    def get_queryset(self):
        # `on` is the API's name of rate_on (ordering too).
        return ExchangeRate.objects.annotate(on=F("rate_on"))

    def create(self, request, *args, **kwargs):
        data = ExchangeRateWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rate, _written = services.rate_record(
            actor=request.user,
            currency=data.validated_data["currency"],
            rate_on=data.validated_data["on"],
            units_per_usd=data.validated_data["units_per_usd"],
        )
        return Response(ExchangeRateSerializer(rate).data, status=status.HTTP_201_CREATED)


GROUP_BY = [*GroupRollup.Dimension.values, "plan"]

# HXL hashtags of a group's key and label, per dimension.
GROUP_HXL = {
    "country": ("#country+code", "#country+name"),
    "region": ("#region+code", "#region+name"),
    "year": ("#date+year", "#date+year+name"),
    "strategic_objective": ("#indicator+objective+code", "#indicator+objective+name"),
    "sector": ("#sector+code", "#sector+name"),
    "donor": ("#org+id+funder", "#org+name+funder"),
    "plan": ("#activity+appeal+id+external", "#activity+appeal+name"),
}
SUMMARY_ORDERING = {
    "funding_required": "required_usd",
    "funding_received": "received_usd",
    "funding_pledged": "pledged_usd",
    "funding_gap": "gap_usd",
    "coverage_percent": "coverage_percent",
}
GROUP_BY_PARAMETER = OpenApiParameter(
    "group_by",
    OpenApiTypes.STR,
    required=True,
    description="Dimension of the groups, or two separated by a comma (`country,sector`): one "
    f'or two of {", ".join(GROUP_BY)}. Key "" is the "not specified" group: money not '
    "earmarked down to that level (for donor: no required figure). With two, `dimension_2`, "
    "`key_2` and `label_2` name the second; with one they are null.",
)


@dataclass(frozen=True)
class ComputedGroup:
    """A group computed from source rows (filtered or two ways), read as a stored one."""

    dimension: str
    key: str
    label: str
    dimension_2: str | None
    key_2: str | None
    label_2: str | None
    required_usd: Decimal | None
    received_usd: Decimal
    pledged_usd: Decimal
    gap_usd: Decimal | None
    coverage_percent: Decimal | None
    computed_at: datetime.datetime

    @classmethod
    def of(cls, group_by: tuple[str, ...], group: SummaryGroup, at: datetime.datetime):
        second = len(group_by) > 1
        fig = group.figures
        return cls(
            dimension=group_by[0],
            key=group.keys[0],
            label=group.labels[0],
            dimension_2=group_by[1] if second else None,
            key_2=group.keys[1] if second else None,
            label_2=group.labels[1] if second else None,
            required_usd=fig.required,
            received_usd=fig.received,
            pledged_usd=fig.pledged,
            gap_usd=fig.gap,
            coverage_percent=fig.coverage_percent,
            computed_at=at,
        )

    def __getattr__(self, name: str):
        # The ordering names of the stored rows (funding_required, …), for `?ordering=`.
        if name in SUMMARY_ORDERING:
            return getattr(self, SUMMARY_ORDERING[name])
        raise AttributeError(name)


def _ordered(rows: list[ComputedGroup], ordering: list[str]) -> list[ComputedGroup]:
    """Rows in `ordering` (names with "-" for descending); null figures last either way."""
    for name in reversed(ordering):
        field = name.lstrip("-")
        descending = name.startswith("-")
        known = [r for r in rows if getattr(r, field) is not None]
        unknown = [r for r in rows if getattr(r, field) is None]
        known.sort(key=lambda r: getattr(r, field), reverse=descending)
        rows = known + unknown
    return rows


@extend_schema_view(list=extend_schema(parameters=[GROUP_BY_PARAMETER, FORMAT_PARAMETER]))
class FundingSummaryViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Funding across published plans grouped by country, region, year, strategic objective,
    sector, donor or plan (or two of them): required, received, pledged, gap and coverage per
    group. Unfiltered and by one dimension it reads the stored rollups; filtered or grouped two
    ways it is computed from the source rows when asked (funding.summary), by the same rules.
    Filters narrow requirements and money alike; the groups of a dimension add up to the total
    of what the filters cover."""

    serializer_class = SummaryGroupSerializer
    filterset_class = SummaryFilter
    has_detail = False  # groups are read as a list, by group_by
    extra_query_parameters = frozenset({"group_by"})
    ordering_fields = ["label", "key", "label_2", "key_2", *SUMMARY_ORDERING]
    ordering = ["label"]
    ordering_tiebreaker = "key"
    last_modified_fields = ("computed_at",)
    export_name = "funding-summary"

    def group_by(self) -> tuple[str, ...]:
        value = self.request.query_params.get("group_by") or ""
        names = tuple(name.strip() for name in value.split(","))
        if (
            not 1 <= len(names) <= 2
            or len(set(names)) != len(names)
            or any(name not in GROUP_BY for name in names)
        ):
            raise exceptions.ValidationError(
                {
                    "group_by": [
                        _("Give group_by: one or two (comma-separated) of: %(ok)s.")
                        % {"ok": ", ".join(GROUP_BY)}
                    ]
                }
            )
        return names

    def _computed(self) -> bool:
        return len(self.group_by()) > 1 or self._filters_asked()

    def filter_queryset(self, queryset):
        if self._computed():
            return queryset  # filtered in funding.summary; ordered in list()
        return super().filter_queryset(queryset)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return GroupRollup.objects.none()
        (dimension,) = self.group_by()[:1]
        figures = {name: F(path) for name, path in SUMMARY_ORDERING.items() if name != path}
        no_second = {
            name: Value(None, output_field=CharField())
            for name in ("dimension_2", "key_2", "label_2")
        }
        if dimension == "plan":
            return (
                PlanRollup.objects.filter(plan__status__in=PUBLIC_STATUSES)
                .annotate(
                    dimension=Value("plan"),
                    key=F("plan__slug"),
                    label=translated_text("plan__title"),  # in the language asked
                )
                .annotate(**figures, **no_second)
            )
        return GroupRollup.objects.filter(dimension=dimension).annotate(**figures, **no_second)

    def computed_groups(self) -> list[ComputedGroup]:
        """The groups from source rows, under the filters, in the order asked."""
        filterset = SummaryFilter(self.request.query_params, queryset=None)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        group_by = self.group_by()
        at = timezone.now()
        rows = [
            ComputedGroup.of(group_by, group, at)
            for group in summarise(group_by, filterset.summary_filters())
        ]
        ordering = StableOrderingFilter().get_ordering(self.request, None, self)
        return _ordered(rows, [*ordering, "key_2"])

    def list(self, request, *args, **kwargs):
        if not self._computed():
            return super().list(request, *args, **kwargs)
        rows = self.computed_groups()
        fmt = self.export_format()
        if fmt:
            return export_response(self.export_columns, rows, fmt, self.export_name)
        self._last_modified = None  # computed now, from rows that may have just changed
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @property
    def export_columns(self) -> list[Column]:
        group_by = self.group_by()
        columns = []
        for i, dimension in enumerate(group_by):
            suffix = "" if i == 0 else "_2"
            key_tag, label_tag = GROUP_HXL[dimension]
            ordinal = "" if i == 0 else " 2"
            key_name, label_name = f"key{suffix}", f"label{suffix}"
            columns += [
                Column(f"Group{ordinal}", key_tag, _attribute(key_name)),
                Column(
                    f"Group{ordinal} name",
                    label_tag,
                    lambda r, k=key_name, n=label_name: (
                        getattr(r, n) if getattr(r, k) != "" else "Not specified"
                    ),
                ),
            ]
        return [
            *columns,
            Column("Required (USD)", "#value+funding+required+usd", _attribute("required_usd")),
            Column("Received (USD)", "#value+funding+total+usd", _attribute("received_usd")),
            Column("Pledged (USD)", "#value+funding+pledged+usd", _attribute("pledged_usd")),
            Column("Gap (USD)", "#value+funding+gap+usd", _attribute("gap_usd")),
            Column("Coverage (%)", "#value+funding+pct", _attribute("coverage_percent")),
            Column("Computed at", "#date+updated", _attribute("computed_at")),
        ]


def _attribute(name: str):
    return lambda row: getattr(row, name)
