"""The `demo` fixture's data, built once per test session (per xdist worker) and copied in.

`loader.demo_load()` plus the rollup recomputes cost about a second of ORM work; dozens of tests
use the demo. The first of them in a session runs the loader for real and records what it left
in every table (rows added, changed, removed, as the database holds them); later tests write
those rows back with a few bulk INSERTs, inside their own transaction, so a test that edits the
demo still changes nothing for the next one (its transaction is rolled back, or its tables are
flushed when it is transactional).

A copy is only valid on the database it was taken from: the rows it adds refer to catalog rows
(countries, sectors, permissions...) by id. So the copy is used only when the database looks
exactly as it did when the session began (same row count and lowest/highest key in every
table): rows a test made before the demo, or catalogs reloaded under new ids after a
transactional test's flush, send the test down the slow path (the real loader), which is always
correct. The root conftest requests `demo` before the other fixtures of a test, so the fast path
is the usual one.

Rows are written raw (no save(), no signals, no auto_now), as `loaddata` does, and with the sync
triggers' stamps kept (partners.sync_sql.stamps_kept): the test sees the very rows the loader
wrote, `changed_at` included, and nothing the loader would enqueue or bump happens twice.
Primary keys are kept. New rows a test creates afterwards get higher keys, as with the loader:
PostgreSQL sequences never go back (the loader's run used those keys up), and SQLite moves its
AUTOINCREMENT counter past explicitly inserted keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

_ORDERED_PK_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveBigIntegerField",
    "PositiveSmallIntegerField",
    "CharField",
    "SlugField",
}


def _models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]


def _pk_type(model) -> str:
    pk = model._meta.pk
    return pk.target_field.get_internal_type() if pk.is_relation else pk.get_internal_type()


def fingerprint(using: str = DEFAULT_DB_ALIAS) -> tuple:
    """Row count and lowest/highest primary key of every table, in one query."""
    connection = connections[using]
    quote = connection.ops.quote_name
    parts = []
    for model in _models():
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        if _pk_type(model) in _ORDERED_PK_TYPES:
            bounds = f"CAST(MIN({pk}) AS TEXT), CAST(MAX({pk}) AS TEXT)"
        else:
            bounds = "NULL, NULL"
        parts.append(f"SELECT '{model._meta.label}', COUNT(*), {bounds} FROM {table}")
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return tuple(sorted(tuple(row) for row in cursor.fetchall()))


def _rows(model, using: str) -> dict:
    names = [f.attname for f in model._meta.concrete_fields]
    pk_index = names.index(model._meta.pk.attname)
    return {
        row[pk_index]: row
        for row in model._base_manager.using(using).order_by().values_list(*names)
    }


def _all_rows(using: str) -> dict:
    return {model: _rows(model, using) for model in _models()}


@dataclass
class Snapshot:
    """What the loader changed, table by table."""

    slugs: list[str]
    inserts: list[tuple[type[models.Model], list[tuple]]] = field(default_factory=list)
    updates: list[tuple[type[models.Model], object, dict]] = field(default_factory=list)
    deletes: list[tuple[type[models.Model], list]] = field(default_factory=list)

    @classmethod
    def between(cls, before: dict, after: dict, slugs: list[str]) -> Snapshot:
        snapshot = cls(slugs=slugs)
        for model, rows in after.items():
            old = before[model]
            names = [f.attname for f in model._meta.concrete_fields]
            added = [row for pk, row in rows.items() if pk not in old]
            if added:
                snapshot.inserts.append((model, added))
            for pk, row in rows.items():
                if pk in old and old[pk] != row:
                    changed = {n: v for n, v, o in zip(names, row, old[pk], strict=True) if v != o}
                    snapshot.updates.append((model, pk, changed))
            gone = [pk for pk in old if pk not in rows]
            if gone:
                snapshot.deletes.append((model, gone))
        return snapshot

    def write(self, using: str = DEFAULT_DB_ALIAS) -> None:
        """Write the recorded rows in one transaction (foreign keys are checked at its end)."""
        from partners.sync_sql import stamps_kept

        connection = connections[using]
        with transaction.atomic(using=using), stamps_kept(using):
            for model, pks in self.deletes:
                model._base_manager.using(using).filter(pk__in=pks)._raw_delete(using)
            for model, pk, changed in self.updates:
                model._base_manager.using(using).filter(pk=pk).update(**changed)
            for model, rows in self.inserts:
                fields = model._meta.concrete_fields
                names = [f.attname for f in fields]
                objs = [model.from_db(using, names, row) for row in rows]
                size = connection.ops.bulk_batch_size(fields, objs) or len(objs)
                for start in range(0, len(objs), size):
                    model._base_manager.using(using)._insert(
                        objs[start : start + size], fields=fields, raw=True, using=using
                    )


_pristine: tuple | None = None  # the fingerprint of the database as the session began
_snapshot: Snapshot | None = None


def session_began(using: str = DEFAULT_DB_ALIAS) -> None:
    """Remember how the freshly created test database looks (called once per session)."""
    global _pristine, _snapshot
    _pristine, _snapshot = fingerprint(using), None


def _load_for_real() -> list[str]:
    from demo import loader
    from funding import services

    plans = loader.demo_load()
    for plan in plans:
        services.plan_rollup_recompute(plan_id=plan.pk)
    return [plan.slug for plan in plans]


def demo_plans(using: str = DEFAULT_DB_ALIAS) -> dict:
    """Put the demo in the test database; {slug: Plan} in the loader's order."""
    global _snapshot
    from plans.models import Plan

    pristine = _pristine is not None and fingerprint(using) == _pristine
    if pristine and _snapshot is not None:
        _snapshot.write(using)
        slugs = _snapshot.slugs
    elif pristine:
        before = _all_rows(using)
        slugs = _load_for_real()
        _snapshot = Snapshot.between(before, _all_rows(using), slugs)
    else:
        slugs = _load_for_real()
    plans = Plan.objects.using(using).in_bulk(slugs, field_name="slug")
    return {slug: plans[slug] for slug in slugs}
