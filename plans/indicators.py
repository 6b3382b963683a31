"""The rules of a plan's context indicators (issue #15, item 2), by kind: what each needs, how
its label follows from its score, and how a page writes it ("8.9, Very high", "193 of 193").

Plain functions of the row's values (no model import: plans.models calls them from
ContextIndicator.clean), shared by the admin, the API, the CSV import and the pages.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

INFORM_RISK, INFORM_SEVERITY, HDI_RANK, FRAGILITY = (
    "inform_risk",
    "inform_severity",
    "hdi_rank",
    "fragility",
)

# INFORM Risk's classes of its 0–10 score, as the INFORM Risk Index publishes them: a score
# from each bound up to the next is of that class. Stored in English (gettext_noop: marked for
# translation, not translated here); pages say them in their language (indicator_text).
INFORM_RISK_CLASSES = (
    (Decimal("6.5"), gettext_noop("Very high")),
    (Decimal("5.0"), gettext_noop("High")),
    (Decimal("3.5"), gettext_noop("Medium")),
    (Decimal("2.0"), gettext_noop("Low")),
    (Decimal("0"), gettext_noop("Very low")),
)
# INFORM Severity's five categories (1 Very low … 5 Very high), which the published plans
# state as the value ("5, Very high"). A score between categories needs its label typed.
INFORM_SEVERITY_CATEGORIES = {
    1: gettext_noop("Very low"),
    2: gettext_noop("Low"),
    3: gettext_noop("Medium"),
    4: gettext_noop("High"),
    5: gettext_noop("Very high"),
}
SCORE_RANGES = {INFORM_RISK: Decimal(10), INFORM_SEVERITY: Decimal(5)}
DEFAULT_SOURCES = {
    INFORM_RISK: "INFORM Risk Index",
    INFORM_SEVERITY: "INFORM Severity Index",
    HDI_RANK: "UNDP Human Development Report",
    FRAGILITY: "OECD States of Fragility",
}


def _whole(value: Decimal | None) -> bool:
    return value is not None and value == value.to_integral_value()


def derived_label(*, kind: str, value: Decimal | None) -> str:
    """The label an INFORM score implies ("" where none does)."""
    if value is None:
        return ""
    if kind == INFORM_RISK:
        return next(label for bound, label in INFORM_RISK_CLASSES if value >= bound)
    if kind == INFORM_SEVERITY and _whole(value):
        return INFORM_SEVERITY_CATEGORIES.get(int(value), "")
    return ""


def indicator_clean(indicator) -> None:
    """Check an indicator's values against its kind and fill what follows from them (the INFORM
    label, the source); raise one ValidationError naming the fields."""
    kind, value, of_total = indicator.kind, indicator.value, indicator.of_total
    indicator.label = (indicator.label or "").strip()
    errors: dict[str, str] = {}
    if kind in SCORE_RANGES:
        top = SCORE_RANGES[kind]
        if value is None:
            errors["value"] = _("Give the score.")
        elif not Decimal(0) <= value <= top:
            errors["value"] = _("A score from 0 to %(top)s.") % {"top": top}
        elif not indicator.label:
            indicator.label = derived_label(kind=kind, value=value)
            if not indicator.label:
                errors["label"] = _("Give the label the source states for this score.")
        if of_total is not None:
            errors["of_total"] = _("Only a rank is “of” a number of countries.")
    elif kind == HDI_RANK:
        if value is None or not _whole(value) or value < 1:
            errors["value"] = _("Give the rank, a whole number from 1.")
        elif of_total is None:
            errors["of_total"] = _("Give the number of countries ranked.")
        elif of_total < value:
            errors["of_total"] = _("The rank is past the number of countries ranked.")
        if indicator.label:
            errors["label"] = _("A rank has no label.")
    elif kind == FRAGILITY:
        if not indicator.label:
            errors["label"] = _("Give the label, e.g. “Extremely fragile”.")
        if value is not None or of_total is not None:
            errors["value"] = _("The State of Fragility is a label, without a value.")
    if errors:
        raise ValidationError(errors)
    if not (indicator.source or "").strip():
        indicator.source = DEFAULT_SOURCES.get(kind, "")


def value_text(*, kind: str, value: Decimal | None) -> str | None:
    """The value as the pages and the API write it: INFORM Risk with one decimal ("8.0"), a
    Severity category or a rank whole ("5", "193"), other scores with one decimal."""
    if value is None:
        return None
    if kind == HDI_RANK or (kind == INFORM_SEVERITY and _whole(value)):
        return str(int(value))
    return f"{value:.1f}"


def _in_page_language(number: str | None) -> str | None:
    """ "8.9" as the active language writes it ("8,9" in French and Spanish; Arabic keeps Latin
    digits and the point, as Babel's CLDR data for "ar" does). English stays as published."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    if number is None or language == settings.LANGUAGE_CODE:
        return number
    pattern = "0.0" if "." in number else "0"
    return format_decimal(Decimal(number), format=pattern, locale=translation.to_locale(language))


def indicator_text(*, kind: str, value: Decimal | None, of_total: int | None, label: str) -> str:
    """What a plan's header says: "8.9, Very high", "193 of 193", "Extremely fragile"."""
    shown = _in_page_language(value_text(kind=kind, value=value))
    if kind == HDI_RANK and shown is not None and of_total is not None:
        return _("%(rank)s of %(total)s") % {"rank": shown, "total": of_total}
    # A label the catalog of classes knows ("Very high") is said in the page's language.
    label = _(label) if label else ""
    if shown and label:
        return _("%(value)s, %(label)s") % {"value": shown, "label": label}
    return shown or label
