"""Serializers of plans, their years, presences, countries and regions."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crp_portal.api.fields import (
    FIGURES,
    CountryRefSerializer,
    FigureField,
    FiguresMixin,
    NamedRefSerializer,
    rollup_of,
)
from crp_portal.api.representations import choice_labels, iso_date, iso_datetime, money_text
from crp_portal.api.writes import WriteSerializer
from objectives.api.serializers import NestedObjectiveSerializer
from plans.models import (
    MAX_YEAR,
    MIN_YEAR,
    ContextIndicator,
    Country,
    CrossCuttingPriority,
    OperatingModality,
    OperationalPresence,
    Plan,
    Region,
    is_regional,
)
from plans.translated import ALL, SOME


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "slug", "name"]


class CountrySerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="iso3", read_only=True)
    region = RegionSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Country
        fields = ["id", "code", "iso2", "name", "region"]


LAST_UPDATED_HELP = (
    "The date the plan's content was last published or edited, as its editors state it "
    "(YYYY-MM-DD): set by every content edit and publication unless a date is given in the "
    "same write. Not `updated_at` (any save); `funding_updated_at` dates the figures."
)
FIRST_PUBLISHED_HELP = (
    "What the plan required in total when first published, USD as a string with 2 decimals; "
    "null if not known (not yet published, not costed then, or published before it was kept). "
    "Compare with `funding_required` for a revised requirement."
)


class PlanSerializer(FiguresMixin, serializers.ModelSerializer):
    """A plan with its headline figures (whole period, from the stored rollup)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:plan-detail", lookup_field="slug")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    countries = CountryRefSerializer(many=True, read_only=True)
    is_regional = serializers.BooleanField(
        read_only=True,
        help_text="A regional plan: of the regional kind or covering several countries.",
    )
    last_updated_on = serializers.DateField(
        read_only=True,
        help_text=LAST_UPDATED_HELP,
    )
    first_published_required_usd = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=FIRST_PUBLISHED_HELP,
    )

    class Meta:
        model = Plan
        fields = [
            "slug",
            "url",
            "title",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "countries",
            "is_regional",
            "start_year",
            "end_year",
            "vision_statement",
            "published_at",
            "last_updated_on",
            "first_published_required_usd",
            "updated_at",
            "funding_updated_at",
        ]
        read_only_fields = fields

    def _plans_url(self) -> str:
        if not hasattr(self, "_base_url"):
            from django.urls import reverse

            # Django's reverse, not DRF's: DRF's appends the request's ?format=json, which
            # the slug was then glued onto (…/plans/?format=jsonpakistan-crp-2020-2021/).
            path = reverse("api:plan-list")
            request = self.context.get("request")
            self._base_url = request.build_absolute_uri(path) if request else path
            self._kinds = choice_labels(Plan.Kind.choices)
            self._statuses = choice_labels(Plan.Status.choices)
        return self._base_url

    def to_representation(self, plan: Plan | dict) -> dict:
        """From a row of LIST_VALUES (the list reads plain values) or a Plan (the detail)."""
        row = plan if isinstance(plan, dict) else plan_row(plan)
        base = self._plans_url()
        slug, kind, status = row["slug"], row["kind"], row["status"]
        return {
            "slug": slug,
            "url": f"{base}{slug}/",
            "title": row["title"],
            "kind": kind,
            "kind_label": self._kinds.get(kind, kind),
            "status": status,
            "status_label": self._statuses.get(status, status),
            "countries": row["countries"],
            "is_regional": is_regional(kind=kind, country_count=len(row["countries"])),
            "start_year": row["start_year"],
            "end_year": row["end_year"],
            "vision_statement": row["vision_statement"],
            "published_at": iso_datetime(row["published_at"]),
            "last_updated_on": iso_date(row["last_updated_on"]),
            "first_published_required_usd": money_text(row["first_published_required_usd"]),
            "updated_at": iso_datetime(row["updated_at"]),
            "funding_updated_at": iso_datetime(row["funding_updated_at"]),
            **{name: money_text(row[f"rollup__{figure}"]) for name, figure in FIGURES.items()},
        }


# What a plan row of the list is read as: plain values, the rollup's figures joined.
LIST_VALUES = (
    "pk",
    "slug",
    "title",
    "kind",
    "status",
    "start_year",
    "end_year",
    "vision_statement",
    "published_at",
    "last_updated_on",
    "first_published_required_usd",
    "updated_at",
    "funding_updated_at",
    *(f"rollup__{figure}" for figure in FIGURES.values()),
)


def plan_row(plan: Plan) -> dict:
    """A Plan instance as a LIST_VALUES row (with its countries)."""
    rollup = rollup_of(plan)
    countries = getattr(plan, "country_refs", None)
    if countries is None:
        countries = [{"code": c.iso3, "name": c.name} for c in plan.countries.all()]
    row = {name: getattr(plan, name) for name in LIST_VALUES if "__" not in name}
    row.update({f"rollup__{f}": getattr(rollup, f, None) for f in FIGURES.values()})
    row["countries"] = countries
    return row


