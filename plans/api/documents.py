"""GET /api/v1/documents/: the documents of the plans a client may see (issue #15, item 1),
with their kind, language, date, type and size. Editors attach them on the plan's admin page."""

from __future__ import annotations

import django_filters
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from crp_portal.api.renderers import Column
from crp_portal.api.viewsets import FORMAT_PARAMETER, ApiViewMixin
from plans.models import Plan, PlanDocument


class DocumentSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text="The plan's code (slug)."
    )
    kind = serializers.CharField(
        help_text="plan_document, situation_report, achievement_report or other."
    )
    kind_label = serializers.CharField(source="get_kind_display", help_text="The kind in words.")
    language = serializers.CharField(help_text="ISO 639-1 code of the document's language.")
    date = serializers.DateField(source="published_on", help_text="The date the document carries.")
    download_url = serializers.SerializerMethodField(
        help_text="Where to get it: this site's address of the file (a link document redirects "
        "to where it is published)."
    )
    is_link = serializers.BooleanField(help_text="True for a document published elsewhere.")
    link = serializers.URLField(
        source="url", help_text="The address a link document points to; empty for a file."
    )
    content_type = serializers.CharField(
        help_text="The file's media type, read from its content; empty for a link."
    )
    size_bytes = serializers.IntegerField(
        allow_null=True, help_text="The file's size in bytes; null for a link."
    )

    class Meta:
        model = PlanDocument
        fields = [
            "id",
            "plan",
            "kind",
            "kind_label",
            "title",
            "language",
            "date",
            "is_link",
            "link",
            "download_url",
            "content_type",
            "size_bytes",
        ]
        extra_kwargs = {"title": {"help_text": "The document's title."}}

    def get_download_url(self, document: PlanDocument) -> str:
        path = reverse("plans:document", args=[document.plan.slug, document.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class DocumentFilter(django_filters.FilterSet):
    plan = django_filters.CharFilter(
        field_name="plan__slug", help_text="Only the documents of this plan (its code)."
    )
    kind = django_filters.MultipleChoiceFilter(
        choices=PlanDocument.Kind.choices, help_text="Only documents of these kinds."
    )
    language = django_filters.MultipleChoiceFilter(
        choices=PlanDocument.Language.choices, help_text="Only documents in these languages."
    )

    class Meta:
        model = PlanDocument
        fields: list[str] = []


@extend_schema_view(list=extend_schema(parameters=[FORMAT_PARAMETER]))
class DocumentViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Documents attached to plans: plan documents, situation and achievement reports. Public
    plans' documents for everyone; drafts' for their editors."""

    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    ordering_fields = ["published_on", "id"]
    ordering = ["plan__slug", "kind", "-published_on", "id"]
    ordering_tiebreaker = "id"
    last_modified_fields = ("updated_at",)
    export_name = "documents"
    export_columns = [
        Column("Plan code", "#activity+appeal+id+external", lambda d: d.plan.slug),
        Column("Kind", "#meta+type", lambda d: d.kind),
        Column("Title", "#meta+title", lambda d: d.title),
        Column("Language", "#meta+lang", lambda d: d.language),
        Column("Date", "#date", lambda d: d.published_on),
        Column("Type", "#meta+format", lambda d: d.content_type),
        Column("Size (bytes)", "#meta+size", lambda d: d.size_bytes),
        Column("Link", "#meta+url", lambda d: d.url),
    ]

    def get_queryset(self):
        visible = Plan.objects.visible_to(self.request.user)
        return PlanDocument.objects.filter(plan__in=visible).select_related("plan")
