"""Partner API access: hashed API tokens, and tombstones of deleted rows for incremental sync."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX_LENGTH = 8


def token_hash(secret: str) -> str:
    """sha256 of the whole secret: the database never holds a usable token."""
    return hashlib.sha256(secret.encode()).hexdigest()


def token_generate() -> tuple[str, str]:
    """A new (prefix, secret) pair; the secret is `crp_<prefix>_<random>` and shown only once."""
    prefix = secrets.token_hex(TOKEN_PREFIX_LENGTH // 2)
    return prefix, f"crp_{prefix}_{secrets.token_urlsafe(32)}"


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A partner system's API token. Only its sha256 is stored; the prefix finds it quickly."""

    name = models.CharField(max_length=120, help_text=_("Who uses it, e.g. 'ReliefWeb sync'."))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField(max_length=TOKEN_PREFIX_LENGTH, unique=True, editable=False)
    hashed_secret = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Deletion(models.Model):
    """A tombstone: this row went away at this time (for `updated_since` sync): deleted, or for
    a plan, withdrawn from public view (not archived: a past plan stays public), or moved out of its
    place (a plan's old code, an intervention or contribution moved to another plan)."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("Plan")
        OBJECTIVE = "objective", _("Objective")
        INTERVENTION = "intervention", _("Intervention")
        CONTRIBUTION = "contribution", _("Contribution")
        DONOR = "donor", _("Donor")
        # Catalogs (entries are retired rather than deleted, but an unused one may be deleted).
        COUNTRY = "country", _("Country")
        REGION = "region", _("Region")
        STRATEGIC_OBJECTIVE = "strategic_objective", _("Strategic objective")
        TARGET_GROUP = "target_group", _("Target group")
        SECTOR = "sector", _("Sector")
        PLAN_TYPE = "plan_type", _("Plan type")
        EXCHANGE_RATE = "exchange_rate", _("Exchange rate")

    class Reason(models.TextChoices):
        DELETED = "deleted", _("Deleted")
        WITHDRAWN = "withdrawn", _("Withdrawn from publication")
        # Recorded by the database (partners/sync_sql.py): a plan whose code changed, or an
        # intervention or contribution moved to another plan. It may be listed again under its
        # new plan or code: apply deletions before the changed rows.
        MOVED = "moved", _("Moved to another plan or code")

    kind = models.CharField(max_length=24, choices=Kind)
    reason = models.CharField(max_length=16, choices=Reason, default=Reason.DELETED)
    # Whether anonymous clients and partners may learn of it: the row was (under) a plan that had
    # been published. Drafts' deletions are shown to superusers only.
    public = models.BooleanField(default=True)
    object_id = models.BigIntegerField()
    # Plans are addressed by slug in the API, countries by ISO3 code; other kinds leave it blank.
    lookup = models.CharField(max_length=64, blank=True)
    plan_slug = models.CharField(max_length=64, blank=True)
    deleted_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["deleted_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.lookup or self.object_id} deleted at {self.deleted_at}"
