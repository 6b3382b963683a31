"""Country names in the page's language (issue #15, item 5), from the ISO 3166 translations
that pycountry ships (the iso-codes project's catalogs: the same list the Country catalog is
loaded from). English pages keep the catalog's own names."""

from __future__ import annotations

import functools
import gettext

import pycountry
from django.utils import translation


@functools.cache
def _catalog(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def country_name(*, iso3: str, name: str) -> str:
    """`name` (the catalog's, e.g. "Bolivia") in the active language: "Tadjikistan" for
    Tajikistan in French. A name the translations do not know stays as it is."""
    language = translation.get_language() or "en"
    if language == "en":
        return name
    catalog = _catalog(language)
    translated = catalog.gettext(name)
    if translated != name:
        return translated
    record = pycountry.countries.get(alpha_3=iso3)
    return catalog.gettext(record.name) if record is not None else name
