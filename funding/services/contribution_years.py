"""The years of its plan a contribution is for (issue #12, item 4), written with the contribution.

A contribution is for one year of its plan or split across several, as FTS splits a multi-year
flow into one child flow per usage year. Its shares (funding.models.ContributionYear) are given
in its own currency and must add up to its amount exactly; each share's USD is converted at the
contribution's rate, and the cents lost to rounding go to the largest share, so the shares' USD
add up to the contribution's USD exactly (the plan's years add up to its whole period).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from plans.models import Plan

from ..figures import usd_amount
from ..models import Contribution, ContributionYear

# (year, amount in the contribution's currency); amount None: the whole amount (one year only).
YearShares = Sequence[tuple[int, Decimal | None]]


def _years_label(years) -> str:
    return ", ".join(str(y) for y in years)


def years_resolve(
    *,
    plan: Plan,
    amount: Decimal,
    contributed_on,
    given: YearShares | None,
    saved: list[tuple[int, Decimal]],
) -> list[tuple[int, Decimal]]:
    """The shares to record: those given, checked; else the saved ones when they still fit (one
    year follows a corrected amount); else, for a new contribution, the year of its date."""
    if given is not None:
        return years_check(plan=plan, amount=amount, years=given)
    in_period = all(plan.start_year <= year <= plan.end_year for year, _share in saved)
    if len(saved) == 1 and in_period:
        return [(saved[0][0], amount)]
    if len(saved) > 1:
        if in_period and sum(share for _year, share in saved) == amount:
            return saved
        raise ValidationError(
            {
                "years": _(
                    "This contribution is split across %(years)s; give the years it is for "
                    "again, with amounts adding up to %(amount)s."
                )
                % {"years": _years_label(y for y, _s in saved), "amount": f"{amount:,.2f}"}
            }
        )
    return [(contributed_on.year, amount)]


def years_check(*, plan: Plan, amount: Decimal, years: YearShares) -> list[tuple[int, Decimal]]:
    """Each year once and inside the plan's period, each share at least 0, together the whole
    amount; a single year may leave its amount out (the whole amount). One message per mistake."""
    if not years:
        raise ValidationError({"years": _("Give at least one year the contribution is for.")})
    if len(years) == 1 and years[0][1] is None:
        years = [(years[0][0], amount)]
    seen: set[int] = set()
    shares: list[tuple[int, Decimal]] = []
    for year, share in years:
        if not plan.start_year <= year <= plan.end_year:
            raise ValidationError(
                {
                    "years": _("Year %(year)s is outside the plan's period %(period)s.")
                    % {"year": year, "period": plan.period_label}
                }
            )
        if year in seen:
            raise ValidationError({"years": _("Year %(year)s is given twice.") % {"year": year}})
        if share is None:
            raise ValidationError(
                {
                    "years": _(
                        "Give the amount for %(year)s: a contribution split across several "
                        "years says how much is for each."
                    )
                    % {"year": year}
                }
            )
        if share < 0:
            raise ValidationError(
                {"years": _("The amount for %(year)s is negative.") % {"year": year}}
            )
        seen.add(year)
        shares.append((year, share))
    total = sum((share for _year, share in shares), Decimal("0"))
    if total != amount:
        raise ValidationError(
            {
                "years": _(
                    "The years' amounts add up to %(total)s, not to the contribution's %(amount)s."
                )
                % {"total": f"{total:,.2f}", "amount": f"{amount:,.2f}"}
            }
        )
    return sorted(shares)


def years_write(*, contribution: Contribution, shares: list[tuple[int, Decimal]]) -> None:
    """Replace the contribution's shares (its USD and rate already set)."""
    usd = [
        usd_amount(amount=share, units_per_usd=contribution.units_per_usd) for _y, share in shares
    ]
    largest = max(range(len(shares)), key=lambda i: (shares[i][1], -i))
    usd[largest] += contribution.amount_usd - sum(usd)
    rows = [
        ContributionYear(contribution=contribution, year=year, amount=share, amount_usd=share_usd)
        for (year, share), share_usd in zip(shares, usd, strict=True)
    ]
    existing = list(contribution.years.values_list("year", "amount", "amount_usd"))
    if existing == [(r.year, r.amount, r.amount_usd) for r in rows]:
        return  # unchanged: no write (nor a stamp for syncing partners)
    contribution.years.all().delete()
    ContributionYear.objects.bulk_create(rows)


_SHARE = re.compile(r"^\s*(\d{4})\s*(?::\s*([0-9][0-9,]*(?:\.[0-9]+)?))?\s*$")


def years_parse(text: str) -> list[tuple[int, Decimal | None]] | None:
    """The admin's field and the import files' column: "2021", or "2020: 20,000; 2021: 30,000"
    (amounts in the contribution's currency). Empty: None (the years stay as recorded, or the
    date's year). A ValidationError with a message (the caller names the field)."""
    text = text.strip()
    if not text:
        return None
    shares: list[tuple[int, Decimal | None]] = []
    for part in re.split(r"[;\n]+", text):
        if not part.strip():
            continue
        match = _SHARE.match(part)
        if match is None:
            raise ValidationError(
                _(
                    "Write a year (2021) or years with amounts (2020: 20000; 2021: 30000); "
                    "%(part)s is neither."
                )
                % {"part": f"“{part.strip()}”"}
            )
        year, share = match.groups()
        try:
            shares.append((int(year), Decimal(share.replace(",", "")) if share else None))
        except InvalidOperation as error:  # "1,2.3,4" passes the pattern, not Decimal
            raise ValidationError(_("%(part)s is not an amount.") % {"part": share}) from error
    return shares


def years_format(contribution: Contribution) -> str:
    """The admin field's text for the recorded shares ("2021", or "2020: 20,000.00; …")."""
    shares = list(contribution.years.values_list("year", "amount"))
    if len(shares) == 1:
        return str(shares[0][0])
    return "; ".join(f"{year}: {share:,.2f}" for year, share in shares)
