"""Writes of partner API access: issuing and revoking tokens, and recording deletions."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from .models import ApiToken, Deletion, token_generate, token_hash

# last_used_at is written at most this often per token, so reads do not turn into writes.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


@transaction.atomic
def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """Issue a token for a user; returns it and its secret, which is never retrievable again."""
    prefix, secret = token_generate()
    token = ApiToken(user=user, name=name, prefix=prefix, hashed_secret=token_hash(secret))
    token.full_clean()
    token.save()
    return token, secret


def api_token_revoke(*, token: ApiToken) -> None:
    """Revoke a token at once; revoking twice keeps the first time."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])


def api_token_touch(*, token: ApiToken) -> None:
    """Record use, at most once a minute (a conditional update: concurrent requests write once)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).exclude(
        last_used_at__gte=now - LAST_USED_RESOLUTION
    ).update(last_used_at=now)
    token.last_used_at = now


def deletion_record(
    *,
    kind: str,
    object_id: int,
    public: bool,
    lookup: str = "",
    plan_slug: str = "",
    reason: str = Deletion.Reason.DELETED,
) -> None:
    """Leave a tombstone for the deletions feed."""
    Deletion.objects.create(
        kind=kind,
        object_id=object_id,
        public=public,
        lookup=lookup,
        plan_slug=plan_slug,
        reason=reason,
    )
