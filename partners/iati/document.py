"""The IATI 2.03 `iati-activities` document of a list of activities (activities.py), written with
lxml element by element in the order of the schema's sequence (schema.py checks it).

Choices where IATI allows one value and the portal has two (say so to data users):
- a transaction's value is the contribution's original amount and currency, valued on its date;
  the fixed USD amount and the rate used are in the transaction's description;
- budgets are in USD (requirements are typed in USD), valued on the first day of their year.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from lxml import etree

from .activities import Activity, Budget, Transaction

IATI_VERSION = "2.03"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# IATI codes used below: OrganisationRole 1 funding, 2 accountable, 4 implementing;
# ActivityDateType 1 planned start, 3 planned end; HumanitarianScopeType 2 appeal with the
# reporting organisation's vocabulary (99), the plan's slug as code; BudgetType 1 original,
# BudgetStatus 1 indicative; DescriptionType 1 general.
ROLE_FUNDING, ROLE_ACCOUNTABLE, ROLE_IMPLEMENTING = "1", "2", "4"
# Characters XML 1.0 cannot carry (control characters pasted from word processors, say): left
# out, so that a narrative never makes the export fail.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str | None):
    values = {k.replace("_", "-"): NOT_XML.sub("", v) for k, v in attrs.items() if v}
    element = etree.SubElement(parent, tag, values)
    if text is not None:
        element.text = NOT_XML.sub("", text)
    return element


def _narrated(parent: etree._Element, tag: str, text: str, **attrs: str | None):
    element = _sub(parent, tag, **attrs)
    _sub(element, "narrative", text)
    return element


def _reporting_org(parent: etree._Element, tag: str, **attrs: str | None) -> None:
    _narrated(
        parent,
        tag,
        settings.IATI_REPORTING_ORG_NAME,
        ref=settings.IATI_REPORTING_ORG_REF,
        type=settings.IATI_REPORTING_ORG_TYPE,
        **attrs,
    )


def _budget(parent: etree._Element, budget: Budget) -> None:
    element = _sub(parent, "budget", type="1", status="1")
    _sub(element, "period-start", iso_date=budget.period_start.isoformat())
    _sub(element, "period-end", iso_date=budget.period_end.isoformat())
    _sub(
        element,
        "value",
        _money(budget.value_usd),
        currency="USD",
        value_date=budget.period_start.isoformat(),
    )


def _transaction(parent: etree._Element, transaction: Transaction) -> None:
    element = _sub(parent, "transaction", ref=transaction.reference or None)
    _sub(element, "transaction-type", code=transaction.type_code)
    _sub(element, "transaction-date", iso_date=transaction.on.isoformat())
    _sub(
        element,
        "value",
        _money(transaction.amount),
        currency=transaction.currency,
        value_date=transaction.on.isoformat(),
    )
    _narrated(
        element,
        "description",
        f"USD {_money(transaction.amount_usd)} at {transaction.units_per_usd.normalize():f} "
        f"{transaction.currency} per USD, the rate in force on {transaction.on.isoformat()}.",
    )
    _narrated(element, "provider-org", transaction.donor_name, type=transaction.donor_type)


def _activity(parent: etree._Element, activity: Activity) -> None:
    element = _sub(
        parent,
        "iati-activity",
        last_updated_datetime=activity.last_updated.isoformat(timespec="seconds"),
        default_currency="USD",
        humanitarian="1",
    )
    element.set(XML_LANG, "en")
    _sub(element, "iati-identifier", activity.identifier)
    _reporting_org(element, "reporting-org")
    _narrated(element, "title", activity.title)
    _narrated(element, "description", activity.description, type="1")
    _reporting_org(element, "participating-org", role=ROLE_ACCOUNTABLE)
    _reporting_org(element, "participating-org", role=ROLE_IMPLEMENTING)
    for name, kind in activity.funders:
        _narrated(element, "participating-org", name, role=ROLE_FUNDING, type=kind)
    _sub(element, "activity-status", code=activity.status_code)
    _sub(element, "activity-date", type="1", iso_date=activity.start.isoformat())
    _sub(element, "activity-date", type="3", iso_date=activity.end.isoformat())
    _sub(element, "activity-scope", code=activity.scope_code)
    for country in activity.countries:
        _narrated(
            element,
            "recipient-country",
            country.name,
            code=country.code,
            percentage=_money(country.percentage),
        )
    for sector in activity.sectors:
        _narrated(
            element,
            "sector",
            sector.name,
            vocabulary=sector.vocabulary,
            code=sector.code,
            percentage=_money(sector.percentage),
        )
    _narrated(
        element, "humanitarian-scope", activity.title, type="2", vocabulary="99", code=activity.slug
    )
    for budget in activity.budgets:
        _budget(element, budget)
    for transaction in activity.transactions:
        _transaction(element, transaction)


def iati_document(
    activities: list[Activity], *, generated_at: datetime.datetime | None = None
) -> etree._ElementTree:
    """The `iati-activities` document (version 2.03) of these activities."""
    generated_at = generated_at or timezone.now()
    root = etree.Element(
        "iati-activities",
        {"version": IATI_VERSION, "generated-datetime": generated_at.isoformat(timespec="seconds")},
    )
    for activity in activities:
        _activity(root, activity)
    return etree.ElementTree(root)


def iati_bytes(document: etree._ElementTree) -> bytes:
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)
