"""What the FTS import keeps besides contributions (issue #14, item 4): which global cluster
means which of our sectors, and the flows to us that match no plan, until an officer assigns
them. The flows themselves become contributions (Contribution.fts_flow_id)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from interventions.models import Sector


class FtsClusterSector(models.Model):
    """An FTS global cluster and the sector it means here: a flow whose cluster maps to exactly
    one intervention's sector of its plan is earmarked to that intervention."""

    global_cluster = models.CharField(
        _("FTS global cluster"),
        max_length=200,
        unique=True,
        help_text=_("As FTS names it, e.g. “Emergency Shelter and NFI”."),
    )
    sector = models.ForeignKey(Sector, on_delete=models.CASCADE, related_name="fts_clusters")

    class Meta:
        ordering = ["global_cluster"]
        verbose_name = _("FTS cluster → sector")
        verbose_name_plural = _("FTS clusters → sectors")

    def __str__(self) -> str:
        return f"{self.global_cluster} → {self.sector}"


class FtsUnmatchedFlow(models.Model):
    """A flow to us that the import could not place (no plan of its country covers its usage
    year, its country is not known, several plans could take it…): listed, never dropped."""

    flow_id = models.PositiveBigIntegerField(_("FTS flow id"), unique=True)
    version_id = models.PositiveIntegerField(_("FTS version"))
    donor = models.CharField(max_length=200)
    location = models.CharField(_("destination location"), max_length=200, blank=True)
    usage_years = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=16)
    amount_usd = models.DecimalField(_("amount (USD)"), max_digits=16, decimal_places=2)
    reason = models.CharField(max_length=300)
    flow = models.JSONField(help_text=_("The flow as FTS published it."))
    seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-seen_at", "flow_id"]
        verbose_name = _("unmatched FTS flow")

    def __str__(self) -> str:
        return f"FTS {self.flow_id}: {self.donor} → {self.location or '?'} ({self.reason})"


class FtsImportRun(models.Model):
    """One import of FTS pages uploaded in the admin, run by a Celery worker: the pages wait
    here (not in the broker) until it runs, then its report replaces them."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    files = models.CharField(max_length=500)
    dry_run = models.BooleanField(default=False)
    pages = models.JSONField(default=list, help_text=_("[name, text] per page, until run."))
    status = models.CharField(max_length=8, choices=Status, default=Status.QUEUED)
    report = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("FTS import")

    def __str__(self) -> str:
        return f"FTS import of {self.files} ({self.get_status_display()})"
