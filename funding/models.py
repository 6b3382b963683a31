"""Funding: what interventions require, what donors give, and the stored rollups of both."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from interventions.models import Intervention
from objectives.models import Objective
from plans.history_records import ChangedHistoricalRecords as HistoricalRecords
from plans.models import (
    MAX_YEAR,
    MIN_YEAR,
    ChangeStampedModel,
    Country,
    Plan,
    TimeStampedModel,
    year_outside_period,
)

MONEY = {"max_digits": 16, "decimal_places": 2}
ZERO = Decimal("0.00")
# The most a MONEY column holds, so the most one amount and one plan's total may be: every figure
# of a plan (its years, objectives, interventions) is a part of its total, so bounding the total
# at the write means no plan rollup can overflow its column (issue 11, item 3).
MAX_MONEY_USD = Decimal("99999999999999.99")
# Cross-plan groups add up many plans' totals: 10⁸ plans at the bound still fit.
GROUP_MONEY = {"max_digits": 24, "decimal_places": 2}
# Coverage is a ratio, not an amount: received × 100 ÷ required can reach (the largest total) ×
# 100 ÷ 0.01, i.e. 10²⁶ for a group. 30 digits hold every ratio bounded figures can give, so a
# requirement of 0.01 against real money is stored, not a DataError (numeric(9,2) was).
PERCENT = {"max_digits": 30, "decimal_places": 2}


def money_bound_message() -> str:
    return _("Give at most %(most)s USD: larger amounts cannot be stored.") % {
        "most": f"{MAX_MONEY_USD:,}"
    }


def at_most_money(value: Decimal) -> None:
    """Model validator of every USD amount: one message naming the limit."""
    if value is not None and value > MAX_MONEY_USD:
        raise ValidationError(money_bound_message(), code="max_value")


class Currency(models.Model):
    """An ISO 4217 currency, loaded from pycountry."""

    code = models.CharField(max_length=3, primary_key=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "currencies"
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{3}$"), name="currency_code_iso"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class RequirementQuerySet(models.QuerySet):
    def visible_to(self, user) -> RequirementQuerySet:
        return self.filter(intervention__objective__plan__in=Plan.objects.visible_to(user))


class Requirement(TimeStampedModel):
    """Money an intervention needs in one year of its plan, in USD. The only typed requirement."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="requirements"
    )
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    amount_usd = models.DecimalField(
        _("required (USD)"), validators=[MinValueValidator(ZERO), at_most_money], **MONEY
    )

    objects = RequirementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["intervention", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "year"],
                name="requirement_one_per_intervention_year",
                violation_error_message=_(
                    "This intervention already has a requirement for that year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(amount_usd__gte=0), name="requirement_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="requirement_year_range"
            ),
        ]

    def __str__(self) -> str:
        if self.amount_usd is None:
            return str(self.year)
        whole = self.amount_usd == self.amount_usd.to_integral_value()
        return f"{self.year}: ${self.amount_usd:,.{0 if whole else 2}f}"  # "2020: $700,000"

    def clean(self) -> None:
        # A cross-table rule, so not a CHECK: the year must be one of the plan's years.
        intervention = getattr(self, "intervention", None)
        if intervention is None or not self.year:
            return
        plan = intervention.objective.plan
        if plan.has_valid_period and not plan.start_year <= self.year <= plan.end_year:
            raise year_outside_period(year=self.year, plan=plan)  # else: the plan's own error


