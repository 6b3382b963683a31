"""The FTS import as a Celery task (an admin upload queues it). Apart from funding.tasks, which
must not import the services that enqueue tasks: this one writes contributions through them."""

from __future__ import annotations

from celery import shared_task

from .models import FtsImportRun
from .services.fts_imports import fts_import_run


@shared_task(acks_late=True)
def import_fts_pages(*, run_id: int) -> str:
    """Run one uploaded FTS import (FtsImportRun); a run already done is left alone."""
    run = FtsImportRun.objects.filter(pk=run_id, status=FtsImportRun.Status.QUEUED).first()
    if run is None:
        return "nothing to run"
    return fts_import_run(run=run).status
