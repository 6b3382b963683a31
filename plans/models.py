"""Plans: the places (regions, countries) and the crisis response plans for them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .document_files import CONTENT_TYPE_LABELS, document_upload_to, documents_storage
from .history_records import ChangedHistoricalRecords as HistoricalRecords
from .indicators import indicator_clean, indicator_text

if TYPE_CHECKING:
    from simple_history.manager import HistoryManager

MIN_YEAR, MAX_YEAR = 1990, 2100


class TimeStampedModel(models.Model):
    """Adds created_at and updated_at ("last updated") to a model."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class ChangeStampedModel(models.Model):
    """Adds `changed_at`: when the row's API representation last changed, the basis of
    `updated_since`. On PostgreSQL, triggers (partners/sync_sql.py) stamp it on the row's own
    writes and whenever something it shows changes (its rollup, its plan's publication, a renamed
    donor, sector or country...); elsewhere (SQLite) it is an auto-now stamp of full saves."""

    changed_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        abstract = True


class Region(ChangeStampedModel):
    """A regional office's area, e.g. "Asia and the Pacific"."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Country(ChangeStampedModel):
    """A country or territory of ISO 3166-1, loaded from pycountry (never typed by hand)."""

    iso3 = models.CharField(_("ISO3 code"), max_length=3, unique=True)
    iso2 = models.CharField(_("ISO2 code"), max_length=2, unique=True)
    name = models.CharField(max_length=120)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="countries"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(
                condition=Q(iso3__regex=r"^[A-Z]{3}$"), name="country_iso3_format"
            ),
            models.CheckConstraint(
                condition=Q(iso2__regex=r"^[A-Z]{2}$"), name="country_iso2_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.iso3})"


class PlanQuerySet(models.QuerySet):
    def published(self) -> PlanQuerySet:
        """Current public plans (not the archived ones: see public())."""
        return self.filter(status=self.model.Status.PUBLISHED)

    def public(self) -> PlanQuerySet:
        """What anyone may read and what the figures count: published and archived plans
        (an archived plan is a past plan, still public; a withdrawn one is not). Ref: #15/3."""
        return self.filter(status__in=PUBLIC_STATUSES)

    def archived(self) -> PlanQuerySet:
        return self.filter(status=self.model.Status.ARCHIVED)

    def visible_to(self, user) -> PlanQuerySet:
        """Admins see every plan; staff also their countries' other plans; others, public only."""
        if user is not None and user.is_active and user.is_superuser:
            return self
        public = Q(status__in=PUBLIC_STATUSES)
        if user is None or not user.is_authenticated:
            return self.filter(public)
        mine = self.filter(countries__in=user_countries(user)).values("pk")
        return self.filter(public | Q(pk__in=mine))

    def editable_by(self, user) -> PlanQuerySet:
        """Plans whose content this user may change: superusers all, editors their countries."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        mine = self.filter(countries__in=user_countries(user, roles=[Role.EDITOR])).values("pk")
        return self.filter(pk__in=mine)

    def reviewable_by(self, user) -> PlanQuerySet:
        """Plans this user may publish, return or archive: superusers all, reviewers their
        countries (a reviewer of a region covers its countries)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        mine = self.filter(countries__in=user_countries(user, roles=[Role.REVIEWER])).values("pk")
        return self.filter(pk__in=mine)

    def covering_year(self, year: int) -> PlanQuerySet:
        return self.filter(start_year__lte=year, end_year__gte=year)


def is_regional(*, kind: str, country_count: int) -> bool:
    """A regional plan: of the regional kind, or covering several countries (its badge on the
    pages, `is_regional` in the API). Ref: #12, item 3."""
    return kind == Plan.Kind.REGIONAL or country_count > 1


