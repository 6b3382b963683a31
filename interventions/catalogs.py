"""Sector and plan-type catalogs. Idempotent."""

from __future__ import annotations

from django.apps import apps as global_apps
from django.utils.text import slugify

SECTORS = [
    "Mental health and psychosocial support",
    "Community stabilization",
    "Health system strengthening",
    "Health support",
    "Emergency preparedness",
    "Shelter and settlements",
    "Displacement tracking",
    "Camp coordination and camp management",
    "Water, sanitation and hygiene",
    "Protection",
    "Livelihoods and economic recovery",
    "Direct health support",
    "Humanitarian border management",
    "Movement assistance",
    "Multi-purpose cash assistance",
    "Durable solutions",
    "Disaster risk reduction",
    "Peacebuilding and peace preservation",
    "Land and property",
    "Counter-trafficking and protection of vulnerable migrants",
]

# OECD DAC 5-digit purpose codes (CRS) of the shipped sectors, for the IATI export (issue 14,
# item 5). The nearest code by the CRS descriptions; sectors no code describes have none and are
# exported in the organisation's own vocabulary. An administrator may change them in the admin;
# loading the catalogs fills only sectors that have no code yet.
DAC_CODES = {
    "Mental health and psychosocial support": "12340",  # promotion of mental health
    "Community stabilization": "15220",  # civilian peace-building, conflict prevention
    "Health system strengthening": "12110",  # health policy and administrative management
    "Health support": "12220",  # basic health care
    "Emergency preparedness": "74020",  # multi-hazard response preparedness
    "Shelter and settlements": "72010",  # material relief assistance and services
    "Camp coordination and camp management": "72050",  # relief co-ordination, support services
    "Water, sanitation and hygiene": "14030",  # basic drinking water supply and sanitation
    "Protection": "72010",  # material relief assistance and services (incl. protection)
    "Livelihoods and economic recovery": "73010",  # immediate post-emergency reconstruction
    "Direct health support": "72011",  # basic health care services in emergencies
    "Humanitarian border management": "15190",  # safe, orderly and regular migration
    "Multi-purpose cash assistance": "72010",  # material relief (cash and vouchers)
    "Durable solutions": "73010",  # immediate post-emergency reconstruction and rehabilitation
    "Disaster risk reduction": "43060",  # disaster risk reduction
    "Peacebuilding and peace preservation": "15220",  # civilian peace-building
    "Counter-trafficking and protection of vulnerable migrants": "15190",  # incl. trafficking
    # No code describes these: "Displacement tracking", "Movement assistance",
    # "Land and property".
}

PLAN_TYPES = [
    "Within an inter-agency humanitarian response plan",
    "Outside an inter-agency humanitarian response plan",
    "Regional refugee and migrant response plan",
    "Regional refugee and resilience plan",
    "Flash appeal",
]


def load(apps=global_apps) -> None:
    Sector = apps.get_model("interventions", "Sector")
    PlanType = apps.get_model("interventions", "PlanType")
    for name in SECTORS:
        Sector.objects.update_or_create(slug=slugify(name), defaults={"name": name})
    for name in PLAN_TYPES:
        PlanType.objects.update_or_create(slug=slugify(name), defaults={"name": name})
    # Migration 0002 loads the catalogs with a Sector of before the code (0008 fills it then).
    if any(field.name == "dac_code" for field in Sector._meta.get_fields()):
        dac_codes_load(apps)


def dac_codes_load(apps=global_apps) -> None:
    """Give the shipped sectors their DAC codes where they have none (never overwrite one)."""
    Sector = apps.get_model("interventions", "Sector")
    for name, code in DAC_CODES.items():
        Sector.objects.filter(slug=slugify(name), dac_code__isnull=True).update(dac_code=code)


def dac_codes_unload(apps=global_apps) -> None:
    """The reverse of dac_codes_load: the shipped sectors' codes, where unchanged, go."""
    Sector = apps.get_model("interventions", "Sector")
    for name, code in DAC_CODES.items():
        Sector.objects.filter(slug=slugify(name), dac_code=code).update(dac_code=None)
