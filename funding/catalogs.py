"""ISO 4217 currencies from pycountry. Idempotent."""

from __future__ import annotations

import pycountry
from django.apps import apps as global_apps


def load(apps=global_apps) -> int:
    Currency = apps.get_model("funding", "Currency")
    for record in pycountry.currencies:
        Currency.objects.update_or_create(code=record.alpha_3, defaults={"name": record.name})
    return Currency.objects.count()
