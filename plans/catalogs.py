"""Load the place catalogs: ISO 3166 countries from pycountry, and the regions that cover them.

Idempotent: run by a data migration and by `manage.py load_catalogs` (after a pycountry upgrade).
"""

from __future__ import annotations

import pycountry
from django.apps import apps as global_apps
from django.utils.text import slugify

from .data.regions import REGIONS


def load(apps=global_apps) -> int:
    """Create or update regions and countries; returns the number of countries."""
    Region = apps.get_model("plans", "Region")
    Country = apps.get_model("plans", "Country")
    region_of = {}
    for name, codes in REGIONS.items():
        region, _ = Region.objects.update_or_create(slug=slugify(name), defaults={"name": name})
        for code in codes:
            region_of[code] = region
    for record in pycountry.countries:
        # Prefer the common name ("Bolivia") over the formal one where pycountry has both.
        name = getattr(record, "common_name", None) or record.name
        Country.objects.update_or_create(
            iso3=record.alpha_3,
            defaults={
                "iso2": record.alpha_2,
                "name": name,
                "region": region_of.get(record.alpha_3),
            },
        )
    return Country.objects.count()
