"""The figure rules of DESIGN.md, in one place: gap, coverage and their rounding."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | str | None) -> Decimal | None:
    """Quantize to the cent, half-up; None stays None (unknown is not zero)."""
    if value is None:
        return None
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def usd_amount(*, amount: Decimal, units_per_usd: Decimal) -> Decimal:
    """original ÷ units per USD, rounded half-up to the cent (CHF 1,000,000 at 0.999 → 1,001,001.00)."""
    return (amount / units_per_usd).quantize(CENT, rounding=ROUND_HALF_UP)


def gap(required: Decimal | None, received: Decimal) -> Decimal | None:
    """max(required − received, 0); unknown when nothing is costed."""
    if required is None:
        return None
    return max(required - received, ZERO)


def coverage_percent(required: Decimal | None, received: Decimal) -> Decimal | None:
    """received / required in percent, 2 decimals half-up; none when required is unknown or 0."""
    if not required:
        return None
    return (received * 100 / required).quantize(CENT, rounding=ROUND_HALF_UP)


def whole_percent(percent: Decimal | None) -> int | None:
    """Pages show a whole percent, rounded half-up (10.50 % → 11 %); over-funding is not capped."""
    if percent is None:
        return None
    return int(percent.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Figures:
    """Funding figures of one scope. `required` None means "not yet costed"."""

    required: Decimal | None
    received: Decimal = ZERO
    pledged: Decimal = ZERO
    # The part of `received` that gap and coverage count. None means all of it, as for one plan
    # or one of its levels. Across plans (group rollups) it leaves out money received by scopes
    # that are not costed: unknown is not zero, so that money must not inflate coverage.
    covered: Decimal | None = None

    def __post_init__(self) -> None:
        # SQLite returns sums with spurious digits; every figure is held to the cent.
        for name in ("required", "received", "pledged", "covered"):
            object.__setattr__(self, name, money(getattr(self, name)))

    @property
    def counted(self) -> Decimal:
        """The received money that gap and coverage are computed from."""
        return self.received if self.covered is None else self.covered

    @property
    def gap(self) -> Decimal | None:
        return gap(self.required, self.counted)

    @property
    def coverage_percent(self) -> Decimal | None:
        return coverage_percent(self.required, self.counted)

    @property
    def coverage_whole_percent(self) -> int | None:
        return whole_percent(self.coverage_percent)

    @property
    def is_costed(self) -> bool:
        return self.required is not None

    ROW_FIELDS = ("required_usd", "received_usd", "pledged_usd", "gap_usd", "coverage_percent")

    def as_row(self) -> dict[str, Decimal | None]:
        """The stored-rollup columns for these figures."""
        return {
            "required_usd": money(self.required),
            "received_usd": money(self.received),
            "pledged_usd": money(self.pledged),
            "gap_usd": money(self.gap),
            "coverage_percent": self.coverage_percent,
        }

    @classmethod
    def from_row(cls, row) -> Figures:
        return cls(
            required=row.required_usd,
            received=row.received_usd,
            pledged=row.pledged_usd,
            covered=getattr(row, "received_costed_usd", None),
        )


NOT_COSTED = Figures(required=None)
