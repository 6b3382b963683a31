"""The plan page's sections (inlines): its years, its objectives with their interventions listed
and linked to their own pages, its presence; and the intervention page's activities and yearly
requirements (also used on the objective page)."""

from __future__ import annotations

import nested_admin
from django import forms
from django.contrib import admin
from django.db.models import Case, Prefetch, Value, When
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from funding.figures import whole_percent
from funding.models import Requirement
from interventions.models import Activity, Intervention
from objectives.models import Objective
from plans.admin_display import RollupFiguresMixin, usd
from plans.admin_scoping import PlanContentInlineMixin
from plans.admin_translations import TranslatedWidgetsMixin
from plans.admin_writes import (
    ActivityFormSet,
    DocumentFormSet,
    IndicatorFormSet,
    InterventionFormSet,
    ObjectiveFormSet,
    PlanYearFormSet,
    PresenceFormSet,
    RequirementFormSet,
    ServiceInlineMixin,
)

from .models import ContextIndicator, OperationalPresence, PlanDocument, PlanYear
from .translated import ACTIVITY_TEXTS, translation_fields

# What interventions_table reads, in one query for all the objectives of a page.
INTERVENTIONS_LISTED = Prefetch(
    "interventions", queryset=Intervention.objects.select_related("rollup", "sector", "country")
)


class RequirementInline(
    ServiceInlineMixin, PlanContentInlineMixin, nested_admin.NestedTabularInline
):
    model = Requirement
    formset = RequirementFormSet
    extra = 0
    fields = ["year", "amount_usd"]
    verbose_name = _("yearly requirement")  # "Add another yearly requirement", not "(Usd)"
    verbose_name_plural = _("yearly requirements (USD) — the only place money required is typed")


class ActivityInline(
    TranslatedWidgetsMixin,
    ServiceInlineMixin,
    PlanContentInlineMixin,
    nested_admin.NestedTabularInline,
):
    model = Activity
    formset = ActivityFormSet
    extra = 0
    # The English, then its French, Spanish and Arabic (empty: shown in English, and said so).
    fields = ["position", *ACTIVITY_TEXTS, *translation_fields(*ACTIVITY_TEXTS)]
    formfield_overrides = {
        Activity._meta.get_field("text").__class__: {
            # Four languages side by side: narrow boxes, so the table fits the page (1280 px).
            "widget": forms.Textarea(attrs={"rows": 3, "cols": 20})
        }
    }


class InterventionInline(
    ServiceInlineMixin, RollupFiguresMixin, PlanContentInlineMixin, nested_admin.NestedStackedInline
):
    model = Intervention
    formset = InterventionFormSet
    extra = 0
    fields = [
        ("position", "title"),
        ("sector", "country", "people_targeted"),
        "plan_types",
        "narrative",
        "funding",
    ]
    readonly_fields = ["funding"]
    autocomplete_fields = ["sector", "country", "plan_types"]
    inlines = [ActivityInline, RequirementInline]
    classes = ["collapse"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("rollup", "sector", "country")


class ObjectiveInline(
    ServiceInlineMixin, RollupFiguresMixin, PlanContentInlineMixin, nested_admin.NestedStackedInline
):
    model = Objective
    formset = ObjectiveFormSet
    extra = 0
    fields = [
        "strategic_objective",
        ("people_targeted", "entities_targeted"),
        "target_groups",
        "people_description",
        "narrative",
        "funding",
        "interventions_list",
    ]
    readonly_fields = ["funding", "interventions_list"]
    autocomplete_fields = ["strategic_objective", "target_groups"]
    classes = ["collapse"]  # one line per objective until opened (an error opens it)
    # The plan page lists interventions and links each to its own page (issue #13, item 1): a
    # plan of 150 interventions with their activities and requirements posted thousands of
    # fields from one page, past Django's limit, and took seconds to open. Edited one at a time,
    # each under the plan's version as before.

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("rollup", "strategic_objective")
            .prefetch_related(INTERVENTIONS_LISTED)
        )

    @admin.display(description=_("Interventions"))
    def interventions_list(self, obj):
        return interventions_table(obj)


