"""Formatting of figures on the public pages. The rules themselves live in funding.figures."""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.numbers import format_currency, format_decimal
from django import template
from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from funding.figures import Figures, money, whole_percent
from funding.selectors_shown import stored_figures
from plans.translated import shown_language
from public_pages.country_names import country_name

register = template.Library()


def _babel_locale() -> str | None:
    """The page's language as a Babel locale, or None for English, whose figures keep the
    published plans' own writing ("$1,075,000"; tests and partners' scrapers read it)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return None if language == "en" else translation.to_locale(language)


@functools.cache
def _whole_currency_pattern(locale: str) -> str:
    """The locale's currency pattern without its decimals: "#,##0.00 ¤" → "#,##0 ¤"."""
    return Locale.parse(locale).currency_formats["standard"].pattern.replace(".00", "")


@register.filter
def usd(value: Decimal | None) -> str:
    """ "$1,075,000": whole dollars (half-up), as published plans print them, in the page's
    language ("1 075 000 $US" in French); "" when unknown. Digits stay Latin in Arabic."""
    if value is None or value == "":
        return ""
    dollars = Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    locale = _babel_locale()
    if locale is None:
        return f"${dollars:,}"
    written = format_currency(
        dollars, "USD", format=_whole_currency_pattern(locale), locale=locale, currency_digits=False
    )
    # A plain space between the number and the currency (CLDR's is non-breaking), so a
    # figure too wide for its card on a phone wraps there instead of overflowing.
    written = written.replace("\xa0", " ")
    # Right to left, a "$" at the end would take the line's direction and show as "$US":
    # a left-to-right mark after it keeps "US$" whole.
    return f"{written}\u200e" if translation.get_language_bidi() else written


@register.filter
def usd_data(value: Decimal | None) -> str:
    """The whole-dollar figure with its exact amount to the cent, machine-readable:
    <data value="596934.18">$596,934</data>, the same amount the page's CSV/XLSX carry."""
    if value is None or value == "":
        return ""
    return format_html('<data class="usd" value="{}">{}</data>', money(value), usd(value))


@register.filter
def count(value: int | None) -> str:
    """10,350 (10 350 in French); "" when unknown."""
    if value is None or value == "":
        return ""
    locale = _babel_locale()
    return f"{int(value):,}" if locale is None else format_decimal(int(value), locale=locale)


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


# English pages write dates as the published plans do; other languages take their locale's
# own long formats (Django's: "5 novembre 2024", "5 de noviembre de 2024", "5 نوفمبر، 2024").
# Not DATE_FORMAT everywhere: English's is ISO (crp_portal/formats), for the admin.
ENGLISH_DATE, ENGLISH_MONTH = "j F Y", "F Y"


def _in_words(value, english: str, setting: str) -> str:
    if translation.get_language() in (None, "en"):
        return date_format(value, english)
    return date_format(value, setting)


@register.filter
def long_date(value) -> str:
    """A date in words in the page's language: 5 November 2024, 5 novembre 2024."""
    return "" if value in (None, "") else _in_words(value, ENGLISH_DATE, "DATE_FORMAT")


@register.filter(expects_localtime=True)
def long_datetime(value) -> str:
    """A moment in words with its time and zone: 5 November 2024, 14:05 UTC."""
    if value in (None, ""):
        return ""
    return _("%(date)s, %(time)s") % {"date": long_date(value), "time": date_format(value, "H:i e")}


@register.filter
def country(value) -> str:
    """A Country (or a row with iso3 and name) named in the page's language."""
    if value is None or value == "":
        return ""
    return country_name(iso3=value.iso3, name=value.name)


@register.filter
def as_of(presence) -> str:
    """A presence's "as of" date at its precision: "November 2024" or "31 December 2023"."""
    if presence.as_of_on is None:
        return ""
    if presence.as_of_precision == presence.Precision.MONTH:
        return _in_words(presence.as_of_on, ENGLISH_MONTH, "YEAR_MONTH_FORMAT")
    return long_date(presence.as_of_on)


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


@register.simple_tag(takes_context=True)
def language_versions(context) -> list[dict]:
    """This page in each language of LANGUAGES, query string kept (the switcher and the
    hreflang links); none for a page outside the translated URLs (the admin, an error page
    with no request)."""
    request = context.get("request")
    if request is None:
        return []
    current = translation.get_language()
    cached = getattr(request, "_language_versions", None)  # the head and the switcher ask
    if cached is not None and cached[0] == current:
        return cached[1]
    versions = _language_versions(request, current)
    request._language_versions = (current, versions)
    return versions


def _language_versions(request, current: str) -> list[dict]:
    here = request.get_full_path()
    versions = []
    for code, name in settings.LANGUAGES:
        url = translate_url(here, code)
        if url == here and code != current:
            return []  # not a translated page: its address is the same in every language
        versions.append(
            {
                "code": code,
                "name": name,
                "url": url,
                "absolute_url": request.build_absolute_uri(url),
                "current": code == current,
            }
        )
    return versions


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
    """An amount in its original currency, to the cent: 10,000,000.00 (10 000 000,00)."""
    if value is None or value == "":
        return ""
    locale = _babel_locale()
    if locale is None:
        return f"{Decimal(value):,.2f}"
    return format_decimal(Decimal(value), format="#,##0.00", locale=locale)


@register.simple_tag
def text_lang(instance, field: str) -> str:
    """` lang=… dir=…` for the element showing `instance.<field>`: the language the reader gets
    it in, which is English where it is not translated (plans.translated)."""
    code = shown_language(instance, field)
    side = "rtl" if translation.get_language_info(code)["bidi"] else "ltr"
    return format_html(' lang="{}" dir="{}"', code, side)
