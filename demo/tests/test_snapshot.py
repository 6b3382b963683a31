"""The `demo` fixture's copy (demo/tests/snapshot.py) is exactly what the loader leaves."""

import pytest
from django.db import transaction

from demo.tests import snapshot
from plans.models import Plan
from plans.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_session():
    """This worker's copy, forgotten and rebuilt by the test (later tests rebuild it again)."""
    snapshot.session_began()
    yield
    snapshot.session_began()


def test_the_copied_demo_is_row_for_row_the_loaded_one(fresh_session):
    point = transaction.savepoint()
    loaded_plans = snapshot.demo_plans()  # the first use loads for real, and records
    loaded = snapshot._all_rows("default")
    assert snapshot._snapshot is not None and snapshot._snapshot.inserts
    transaction.savepoint_rollback(point)
    assert not Plan.objects.exists()

    copied_plans = snapshot.demo_plans()  # the database looks as it began: copied
    assert snapshot._all_rows("default") == loaded
    assert (
        list(copied_plans)
        == list(loaded_plans)
        == [
            "tajikistan-crp-2020",
            "pakistan-crp-2020-2021",
        ]
    )
    assert {s: p.pk for s, p in copied_plans.items()} == {s: p.pk for s, p in loaded_plans.items()}
    # New rows come after the copied ones, as after a real load.
    new = UserFactory()
    others = UserFactory._meta.model.objects.exclude(pk=new.pk).values_list("pk", flat=True)
    assert len(others) == 5 and new.pk > max(others)


def test_rows_made_before_the_demo_send_it_down_the_loaders_path(fresh_session, monkeypatch):
    point = transaction.savepoint()
    snapshot.demo_plans()  # recorded
    transaction.savepoint_rollback(point)
    UserFactory(username="made-first")  # the database no longer looks as it began
    loads = []
    real = snapshot._load_for_real
    monkeypatch.setattr(snapshot, "_load_for_real", lambda: loads.append(1) or real())
    plans = snapshot.demo_plans()
    assert loads == [1]
    assert list(plans) == ["tajikistan-crp-2020", "pakistan-crp-2020-2021"]
    assert Plan.objects.count() == 2
