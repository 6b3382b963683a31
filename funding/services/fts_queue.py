"""Queueing an FTS import uploaded in the admin: the pages are kept on an FtsImportRun and a
Celery worker runs it after commit (funding.fts_tasks); with the broker down it runs at once,
so an upload is never left waiting for a queue that is not there."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from crp_portal import queueing
from plans.roles import Role, user_has_role

from ..fts_tasks import import_fts_pages
from ..models import FtsImportRun
from .fts_imports import fts_import_run


def fts_check_importable(*, actor) -> None:
    if not user_has_role(actor, Role.FUNDING_OFFICER):
        raise PermissionDenied(_("Only funding officers may import FTS flows."))


@transaction.atomic
def fts_import_queue(*, pages: list[tuple[str, str]], dry_run: bool, actor) -> FtsImportRun:
    """Keep the pages (name, JSON text) on a new run and queue it after commit."""
    fts_check_importable(actor=actor)
    run = FtsImportRun.objects.create(
        requested_by=actor,
        files=", ".join(name for name, _text in pages)[:500],
        dry_run=dry_run,
        pages=[[name, text] for name, text in pages],
    )

    def queue() -> None:
        if not queueing.enqueue(import_fts_pages, run_id=run.pk):
            fts_import_run(run=FtsImportRun.objects.get(pk=run.pk))

    transaction.on_commit(queue)
    return run
