"""IATI 2.03 export of the public plans, current and archived (issue 14, item 5): `activities` reads them, `document`
writes the XML in the schema's order, `schema` validates it, `api` serves it at
/api/v1/iati/activities.xml and `manage.py export_iati FILE` writes it to a file."""

from __future__ import annotations

from django.db.models import QuerySet
from lxml import etree

from plans.models import Plan

from .activities import iati_activities
from .document import iati_bytes, iati_document
from .schema import iati_validate


class NoActivities(LookupError):
    """No published plan to export: IATI's schema requires at least one iati-activity."""


def iati_export(plans: QuerySet[Plan]) -> bytes:
    """The validated document of these plans' activities, as UTF-8 bytes. Only public plans
    (published, or archived: reported as closed) are exported, whatever the queryset holds; none is NoActivities (an empty iati-activities
    would not validate)."""
    activities = iati_activities(plans.public())
    if not activities:
        raise NoActivities
    document: etree._ElementTree = iati_document(activities)
    iati_validate(document)
    return iati_bytes(document)