class Donor(ChangeStampedModel, TimeStampedModel):
    """A government, multilateral, pooled fund or private donor."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        MULTILATERAL = "multilateral", _("Multilateral")
        POOLED_FUND = "pooled_fund", _("Pooled fund")
        PRIVATE = "private", _("Private")
        OTHER = "other", _("Other")

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=Kind, default=Kind.GOVERNMENT)
    country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="donors"
    )
    # The donor's organisation id in OCHA's Financial Tracking Service: FTS imports match by it.
    fts_organization_id = models.PositiveIntegerField(
        _("FTS organisation id"), null=True, blank=True, unique=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ExchangeRate(ChangeStampedModel, TimeStampedModel):
    """Units of a currency per USD in force from a date (CHF 0.999 means 1 USD = 0.999 CHF)."""

    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="rates")
    rate_on = models.DateField(_("in force from"))
    units_per_usd = models.DecimalField(max_digits=20, decimal_places=8)

    class Meta:
        ordering = ["currency", "-rate_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "rate_on"], name="exchange_rate_one_per_day"
            ),
            models.CheckConstraint(condition=Q(units_per_usd__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency_id} {self.units_per_usd} per USD from {self.rate_on}"


class ContributionQuerySet(models.QuerySet):
    def visible_to(self, user) -> ContributionQuerySet:
        return self.filter(plan__in=Plan.objects.visible_to(user))

    def received(self) -> ContributionQuerySet:
        """Committed and paid money; pledges are never counted as received."""
        return self.filter(status__in=self.model.RECEIVED_STATUSES)

    def pledged(self) -> ContributionQuerySet:
        return self.filter(status=self.model.Status.PLEDGED)


class Contribution(ChangeStampedModel, TimeStampedModel):
    """Money from a donor to a plan, optionally earmarked to one of its objectives or interventions.

    `objective` is filled whenever `intervention` is, so that a contribution counts at its
    destination and every level above it by a plain filter, once.
    """

    class Status(models.TextChoices):
        PLEDGED = "pledged", _("Pledged")
        COMMITTED = "committed", _("Committed")
        PAID = "paid", _("Paid")

    RECEIVED_STATUSES = (Status.COMMITTED, Status.PAID)

    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, related_name="contributions")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="contributions")
    objective = models.ForeignKey(
        Objective, null=True, blank=True, on_delete=models.PROTECT, related_name="contributions"
    )
    intervention = models.ForeignKey(
        Intervention, null=True, blank=True, on_delete=models.PROTECT, related_name="contributions"
    )
    amount = models.DecimalField(
        _("amount (original currency)"), validators=[MinValueValidator(ZERO)], **MONEY
    )
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="contributions")
    units_per_usd = models.DecimalField(
        _("exchange rate used (units per USD)"), max_digits=20, decimal_places=8
    )
    amount_usd = models.DecimalField(_("amount (USD)"), validators=[at_most_money], **MONEY)
    status = models.CharField(max_length=16, choices=Status, db_index=True)
    contributed_on = models.DateField(_("date"))
    reference = models.CharField(max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A flow imported from FTS (funding.services.fts_imports): its id and version there, so a
    # re-import updates it (a newer version) or leaves it (the same), never duplicates it.
    fts_flow_id = models.PositiveBigIntegerField(
        _("FTS flow id"), null=True, blank=True, unique=True, editable=False
    )
    fts_version_id = models.PositiveIntegerField(null=True, blank=True, editable=False)

    # Bumped by every edit; a save carrying an older one is refused (no lost updates, issue 6).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ContributionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-contributed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="contribution_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(amount_usd__gte=0), name="contribution_amount_usd_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(units_per_usd__gt=0), name="contribution_rate_positive"
            ),
            models.CheckConstraint(
                condition=Q(intervention__isnull=True) | Q(objective__isnull=False),
                name="contribution_intervention_implies_objective",
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "status"], name="contribution_plan_status_idx"),
            # The API's default order: a page is read off the index, not sorted from every row.
            models.Index(fields=["-contributed_on", "-id"], name="contribution_date_order_idx"),
            models.Index(fields=["objective", "status"], name="contribution_obj_status_idx"),
            models.Index(fields=["intervention", "status"], name="contribution_int_status_idx"),
            models.Index(fields=["donor", "status"], name="contribution_donor_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.donor} → {self.plan.slug}: {self.amount} {self.currency_id} ({self.status})"


class ContributionYear(models.Model):
    """The part of a contribution that is for one year of its plan (FTS's "usage year"; a flow
    for several years is split into one child per year there, and the parent is not counted).

    Every contribution has one or more, written with it by funding.services (never on their
    own): their amounts add up exactly to the contribution's, in its currency and in USD. A plan
    year's received and pledged are the sums of its shares, whatever the contributions' dates;
    every other total still sums the contributions themselves."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    amount = models.DecimalField(_("amount (original currency)"), **MONEY)
    amount_usd = models.DecimalField(_("amount (USD)"), **MONEY)

    class Meta:
        ordering = ["contribution", "year"]
        verbose_name = _("year a contribution is for")
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "year"],
                name="contribution_year_once",
                violation_error_message=_("A year is given twice for this contribution."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0, amount_usd__gte=0), name="contribution_year_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="contribution_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount_usd} USD"


