"""Deletions feed: how an `updated_since` sync learns that rows went away."""

from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.response import Response

from crp_portal.api.renderers import Column
from crp_portal.api.viewsets import FORMAT_PARAMETER, ApiViewMixin, KnownParametersMixin
from partners import services
from partners.models import ApiToken, Deletion

from .serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenSerializer,
    ApiTokenWriteSerializer,
    DeletionSerializer,
)


class DeletionFilter(filters.FilterSet):
    updated_since = filters.IsoDateTimeFilter(
        field_name="deleted_at", lookup_expr="gte", help_text="Deleted at or after (ISO 8601)."
    )
    kind = filters.MultipleChoiceFilter(choices=Deletion.Kind.choices)
    reason = filters.MultipleChoiceFilter(choices=Deletion.Reason.choices)

    class Meta:
        model = Deletion
        fields = []


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class DeletionViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Plans, objectives, interventions, contributions and donors deleted since a time.

    A once-published plan withdrawn from public view is listed too, with reason "withdrawn":
    it has gone from anonymous and partner lists. (An archived plan is still public.) Deletions under
    plans never published are shown to administrators only.
    """

    serializer_class = DeletionSerializer
    filterset_class = DeletionFilter
    ordering_fields = ["deleted_at", "id"]
    ordering = ["deleted_at"]
    ordering_tiebreaker = "id"
    last_modified_fields = ("deleted_at",)
    export_name = "deletions"
    export_columns = [
        Column("Kind", "#meta+type", lambda d: d.kind),
        Column("Id", "#meta+id", lambda d: d.object_id),
        Column("Lookup", "#meta+code", lambda d: d.lookup),
        Column("Plan code", "#activity+appeal+id+external", lambda d: d.plan_slug),
        Column("Reason", "#status+code", lambda d: d.reason),
        Column("Deleted at", "#date+deleted", lambda d: d.deleted_at),
    ]

    def get_queryset(self):
        user = self.request.user
        if user.is_authenticated and user.is_active and user.is_superuser:
            return Deletion.objects.all()
        return Deletion.objects.filter(public=True)


@extend_schema_view(
    create=extend_schema(
        request=ApiTokenWriteSerializer, responses={201: ApiTokenCreatedSerializer}
    ),
    destroy=extend_schema(summary="Revoke one of your tokens", responses={204: None}),
)
class ApiTokenViewSet(
    KnownParametersMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your own API tokens (signed in, by session or token): create one (its secret is shown
    once, in the answer), list them with their last use, revoke one (DELETE). Nobody else's
    tokens are listed or revocable here; administrators manage all of them in the admin."""

    serializer_class = ApiTokenSerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None  # a person's handful of tokens
    filter_backends: list = []
    lookup_value_regex = r"[0-9]{1,15}"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user)

    def create(self, request, *args, **kwargs):
        data = ApiTokenWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, secret = services.api_token_create(user=request.user, **data.validated_data)
        token.secret = secret
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.api_token_revoke(token=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
