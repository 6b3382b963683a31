"""An FTS upload in the admin is imported by a real Celery worker on Redis: the page is queued
after commit, the worker runs it, and the run's report appears (issue #14, item 4)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from funding.models import Contribution, FtsImportRun
from funding.tests.test_fts_import import FLOWS, page
from funding.tests.test_rollup_worker import wait_for
from plans.tests.factories import PlanFactory, Role, UserFactory, assign

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_a_worker_imports_an_uploaded_page(celery_worker, client):
    PlanFactory(slug="tjk-2020", countries=["TJK"])
    PlanFactory(slug="pak-2020", countries=["PAK"], end_year=2021)
    officer = UserFactory(username="officer-worker")
    assign(officer, Role.FUNDING_OFFICER, "TJK", "PAK")
    client.force_login(officer)
    upload = SimpleUploadedFile("fts.json", page(*FLOWS), content_type="application/json")
    response = client.post(reverse("admin:funding_ftsimportrun_add"), {"pages": [upload]})
    assert response.status_code == 302
    run = FtsImportRun.objects.get()
    wait_for(
        lambda: FtsImportRun.objects.get(pk=run.pk).status == FtsImportRun.Status.DONE,
        within=20,
        what="the worker to run the import",
    )
    run.refresh_from_db()
    assert "6 new" in run.report and run.pages == []
    assert Contribution.objects.get(fts_flow_id=900001).amount_usd == Decimal("226244.00")
