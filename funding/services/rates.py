"""Exchange rates: units of a currency per USD in force from a date, recorded by funding
officers. A new rate changes no recorded contribution: each keeps the rate it was fixed at."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from plans.roles import Role, user_has_role

from ..models import Currency, ExchangeRate
from .contributions import USD


@transaction.atomic
def rate_record(
    *, user, currency: Currency, on: datetime.date, units_per_usd: Decimal
) -> ExchangeRate:
    """Record the rate of `currency` in force from `on` (a second rate for the same day
    replaces the first). Funding officers and administrators only."""
    if not user_has_role(user, Role.FUNDING_OFFICER):
        raise PermissionDenied(_("Only funding officers may record exchange rates."))
    if currency.pk == USD:
        raise ValidationError({"currency": _("USD is the base currency: its rate is always 1.")})
    rate = ExchangeRate.objects.select_for_update().filter(
        currency=currency, rate_on=on
    ).first() or ExchangeRate(currency=currency, rate_on=on)
    rate.units_per_usd = units_per_usd
    rate.full_clean(validate_unique=False)
    rate.save()
    return rate