class PlanYearSerializer(serializers.Serializer):
    """One year of a plan: the stated people figures beside the year's funding figures."""

    year = serializers.IntegerField()
    people_in_need = serializers.IntegerField(allow_null=True)
    people_targeted = serializers.IntegerField(allow_null=True)
    entities_targeted = serializers.IntegerField(allow_null=True)

    def get_fields(self):
        fields = super().get_fields()
        for name, figure in FIGURES.items():
            fields[name] = FigureField(figure, rollup="figures", allow_null=True)
        return fields


class PresenceSerializer(serializers.ModelSerializer):
    country = CountryRefSerializer(read_only=True)
    as_of = serializers.DateField(source="as_of_on", allow_null=True)

    class Meta:
        model = OperationalPresence
        fields = [
            "country",
            "international_staff",
            "national_staff",
            "field_offices",
            "as_of",
            "as_of_precision",
        ]


INDICATOR_KINDS_HELP = (
    "inform_risk (score 0–10, its INFORM class as label), inform_severity (score 0–5; a whole "
    "category 1–5 has its label), hdi_rank (rank `value` of `of_total` countries), fragility "
    "(a label only, e.g. Extremely fragile)."
)


class IndicatorSerializer(serializers.Serializer):
    """A context indicator as the plan's page states it, with its source and year."""

    kind = serializers.ChoiceField(
        choices=ContextIndicator.Kind.choices, help_text=INDICATOR_KINDS_HELP
    )
    name = serializers.CharField(help_text="The indicator's name, e.g. INFORM Risk.")
    year = serializers.IntegerField(help_text="The edition or data year its source gives.")
    value = serializers.CharField(
        allow_null=True,
        help_text='The score or rank as the page writes it ("8.9", "5", "193"); null for '
        "the State of Fragility, which is a label.",
    )
    of_total = serializers.IntegerField(
        allow_null=True, help_text="HDI rank: the number of countries ranked; otherwise null."
    )
    label = serializers.CharField(help_text='The class or label, e.g. "Very high"; may be empty.')
    text = serializers.CharField(help_text='As the page shows it: "8.9, Very high", "193 of 193".')
    source = serializers.CharField(help_text="Who publishes the indicator.")
    source_url = serializers.CharField(help_text="A link to the source; may be empty.")


class PlanDetailSerializer(PlanSerializer):
    """A plan as its CRP page reads: years, objectives down to activities and requirements."""

    vision_narrative = serializers.CharField(read_only=True)
    years = serializers.SerializerMethodField()
    objectives = NestedObjectiveSerializer(many=True, read_only=True)
    operational_presence = PresenceSerializer(source="presences", many=True, read_only=True)
    indicators = IndicatorSerializer(
        many=True,
        read_only=True,
        help_text="Context indicators (INFORM Risk and Severity, HDI rank, State of "
        "Fragility), each with its source and year; an indicator not stated is absent.",
    )
    modalities = NamedRefSerializer(
        many=True,
        read_only=True,
        help_text="Key operating modalities the plan names (catalog: /api/v1/modalities/).",
    )
    cross_cutting_priorities = NamedRefSerializer(
        many=True,
        read_only=True,
        help_text="Cross-cutting priorities the plan names (catalog: "
        "/api/v1/cross-cutting-priorities/).",
    )
    texts_fallback = serializers.ChoiceField(
        choices=[SOME, ALL],
        allow_null=True,
        read_only=True,
        help_text="Whether the plan's own texts (title, vision, objectives' and interventions' "
        "texts, activities) come in English for want of a translation into the language asked "
        '(lang, Accept-Language): null when none do (always in English), "some", or "all". '
        "Each such text is the English one; catalog names fall back the same way.",
    )

    class Meta(PlanSerializer.Meta):
        fields = [
            *PlanSerializer.Meta.fields,
            "vision_narrative",
            "years",
            "objectives",
            "operational_presence",
            "indicators",
            "modalities",
            "cross_cutting_priorities",
            "texts_fallback",
        ]
        read_only_fields = fields

    @extend_schema_field(PlanYearSerializer(many=True))
    def get_years(self, plan: Plan) -> list[dict]:
        return plan.content.years

    def to_representation(self, plan: Plan) -> dict:
        """`plan.content` is its nested content, read by the view (plans/api/content.py)."""
        content = plan.content
        return {
            **super().to_representation(plan),
            "vision_narrative": plan.vision_narrative,
            "years": content.years,
            "objectives": content.objectives,
            "operational_presence": content.operational_presence,
            "indicators": content.indicators,
            "modalities": content.modalities,
            "cross_cutting_priorities": content.priorities,
            "texts_fallback": content.texts_fallback,
        }


