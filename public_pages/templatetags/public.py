"""Formatting of figures on the public pages. The rules themselves live in funding.figures."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from funding.figures import Figures, money, whole_percent
from funding.selectors_shown import stored_figures

register = template.Library()


@register.filter
def usd(value: Decimal | None) -> str:
    """ "$1,075,000": whole dollars (half-up), as published plans print them; "" when unknown."""
    if value is None or value == "":
        return ""
    dollars = Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return f"${dollars:,}"


@register.filter
def usd_data(value: Decimal | None) -> str:
    """The whole-dollar figure with its exact amount to the cent, machine-readable:
    <data value="596934.18">$596,934</data>, the same amount the page's CSV/XLSX carry."""
    if value is None or value == "":
        return ""
    return format_html('<data class="usd" value="{}">{}</data>', money(value), usd(value))


@register.filter
def count(value: int | None) -> str:
    """10,350; "" when unknown."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}"


@register.filter
def percent(value: Decimal | None) -> int | None:
    """A stored coverage (2 decimals) as the whole percent pages show (10.50 → 11)."""
    return whole_percent(value)


@register.filter
def figures(obj) -> Figures:
    """The stored rollup of a plan, objective or intervention; "not yet costed" if none yet."""
    return stored_figures(obj)


@register.filter
def bar_width(whole: int | None) -> int:
    """The filled part of a coverage bar, capped at the bar's end (the number is not capped)."""
    return max(0, min(whole or 0, 100))


@register.filter
def as_of(presence) -> str:
    """A presence's "as of" date at its precision: "November 2024" or "31 December 2023"."""
    if presence.as_of_on is None:
        return ""
    if presence.as_of_precision == presence.Precision.MONTH:
        return date_format(presence.as_of_on, "F Y")
    return date_format(presence.as_of_on, "j F Y")


@register.simple_tag(takes_context=True)
def url_with(context, **changes) -> str:
    """The current URL with some GET parameters changed (None removes one); page resets."""
    request = context["request"]
    params = request.GET.copy()
    if "page" not in changes:
        params.pop("page", None)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    query = params.urlencode()
    return f"{request.path}?{query}" if query else request.path


@register.simple_tag
def plans_url(**params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse("plans:list") + (f"?{query}" if query else "")


@register.simple_tag
def not_costed() -> str:
    return _("Not yet costed")


@register.filter
def usd_value(value: Decimal | None) -> str:
    """Whole dollars with the exact amount in <data value>, outside the page's figure levels
    (no "usd" class): a table's cells, such as who gave what."""
    if value is None or value == "":
        return ""
    return format_html('<data value="{}">{}</data>', money(value), usd(value))


@register.filter
def amount(value: Decimal | None) -> str:
    """An amount in its original currency, to the cent: 10,000,000.00."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.2f}"
