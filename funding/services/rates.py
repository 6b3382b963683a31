"""Exchange rates (units of a currency per USD): one recorded, or many imported from a file."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crp_portal.tables import error_messages

from ..models import Currency, ExchangeRate

RATE_PERMISSION = "funding.add_exchangerate"
# ExchangeRate.units_per_usd holds 8 decimals; a converted rate is rounded half-up to them.
RATE_PLACES = Decimal("0.00000001")


@dataclass(frozen=True)
class RateRow:
    """One rate read from a file; `row` is its line number there (for messages)."""

    row: int
    currency: str
    rate_on: datetime.date
    units_per_usd: Decimal


@dataclass
class RatesReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return _("%(created)d rates new, %(updated)d changed, %(unchanged)d unchanged.") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def rate_check_settable(*, actor) -> None:
    """PermissionDenied unless the actor may record exchange rates (funding officers may)."""
    if actor is None:
        return  # internal callers: the demo loader, imports run from the command line
    if not actor.is_authenticated or not actor.is_active or not actor.has_perm(RATE_PERMISSION):
        raise PermissionDenied(_("You may not set exchange rates."))


def rate_check_value(units_per_usd: Decimal, *, field_name: str = "units_per_usd") -> Decimal:
    """The rate, refused in words when not positive or when it does not fit the column."""
    if units_per_usd is None or not units_per_usd.is_finite() or units_per_usd <= 0:
        raise ValidationError({field_name: _("Give a rate above 0 (units of currency per USD).")})
    rounded = units_per_usd.quantize(RATE_PLACES)
    if rounded != units_per_usd:
        raise ValidationError({field_name: _("Give a rate with at most 8 decimal places.")})
    if rounded >= Decimal("1e12"):
        raise ValidationError({field_name: _("Give a rate below 1,000,000,000,000 per USD.")})
    return rounded


@transaction.atomic
def rate_record(
    *, currency: Currency, rate_on: datetime.date, units_per_usd: Decimal, actor=None
) -> tuple[ExchangeRate, bool]:
    """Record the rate of a currency from a date (replacing that day's rate). Idempotent.
    Returns the rate and whether anything was written. USD is always 1 and is not recorded."""
    rate_check_settable(actor=actor)
    if currency.pk == "USD":
        raise ValidationError({"currency": _("USD is always 1 per USD; it takes no rate.")})
    units_per_usd = rate_check_value(units_per_usd)
    rate = ExchangeRate.objects.select_for_update().filter(currency=currency, rate_on=rate_on)
    existing = rate.first()
    if existing is None:
        existing = ExchangeRate(currency=currency, rate_on=rate_on, units_per_usd=units_per_usd)
        existing.full_clean()
        existing.save()
        return existing, True
    if existing.units_per_usd == units_per_usd:
        return existing, False
    existing.units_per_usd = units_per_usd
    existing.save(update_fields=["units_per_usd", "updated_at"])
    return existing, True


def rates_import(
    *,
    rows: Iterable[RateRow],
    actor=None,
    dry_run: bool = False,
    report: RatesReport | None = None,
) -> RatesReport:
    """Import rates read from a file in one transaction: all of them, or (any error, or a dry
    run) none. Same day and currency as a recorded rate: replaced if different. Idempotent.
    `report` may carry the file's own errors (unreadable cells): then nothing is written either.
    Bulk writes, because the ECB's history alone is some 200,000 rates."""
    rate_check_settable(actor=actor)
    report = report or RatesReport()
    rows = list(rows)
    known = set(
        Currency.objects.filter(code__in={r.currency for r in rows}).values_list("pk", flat=True)
    )
    latest: dict[tuple[str, datetime.date], RateRow] = {}
    for r in rows:
        try:
            if r.currency not in known:
                raise ValidationError(
                    {
                        "currency": _("%(code)s is not an ISO 4217 currency code.")
                        % {"code": r.currency}
                    }
                )
            if r.currency == "USD":
                raise ValidationError({"currency": _("USD is always 1 per USD; it takes no rate.")})
            rate_check_value(r.units_per_usd)
        except ValidationError as error:
            report.errors.extend((r.row, message) for message in error_messages(error))
            continue
        latest[(r.currency, r.rate_on)] = r
    with transaction.atomic():
        recorded = {
            (code, on): rate
            for code, on, rate in ExchangeRate.objects.select_for_update()
            .filter(
                currency__in={code for code, _on in latest}, rate_on__in={on for _c, on in latest}
            )
            .values_list("currency", "rate_on", "units_per_usd")
        }
        new, changed = [], []
        for (code, on), r in latest.items():
            if (code, on) not in recorded:
                new.append(
                    ExchangeRate(currency_id=code, rate_on=on, units_per_usd=r.units_per_usd)
                )
            elif recorded[(code, on)] != r.units_per_usd:
                changed.append((code, on, r.units_per_usd))
        report.created, report.updated = len(new), len(changed)
        report.unchanged = len(latest) - len(new) - len(changed)
        if report.errors or dry_run:
            return report
        ExchangeRate.objects.bulk_create(new, batch_size=2000)
        now = timezone.now()
        for code, on, units_per_usd in changed:
            ExchangeRate.objects.filter(currency_id=code, rate_on=on).update(
                units_per_usd=units_per_usd, updated_at=now
            )
    return report