class PlanYearWriteSerializer(WriteSerializer):
    """The stated people figures of one year of the plan (null: not stated)."""

    year = serializers.IntegerField(
        min_value=MIN_YEAR, max_value=MAX_YEAR, help_text="A year of the plan's period."
    )
    people_in_need = serializers.IntegerField(
        min_value=0, allow_null=True, required=False, help_text="People in need that year."
    )
    people_targeted = serializers.IntegerField(
        min_value=0, allow_null=True, required=False, help_text="People the plan targets."
    )
    entities_targeted = serializers.IntegerField(
        min_value=0,
        allow_null=True,
        required=False,
        help_text="Entities (e.g. institutions, communities) the plan targets.",
    )


class IndicatorWriteSerializer(WriteSerializer):
    """One context indicator, stated whole (a field left out is empty)."""

    read_only_names = ("name", "text")  # shown, computed from the rest

    kind = serializers.ChoiceField(
        choices=ContextIndicator.Kind.choices, help_text=INDICATOR_KINDS_HELP
    )
    year = serializers.IntegerField(
        min_value=MIN_YEAR, max_value=MAX_YEAR, help_text="The edition or data year."
    )
    value = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        allow_null=True,
        required=False,
        help_text="The score (INFORM) or the rank (HDI), as a decimal string with at most one "
        "decimal; null or left out for the State of Fragility.",
    )
    of_total = serializers.IntegerField(
        min_value=1,
        max_value=32767,
        allow_null=True,
        required=False,
        help_text="HDI rank: the number of countries ranked.",
    )
    label = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        help_text="Left out for INFORM, the class of the score; required for fragility.",
    )
    source = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Left out, the indicator's publisher (e.g. INFORM Risk Index).",
    )
    source_url = serializers.URLField(
        max_length=500, required=False, allow_blank=True, help_text="A link to the source."
    )


class PlanWriteSerializer(WriteSerializer):
    """Fields an editor may change through the API (PATCH): content, never status or figures.
    `years`, when sent, replaces the plan's years (a year left out is removed)."""

    read_only_names = (*PlanDetailSerializer.Meta.fields, *FIGURES)

    title = serializers.CharField(max_length=200, required=False, help_text="The plan's name.")
    kind = serializers.ChoiceField(
        choices=Plan.Kind.choices,
        required=False,
        help_text="Country plan, regional plan or flash appeal.",
    )
    vision_statement = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text="One-paragraph vision."
    )
    vision_narrative = serializers.CharField(
        max_length=20000, required=False, allow_blank=True, help_text="The full narrative."
    )
    start_year = serializers.IntegerField(
        min_value=MIN_YEAR, max_value=MAX_YEAR, required=False, help_text="First year."
    )
    end_year = serializers.IntegerField(
        min_value=MIN_YEAR, max_value=MAX_YEAR, required=False, help_text="Last year."
    )
    countries = serializers.SlugRelatedField(
        slug_field="iso3",
        queryset=Country.objects.all(),
        many=True,
        required=False,
        help_text="ISO 3166 alpha-3 codes; you must edit every country you add.",
    )
    last_updated_on = serializers.DateField(
        required=False,
        help_text='The date shown as the plan\'s "last updated" (YYYY-MM-DD). Left out, this '
        "write dates it today.",
    )
    years = PlanYearWriteSerializer(
        many=True,
        required=False,
        help_text="Figures per year; replaces the plan's years (a year left out is removed).",
    )
    indicators = IndicatorWriteSerializer(
        many=True,
        required=False,
        help_text="Context indicators, one per kind; replaces the plan's (a kind left out is "
        "removed).",
    )
    modalities = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=OperatingModality.objects.all(),
        many=True,
        required=False,
        help_text="Slugs of key operating modalities (/api/v1/modalities/); replaces the "
        "plan's. An entry retired before the plan starts is refused.",
    )
    cross_cutting_priorities = serializers.SlugRelatedField(
        slug_field="slug",
        source="priorities",
        queryset=CrossCuttingPriority.objects.all(),
        many=True,
        required=False,
        help_text="Slugs of cross-cutting priorities (/api/v1/cross-cutting-priorities/); "
        "replaces the plan's. An entry retired before the plan starts is refused.",
    )


class PlanCreateSerializer(PlanWriteSerializer):
    """A new draft plan (POST) in countries the editor edits, with its years and figures."""

    slug = serializers.SlugField(
        max_length=64,
        help_text="The plan's code in URLs; if taken, the first free `<code>-<n>` is used.",
    )
    title = serializers.CharField(max_length=200, help_text="The plan's name.")
    start_year = serializers.IntegerField(
        min_value=MIN_YEAR, max_value=MAX_YEAR, help_text="First year of the period."
    )
    end_year = serializers.IntegerField(
        min_value=MIN_YEAR, max_value=MAX_YEAR, help_text="Last year of the period."
    )
    countries = serializers.SlugRelatedField(
        slug_field="iso3",
        queryset=Country.objects.all(),
        many=True,
        help_text="ISO 3166 alpha-3 codes; you must be an editor of every one.",
    )


class WorkflowStepSerializer(WriteSerializer):
    """A workflow step's body: the comment recorded with it (required to return a plan)."""

    comment = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Shown in the plan's history; required for `return` (say what to change).",
    )
