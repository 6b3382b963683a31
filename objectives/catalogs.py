"""The organisation-wide strategic objectives and target groups. Idempotent."""

from __future__ import annotations

from django.apps import apps as global_apps

STRATEGIC_OBJECTIVES = {
    1: "Saving lives and protecting people on the move",
    2: "Driving solutions to displacement",
    3: "Strengthen preparedness and reduce disaster risk",
    4: "Contribute to an evidence-based and efficient crisis response system",
}

TARGET_GROUPS = {
    "idps": "Internally displaced persons",
    "international-migrants": "International migrants",
    "internal-migrants": "Internal migrants",
    "local-population": "Local population / community",
    "refugees": "Refugees",
    "former-combatants": "Former combatants",
}


def load(apps=global_apps) -> None:
    StrategicObjective = apps.get_model("objectives", "StrategicObjective")
    TargetGroup = apps.get_model("objectives", "TargetGroup")
    for number, title in STRATEGIC_OBJECTIVES.items():
        # Keyed by number: an entry is retired, never renumbered.
        StrategicObjective.objects.update_or_create(number=number, defaults={"title": title})
    for slug, name in TARGET_GROUPS.items():
        TargetGroup.objects.update_or_create(slug=slug, defaults={"name": name})