class RollupFigures(models.Model):
    """Stored funding figures of one scope. `required_usd` is NULL when nothing is costed."""

    required_usd = models.DecimalField(null=True, blank=True, **MONEY)
    received_usd = models.DecimalField(default=ZERO, **MONEY)
    pledged_usd = models.DecimalField(default=ZERO, **MONEY)
    gap_usd = models.DecimalField(null=True, blank=True, **MONEY)
    coverage_percent = models.DecimalField(null=True, blank=True, **PERCENT)
    computed_at = models.DateTimeField()

    FIGURE_FIELDS = ("required_usd", "received_usd", "pledged_usd", "gap_usd", "coverage_percent")

    class Meta:
        abstract = True


class PlanRollup(RollupFigures):
    """A plan's whole-period funding figures."""

    plan = models.OneToOneField(
        Plan, on_delete=models.CASCADE, primary_key=True, related_name="rollup"
    )

    class Meta:
        ordering = ["plan"]

    def __str__(self) -> str:
        return f"rollup of {self.plan_id}"


class PlanYearRollup(RollupFigures):
    """A plan's funding figures for one of its years (received by contribution date)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="year_rollups")
    year = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["plan", "year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="plan_year_rollup_unique"),
        ]

    def __str__(self) -> str:
        return f"rollup of {self.plan_id} in {self.year}"


class ObjectiveRollup(RollupFigures):
    objective = models.OneToOneField(
        Objective, on_delete=models.CASCADE, primary_key=True, related_name="rollup"
    )

    class Meta:
        ordering = ["objective"]

    def __str__(self) -> str:
        return f"rollup of objective {self.objective_id}"


class InterventionRollup(RollupFigures):
    intervention = models.OneToOneField(
        Intervention, on_delete=models.CASCADE, primary_key=True, related_name="rollup"
    )

    class Meta:
        ordering = ["intervention"]

    def __str__(self) -> str:
        return f"rollup of intervention {self.intervention_id}"


class GroupRollup(RollupFigures):
    """Figures across published plans grouped by a dimension; key "" is "not specified"."""

    class Dimension(models.TextChoices):
        COUNTRY = "country", _("Country")
        REGION = "region", _("Region")
        YEAR = "year", _("Year")
        STRATEGIC_OBJECTIVE = "strategic_objective", _("Strategic objective")
        SECTOR = "sector", _("Sector")
        DONOR = "donor", _("Donor")

    dimension = models.CharField(max_length=24, choices=Dimension)
    # "multi-country-" and a region's slug (up to 120) fit: a long region name once made every
    # recompute of its group fail (DataError), leaving it dirty for ever.
    key = models.CharField(max_length=140, blank=True)
    label = models.CharField(max_length=200)
    # Sums of many plans' totals: wider than one plan's (GROUP_MONEY).
    required_usd = models.DecimalField(null=True, blank=True, **GROUP_MONEY)
    received_usd = models.DecimalField(default=ZERO, **GROUP_MONEY)
    pledged_usd = models.DecimalField(default=ZERO, **GROUP_MONEY)
    gap_usd = models.DecimalField(null=True, blank=True, **GROUP_MONEY)
    # Received by costed scopes only: what gap and coverage are computed from (see
    # funding.selectors.group_figures). received_usd stays all the money received.
    received_costed_usd = models.DecimalField(default=ZERO, **GROUP_MONEY)

    class Meta:
        ordering = ["dimension", "label"]
        constraints = [
            models.UniqueConstraint(fields=["dimension", "key"], name="group_rollup_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.key or 'not specified'}"


class GroupRollupState(models.Model):
    """The one row that says whether the cross-plan group rollups are stale.

    Edits of published plans add one to `edits` in their own transaction; a group recompute reads
    `edits` before it starts and stores it in `computed_edits` when done. The groups are stale
    while edits > computed_edits. A counter (not a timestamp) so that an edit committed while a
    recompute runs is never mistaken for one it has seen.
    """

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON)
    edits = models.BigIntegerField(default=0)
    computed_edits = models.BigIntegerField(default=0)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="group_rollup_state_singleton"),
        ]

    def __str__(self) -> str:
        return f"group rollups: {self.edits - self.computed_edits} edits not yet computed"

    @property
    def is_stale(self) -> bool:
        return self.edits > self.computed_edits


class RollupAudit(models.Model):
    """One run of the nightly audit: a full recompute compared with what was stored."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_checked = models.PositiveIntegerField(default=0)
    discrepancy_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"rollup audit of {self.started_at:%Y-%m-%d %H:%M} ({self.discrepancy_count} found)"


