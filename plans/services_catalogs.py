"""Catalog entries (strategic objectives, target groups, sectors, plan types): created and
changed by administrators only, through the API or the admin. Entries are retired (`retired_on`),
never deleted, so content that uses them keeps its meaning."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _


def catalog_check_writable(*, actor) -> None:
    if actor is None or not actor.is_active or not actor.is_superuser:
        raise PermissionDenied(_("Only administrators may change the catalogs."))


@transaction.atomic
def catalog_entry_save(
    *, actor, model: type[models.Model], entry: models.Model | None = None, **fields
) -> models.Model:
    """Create an entry of the catalog `model` or change `entry`, validated by the model."""
    catalog_check_writable(actor=actor)
    if entry is None:
        entry = model()
    else:
        entry = model._default_manager.select_for_update().get(pk=entry.pk)
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.full_clean()
    entry.save()
    return entry