class Plan(ChangeStampedModel, TimeStampedModel):
    """A crisis response plan for one context and period, e.g. "Tajikistan CRP 2020"."""

    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country plan")
        REGIONAL = "regional", _("Regional plan")
        FLASH = "flash", _("Flash appeal")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")
        # Taken out of public view by a reviewer (a plan published in error, or superseded and
        # not to be shown): partners see it in the deletions feed.
        WITHDRAWN = "withdrawn", _("Withdrawn")

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=Kind, default=Kind.COUNTRY)
    countries = models.ManyToManyField(Country, related_name="plans")
    # How the plan works and what runs through all of it, as the published plans list them
    # (2024 on), chosen from catalogs (issue #15, item 2).
    modalities = models.ManyToManyField(
        "OperatingModality",
        blank=True,
        related_name="plans",
        verbose_name=_("key operating modalities"),
    )
    priorities = models.ManyToManyField(
        "CrossCuttingPriority",
        blank=True,
        related_name="plans",
        verbose_name=_("cross-cutting priorities"),
    )
    start_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    end_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    vision_statement = models.CharField(max_length=500, blank=True)
    vision_narrative = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status, default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # "Last updated" as the editor states it (issue #12, item 8): the date of the last content
    # edit or publication, set by those services unless the editor types another date in the
    # same save. Not updated_at, which any row save (rollup bookkeeping too) moves.
    last_updated_on = models.DateField(
        _("last updated"),
        default=timezone.localdate,
        help_text=_(
            "Shown on the plan's page. Every content edit and publication sets it to today, "
            "unless you type another date in the same save."
        ),
    )
    # The plan's required total when it was first published (issue #12, item 5): set once by
    # the publish service from the requirement rows, so a page can say "revised from $X".
    first_published_required_usd = models.DecimalField(
        _("required at first publication (USD)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )
    funding_updated_at = models.DateTimeField(
        _("funding updated"), null=True, blank=True, editable=False
    )
    # Set in the same transaction as any change that moves a figure; cleared by the recompute.
    # The beat sweep picks up plans left dirty (queue down, worker killed).
    rollup_dirty_since = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    # Bumped by every edit and transition; a save carrying an older one is refused (no lost
    # updates, issue 6). Rollup bookkeeping above does not touch it.
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PlanQuerySet.as_manager()
    # History: recorded with its translations, so registered in translation.py (after them).
    history: ClassVar[HistoryManager]

    class Meta:
        ordering = ["-start_year", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")),
                name="plan_end_year_not_before_start_year",
                violation_error_message=_("The end year is before the start year."),
            ),
            models.CheckConstraint(
                condition=Q(start_year__gte=MIN_YEAR, end_year__lte=MAX_YEAR),
                name="plan_years_in_range",
            ),
        ]
        indexes = [models.Index(fields=["status", "start_year"], name="plan_status_year_idx")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError(
                {
                    "end_year": _("End year %(end)s is before start year %(start)s.")
                    % {"end": self.end_year, "start": self.start_year}
                }
            )

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)

    @property
    def has_valid_period(self) -> bool:
        """Whether its years make a period; when not, its own error says so, and the rows whose
        years would fall outside it say nothing more (one mistake, one message)."""
        return bool(self.start_year and self.end_year and self.start_year <= self.end_year)

    @property
    def period_label(self) -> str:
        if self.start_year == self.end_year:
            return str(self.start_year)
        return f"{self.start_year}–{self.end_year}"

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES


# Statuses anyone may read and the figures count (PlanQuerySet.public): a past plan stays public.
PUBLIC_STATUSES = (Plan.Status.PUBLISHED, Plan.Status.ARCHIVED)


def year_outside_period(*, year: int, plan: Plan, field: str = "year") -> ValidationError:
    """The one message of the rule "a year's figures lie inside its plan's period", wherever it is
    broken: a plan year, a yearly requirement, or a plan whose period shrinks past them."""
    return ValidationError(
        {
            field: _("Year %(year)s is outside the plan's period %(period)s.")
            % {"year": year, "period": plan.period_label}
        }
    )


class PlanYear(models.Model):
    """The figures a plan states for one of its years (a multi-year plan has one row a year)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="plan_years")
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )
    people_in_need = models.PositiveIntegerField(null=True, blank=True)
    people_targeted = models.PositiveIntegerField(null=True, blank=True)
    entities_targeted = models.PositiveIntegerField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="plan_year_unique"),
        ]

    def __str__(self) -> str:
        return str(self.year)

    def clean(self) -> None:
        plan = getattr(self, "plan", None)
        if plan is None or not plan.has_valid_period:
            return  # the plan's own error (end before start) is the one message
        if self.year and not (plan.start_year <= self.year <= plan.end_year):
            raise year_outside_period(year=self.year, plan=plan)


class OperationalPresence(models.Model):
    """Staffing of a plan's country office, as of a date (Tajikistan: 3 / 37 / 2 at 2023-12-31)."""

    class Precision(models.TextChoices):
        DAY = "day", _("Day")
        MONTH = "month", _("Month")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="presences")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="presences")
    international_staff = models.PositiveIntegerField(
        _("international staff and affiliated workforce"), null=True, blank=True
    )
    national_staff = models.PositiveIntegerField(
        _("national staff and affiliated workforce"), null=True, blank=True
    )
    field_offices = models.PositiveIntegerField(null=True, blank=True)
    as_of_on = models.DateField(_("figures as of"), null=True, blank=True)
    as_of_precision = models.CharField(
        max_length=8,
        choices=Precision,
        default=Precision.DAY,
        help_text=_("'Month' shows the date as e.g. November 2024."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "country__name"]
        verbose_name_plural = "operational presences"
        constraints = [
            models.UniqueConstraint(fields=["plan", "country"], name="presence_one_per_country"),
        ]

    def __str__(self) -> str:
        return f"Presence in {self.country.name}"

    @property
    def is_stated(self) -> bool:
        """Whether any staffing figure is known; an unknown presence has no "as of" date to show."""
        figures = (self.international_staff, self.national_staff, self.field_offices)
        return any(figure is not None for figure in figures)


class PlanDocument(models.Model):
    """A file or a link attached to a plan: the plan's PDF, a situation report, an achievement
    report. Written by plans.services_documents only (the admin's section included); the file
    is kept in settings.STORAGES["documents"] and sent by the documents view, never a public
    folder (issue #15, item 1)."""

    class Kind(models.TextChoices):
        PLAN_DOCUMENT = "plan_document", _("Plan document")
        SITUATION_REPORT = "situation_report", _("Situation report")
        ACHIEVEMENT_REPORT = "achievement_report", _("Achievement report")
        OTHER = "other", _("Other")

    class Language(models.TextChoices):
        EN = "en", _("English")
        FR = "fr", _("French")
        ES = "es", _("Spanish")
        AR = "ar", _("Arabic")
        RU = "ru", _("Russian")
        ZH = "zh", _("Chinese")
        PT = "pt", _("Portuguese")
        OTHER = "other", _("Other language")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=24, choices=Kind, default=Kind.PLAN_DOCUMENT)
    title = models.CharField(max_length=200)
    language = models.CharField(max_length=8, choices=Language, default=Language.EN)
    published_on = models.DateField(_("date"), help_text=_("The date the document carries."))
    file = models.FileField(
        upload_to=document_upload_to,
        storage=documents_storage,
        max_length=300,
        blank=True,
        help_text=_("PDF, office document or image. Or give a link instead."),
    )
    url = models.URLField(
        _("link"), max_length=500, blank=True, help_text=_("A document published elsewhere.")
    )
    # Read from the file by the service (document_files.document_file_check), not typed.
    size_bytes = models.PositiveBigIntegerField(_("size (bytes)"), null=True, editable=False)
    content_type = models.CharField(_("type"), max_length=100, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["plan", "kind", "-published_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(file="") & ~Q(url="")) | (~Q(file="") & Q(url="")),
                name="plandocument_file_or_link",
                violation_error_message=_("Give a file or a link, not both."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_link(self) -> bool:
        return not self.file

    @staticmethod
    def reading_order(document: PlanDocument) -> tuple:
        """As a plan page lists them: the plan document first, then reports, newest first."""
        kinds = list(PlanDocument.Kind.values)
        return (kinds.index(document.kind), -document.published_on.toordinal(), document.title)

    @property
    def type_label(self) -> str:
        return CONTENT_TYPE_LABELS.get(self.content_type, "")


class PlanCatalogEntry(ChangeStampedModel):
    """An entry of a catalog plans choose from, loaded by plans.catalogs (never typed by hand);
    retired, never deleted, so the plans that chose it keep their meaning."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=120, unique=True)
    position = models.PositiveSmallIntegerField(
        default=0, help_text=_("Where the published plans list it.")
    )
    retired_on = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class OperatingModality(PlanCatalogEntry):
    """A key operating modality, e.g. "Cash-based interventions"."""

    class Meta(PlanCatalogEntry.Meta):
        verbose_name = _("key operating modality")
        verbose_name_plural = _("key operating modalities")


class CrossCuttingPriority(PlanCatalogEntry):
    """A cross-cutting priority, e.g. "Protection mainstreaming"."""

    class Meta(PlanCatalogEntry.Meta):
        verbose_name = _("cross-cutting priority")
        verbose_name_plural = _("cross-cutting priorities")


class ContextIndicator(models.Model):
    """One context indicator of a plan as its published page states it, with its source and
    year: INFORM Risk "8.9, Very high", INFORM Severity "5, Very high", HDI rank "193 of 193",
    State of Fragility "Extremely fragile" (issue #15, item 2). Written by
    plans.services.indicators_replace; the rules of each kind are in plans.indicators."""

    class Kind(models.TextChoices):
        INFORM_RISK = "inform_risk", _("INFORM Risk")
        INFORM_SEVERITY = "inform_severity", _("INFORM Severity")
        HDI_RANK = "hdi_rank", _("Human Development Index rank")
        FRAGILITY = "fragility", _("State of Fragility")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(max_length=24, choices=Kind)
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)],
        help_text=_("The edition or data year the source gives."),
    )
    value = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("INFORM: the score (Risk 0–10, Severity 0–5). HDI: the rank."),
    )
    of_total = models.PositiveSmallIntegerField(
        _("of"), null=True, blank=True, help_text=_("HDI: the number of countries ranked.")
    )
    label = models.CharField(
        max_length=60,
        blank=True,
        help_text=_("INFORM: left empty, the class of the score. Fragility: the label."),
    )
    source = models.CharField(
        max_length=200, blank=True, help_text=_("Left empty, the indicator's publisher.")
    )
    source_url = models.URLField(_("source link"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind"], name="indicator_one_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"

    @staticmethod
    def reading_order(indicator: ContextIndicator) -> int:
        """The published pages' order: INFORM Risk, INFORM Severity, HDI rank, fragility."""
        return list(ContextIndicator.Kind.values).index(indicator.kind)

    def clean(self) -> None:
        indicator_clean(self)

    @property
    def text(self) -> str:
        return indicator_text(
            kind=self.kind, value=self.value, of_total=self.of_total, label=self.label
        )


class Role(models.TextChoices):
    EDITOR = "editor", _("Editor")
    REVIEWER = "reviewer", _("Reviewer")
    FUNDING_OFFICER = "funding_officer", _("Funding officer")


class RoleAssignment(models.Model):
    """What a user may do, and where: editor / reviewer / funding officer of countries or regions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(max_length=16, choices=Role)
    countries = models.ManyToManyField(Country, blank=True, related_name="role_assignments")
    regions = models.ManyToManyField(Region, blank=True, related_name="role_assignments")
    all_countries = models.BooleanField(default=False)

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="role_assignment_one_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()}"


# Here rather than in plans.roles (which re-exports it), so the plan querysets above need no
# import of roles (a cycle: roles reads these models).
def user_countries(user, *, roles: Iterable[str] | None = None) -> models.QuerySet:
    """Countries covered by the user's role assignments (all roles unless `roles` is given)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Country.objects.none()
    assignments = RoleAssignment.objects.filter(user=user)
    if roles is not None:
        assignments = assignments.filter(role__in=list(roles))
    if user.is_superuser or assignments.filter(all_countries=True).exists():
        return Country.objects.all()
    return Country.objects.filter(
        Q(role_assignments__in=assignments) | Q(region__role_assignments__in=assignments)
    ).distinct()


class PlanTransition(models.Model):
    """One step of a plan through review: who moved it from which status to which, and why."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=Plan.Status)
    to_status = models.CharField(max_length=16, choices=Plan.Status)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(db_index=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["plan", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.plan.slug}: {self.from_status} → {self.to_status}"
