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
