"""Load the plans catalogs: ISO 3166 countries from pycountry, the regions that cover them, and
the key operating modalities and cross-cutting priorities plans choose from.

Idempotent: run by a data migration and by `manage.py load_catalogs` (after a pycountry upgrade).
"""

from __future__ import annotations

import pycountry
from django.apps import apps as global_apps
from django.utils.text import slugify

from .data.context import CROSS_CUTTING_PRIORITIES, OPERATING_MODALITIES
from .data.regions import REGIONS


def load(apps=global_apps) -> int:
    """Create or update every plans catalog; returns the number of countries."""
    countries = load_places(apps)
    load_ways_of_working(apps)
    return countries


def load_ways_of_working(apps=global_apps) -> None:
    """Create or update the modalities and priorities, keyed by slug, in the published order."""
    for model_name, entries in (
        ("OperatingModality", OPERATING_MODALITIES),
        ("CrossCuttingPriority", CROSS_CUTTING_PRIORITIES),
    ):
        model = apps.get_model("plans", model_name)
        for position, (slug, name) in enumerate(entries.items(), start=1):
            model.objects.update_or_create(slug=slug, defaults={"name": name, "position": position})


def load_places(apps=global_apps) -> int:
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