class PlanYearInline(ServiceInlineMixin, PlanContentInlineMixin, nested_admin.NestedTabularInline):
    model = PlanYear
    formset = PlanYearFormSet
    extra = 0
    fields = ["year", "people_in_need", "people_targeted", "entities_targeted"]
    verbose_name = _("year's figures")
    verbose_name_plural = _("figures per year — people targeted overlap: they do not add up")


class OperationalPresenceInline(
    ServiceInlineMixin, PlanContentInlineMixin, nested_admin.NestedTabularInline
):
    model = OperationalPresence
    formset = PresenceFormSet
    extra = 0
    fields = [
        "country",
        "international_staff",
        "national_staff",
        "field_offices",
        "as_of_on",
        "as_of_precision",
    ]
    autocomplete_fields = ["country"]


class ContextIndicatorInline(
    ServiceInlineMixin, PlanContentInlineMixin, nested_admin.NestedStackedInline
):
    """INFORM Risk and Severity, HDI rank, State of Fragility: one each, as the published plan
    states them, in its order. An INFORM label left empty is the class of its score. Stacked:
    seven columns went past the page's width."""

    model = ContextIndicator
    formset = IndicatorFormSet
    extra = 0
    max_num = len(ContextIndicator.Kind)
    fields = [("kind", "year"), ("value", "of_total", "label"), ("source", "source_url")]
    verbose_name = _("context indicator")
    verbose_name_plural = _("context indicators")

    def get_queryset(self, request):
        kinds = ContextIndicator.Kind.values
        order = Case(*(When(kind=k, then=Value(i)) for i, k in enumerate(kinds)))
        return super().get_queryset(request).order_by(order)


class DocumentInline(ServiceInlineMixin, PlanContentInlineMixin, nested_admin.NestedStackedInline):
    """The plan's documents: a file (checked for type and size when saved) or a link each.
    Stacked, not a table: seven columns did not fit the page (the link went off-screen)."""

    model = PlanDocument
    formset = DocumentFormSet
    extra = 0
    fields = [("kind", "language", "published_on"), "title", ("file", "file_facts"), "url"]
    readonly_fields = ["file_facts"]
    verbose_name = _("document")
    verbose_name_plural = _("documents — plan document, situation and achievement reports")

    @admin.display(description=_("Type and size"))
    def file_facts(self, obj):
        if obj is None or not obj.pk or obj.is_link:
            return "—"
        return f"{obj.type_label}, {filesizeformat(obj.size_bytes)}"


def interventions_table(obj) -> str:
    """An objective's interventions as a table with their figures, each linked to its own page,
    and a link to add one (the plan and objective pages; issue #13, item 1). Reads
    `obj.interventions.all()`: prefetch it with INTERVENTIONS_LISTED."""
    if not obj or not obj.pk:
        return _("Save the objective first, then add its interventions.")

    def figures(intervention):
        rollup = getattr(intervention, "rollup", None)
        if rollup is None:
            return usd(None), usd(None, unknown="—"), "—"
        coverage = whole_percent(rollup.coverage_percent)
        return (
            usd(rollup.required_usd),
            usd(rollup.received_usd),
            f"{coverage} %" if coverage is not None else "—",
        )

    interventions = list(obj.interventions.all())
    rows = format_html_join(
        "",
        '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td class="num">{}</td>'
        '<td class="num">{}</td><td class="num">{}</td></tr>',
        (
            (
                reverse("admin:interventions_intervention_change", args=[i.pk]),
                i.title,
                i.sector or "—",
                i.country or "—",
                *figures(i),
            )
            for i in interventions
        ),
    )
    add = reverse("admin:interventions_intervention_add") + f"?objective={obj.pk}"
    count = len(interventions)
    return format_html(
        '<div class="interventions-block"><table class="interventions-list"><thead><tr>'
        '<th>{}</th><th>{}</th><th>{}</th><th class="num">{}</th><th class="num">{}</th>'
        '<th class="num">{}</th></tr></thead><tbody>{}</tbody></table>'
        '<p><a class="addlink" href="{}">{}</a> · {}</p></div>',
        _("Intervention (edit on its own page)"),
        _("Sector"),
        _("Country"),
        _("Required"),
        _("Received"),
        _("Coverage"),
        rows,
        add,
        _("Add an intervention to this objective"),
        ngettext("%(n)d intervention", "%(n)d interventions", count) % {"n": count},
    )
