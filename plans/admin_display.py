"""How the admin shows funding figures: one renderer, so "not yet costed" reads the same everywhere."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding.figures import Figures, whole_percent


def usd(amount: Decimal | None, *, unknown: str | None = None) -> str:
    if amount is None:
        return unknown if unknown is not None else _("not yet costed")
    return f"${intcomma(f'{amount:.2f}')}"


def figures_table(rollup) -> str:
    """A small read-only table of required / received / pledged / gap / coverage."""
    if rollup is None:
        return _("Not computed yet: figures appear a few seconds after the first save.")
    figures = Figures.from_row(rollup)
    coverage = whole_percent(figures.coverage_percent)
    rows = [
        (_("Required"), usd(figures.required)),
        (_("Received (committed + paid)"), usd(figures.received)),
        (_("Pledged (not counted as received)"), usd(figures.pledged)),
        (_("Gap"), usd(figures.gap, unknown=_("unknown (not yet costed)"))),
        (_("Coverage"), f"{coverage} %" if coverage is not None else "—"),
    ]
    body = format_html_join("", "<tr><th scope='row'>{}</th><td>{}</td></tr>", rows)
    return format_html(
        "<table class='crp-figures'>{}</table><p class='help'>{} {}</p>",
        body,
        _("Funding updated"),
        rollup.computed_at.strftime("%Y-%m-%d %H:%M UTC"),
    )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by jobs or workflows only (rollups, audits, the review log): shown, never
    edited by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RollupFiguresMixin:
    """`funding` (a table) and `funding_line` (for lists) from the row's stored rollup."""

    @admin.display(description=gettext_lazy("Funding (computed)"))
    def funding(self, obj):
        return figures_table(getattr(obj, "rollup", None)) if obj and obj.pk else "—"

    @admin.display(description=gettext_lazy("required · coverage"), ordering="rollup__required_usd")
    def funding_line(self, obj):
        return one_line(getattr(obj, "rollup", None))


def one_line(rollup) -> str:
    if rollup is None:
        return "—"
    figures = Figures.from_row(rollup)
    if figures.required is None:
        return _("not yet costed")
    coverage = whole_percent(figures.coverage_percent)
    return f"{usd(figures.required)} · {coverage if coverage is not None else '—'} %"