class RollupDiscrepancy(models.Model):
    """A stored rollup figure that differed from a fresh computation (then repaired).

    `plan_was_dirty` tells a pending recompute (harmless: an edit was waiting for its recompute)
    from a real miss (a lost trigger or a bug), which is what an operator should look into.
    """

    class Scope(models.TextChoices):
        PLAN = "plan", _("Plan")
        PLAN_YEAR = "plan_year", _("Plan year")
        OBJECTIVE = "objective", _("Objective")
        INTERVENTION = "intervention", _("Intervention")
        GROUP = "group", _("Group")

    audit = models.ForeignKey(RollupAudit, on_delete=models.CASCADE, related_name="discrepancies")
    scope = models.CharField(max_length=16, choices=Scope)
    scope_key = models.CharField(
        max_length=160, help_text=_("e.g. the intervention id, or 'country=TJK'")
    )
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    plan_was_dirty = models.BooleanField(default=False)
    field = models.CharField(max_length=32)
    stored = models.CharField(max_length=40, blank=True, help_text=_("empty: no value / no row"))
    fresh = models.CharField(max_length=40, blank=True, help_text=_("empty: no value / no row"))

    class Meta:
        ordering = ["audit", "scope", "scope_key", "field"]
        verbose_name_plural = "rollup discrepancies"

    def __str__(self) -> str:
        return f"{self.scope} {self.scope_key} {self.field}: {self.stored!r} → {self.fresh!r}"


class RollupFailure(models.Model):
    """A stored rollup that could not be recomputed (e.g. a figure its column cannot hold).

    Written when a plan's (or a group's) recompute raises; the sweep, the group recompute and
    the audit go on with the other plans and groups and leave this scope dirty, so it is retried
    at the next sweep. Deleted by the first recompute that succeeds. Operators see it in the
    admin (Funding › Rollup failures) and in the log.
    """

    class Scope(models.TextChoices):
        PLAN = "plan", _("Plan")
        GROUP = "group", _("Group")

    scope = models.CharField(max_length=16, choices=Scope)
    scope_key = models.CharField(max_length=160, help_text=_("the plan id, or 'country=TJK'"))
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    error = models.TextField()
    attempts = models.PositiveIntegerField(default=1)
    first_failed_at = models.DateTimeField()
    last_failed_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_failed_at"]
        constraints = [
            models.UniqueConstraint(fields=["scope", "scope_key"], name="rollup_failure_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.scope_key}: {self.attempts} failed recomputes"


from .models_fts import FtsClusterSector, FtsImportRun, FtsUnmatchedFlow  # noqa: E402,F401  (their app's models)
