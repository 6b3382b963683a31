"""Exact incremental sync at the database level (issue 12): PostgreSQL triggers that stamp
`changed_at` (plans.models.ChangeStampedModel) on every row whose API representation changes, and
leave tombstones (partners.models.Deletion) for rows that leave their place in the lists.

Table-driven: `STAMPED` lists the tables whose rows carry `changed_at` (each row's own insert or
update stamps it); `RULES` says which other rows a write touches ("a rollup row written: its
intervention", "a donor renamed: its contributions"); `TOMBSTONES` which updates take a row out
of the lists it was in (a plan's code changed, an intervention or contribution moved to another
plan). Each source table gets one AFTER trigger running its tombstones first, then its rules, so
that a tombstone is never later than the stamps of the rows it may bring back.

To add a rule (as for `funding_contributionyear`, the years a contribution is for, which its
representation shows): append `Rule(source, target, where)` to RULES. `install` runs after every `migrate` (partners/apps.py),
so the rule is live once the table exists; no migration is needed (adding one that runs
`install` documents when it came).

Stamps are `clock_timestamp()`: the time of the write inside its transaction, which commits a
little later. A sync that reads while a transaction is in flight misses its rows, so the
README's sync script starts its next run OVERLAP (10 minutes) before the server time of its last
one: a transaction open longer than that could be missed (none of the app's is).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

PREFIX = "crp_sync"
MIGRATION = "0002_sync_triggers"  # the partners migration that first installs them
# A transaction-local setting under which writes keep the `changed_at` they give and stamp no
# other row (stamps_kept).
KEEP_STAMPS = "crp_sync.keep_stamps"
_STAMPS_KEPT = (
    f"  IF current_setting('{KEEP_STAMPS}', true) = 'on' THEN\n    RETURN %s;\n  END IF;\n"
)

# Tables of the rows the partner API lists and partners mirror: each has `changed_at`.
STAMPED = (
    "plans_plan",
    "plans_country",
    "plans_region",
    "plans_operatingmodality",
    "plans_crosscuttingpriority",
    "objectives_objective",
    "objectives_strategicobjective",
    "objectives_targetgroup",
    "interventions_intervention",
    "interventions_sector",
    "interventions_plantype",
    "funding_donor",
    "funding_contribution",
    "funding_exchangerate",
)

FIGURES = ("required_usd", "received_usd", "pledged_usd", "gap_usd", "coverage_percent")


@dataclass(frozen=True)
class Rule:
    """A row of `source` inserted, deleted, or updated in one of `columns` (any column when
    empty; a STAMPED source must name them, or stamping would loop): stamp the rows `t` of
    `target` that `where` selects, `{r}` being the source row (its old and its new version)."""

    source: str
    target: str
    where: str
    columns: tuple[str, ...] = ()


_PLAN_OF_INTERVENTION = (
    "t.objective_id IN (SELECT o.id FROM objectives_objective o WHERE o.plan_id = {r}.id)"
)

RULES: tuple[Rule, ...] = (
    # A plan's publication state or code: what its objectives, interventions, contributions show
    # (and whether anonymous clients see them at all).
    Rule("plans_plan", "objectives_objective", "t.plan_id = {r}.id", ("status", "slug")),
    Rule("plans_plan", "interventions_intervention", _PLAN_OF_INTERVENTION, ("status", "slug")),
    Rule("plans_plan", "funding_contribution", "t.plan_id = {r}.id", ("status", "slug")),
    # A plan shows its countries (code, name), its years and presences (the detail).
    Rule("plans_plan_countries", "plans_plan", "t.id = {r}.plan_id"),
    Rule("plans_planyear", "plans_plan", "t.id = {r}.plan_id"),
    Rule("plans_operationalpresence", "plans_plan", "t.id = {r}.plan_id"),
    # ... its context indicators and ways of working (issue #15, item 2).
    Rule("plans_contextindicator", "plans_plan", "t.id = {r}.plan_id"),
    Rule("plans_plan_modalities", "plans_plan", "t.id = {r}.plan_id"),
    Rule("plans_plan_priorities", "plans_plan", "t.id = {r}.plan_id"),
    Rule(
        "plans_operatingmodality",
        "plans_plan",
        "t.id IN (SELECT x.plan_id FROM plans_plan_modalities x"
        " WHERE x.operatingmodality_id = {r}.id)",
        ("slug", "name", "position"),
    ),
    Rule(
        "plans_crosscuttingpriority",
        "plans_plan",
        "t.id IN (SELECT x.plan_id FROM plans_plan_priorities x"
        " WHERE x.crosscuttingpriority_id = {r}.id)",
        ("slug", "name", "position"),
    ),
    Rule(
        "plans_country",
        "plans_plan",
        "t.id IN (SELECT pc.plan_id FROM plans_plan_countries pc WHERE pc.country_id = {r}.id)",
        ("iso3", "name"),
    ),
    Rule("plans_country", "funding_donor", "t.country_id = {r}.id", ("iso3", "name")),
    Rule("plans_country", "interventions_intervention", "t.country_id = {r}.id", ("iso3",)),
    Rule("plans_region", "plans_country", "t.region_id = {r}.id", ("slug", "name")),
    # An objective shows its strategic objective and target groups; an intervention the number.
    Rule(
        "objectives_objective",
        "interventions_intervention",
        "t.objective_id = {r}.id",
        ("plan_id", "strategic_objective_id"),
    ),
    Rule(
        "objectives_strategicobjective",
        "objectives_objective",
        "t.strategic_objective_id = {r}.id",
        ("number", "title"),
    ),
    Rule(
        "objectives_strategicobjective",
        "interventions_intervention",
        "t.objective_id IN (SELECT o.id FROM objectives_objective o"
        " WHERE o.strategic_objective_id = {r}.id)",
        ("number",),
    ),
    Rule("objectives_objective_target_groups", "objectives_objective", "t.id = {r}.objective_id"),
    Rule(
        "objectives_targetgroup",
        "objectives_objective",
        "t.id IN (SELECT g.objective_id FROM objectives_objective_target_groups g"
        " WHERE g.targetgroup_id = {r}.id)",
        ("slug", "name"),
    ),
    # An intervention shows its sector, plan types, activities and yearly requirements.
    Rule(
        "interventions_sector",
        "interventions_intervention",
        "t.sector_id = {r}.id",
        ("slug", "name"),
    ),
    Rule(
        "interventions_intervention_plan_types",
        "interventions_intervention",
        "t.id = {r}.intervention_id",
    ),
    Rule(
        "interventions_plantype",
        "interventions_intervention",
        "t.id IN (SELECT p.intervention_id FROM interventions_intervention_plan_types p"
        " WHERE p.plantype_id = {r}.id)",
        ("slug", "name"),
    ),
    Rule("interventions_activity", "interventions_intervention", "t.id = {r}.intervention_id"),
    Rule("funding_requirement", "interventions_intervention", "t.id = {r}.intervention_id"),
    # A contribution shows its donor's name and its currency's.
    Rule("funding_donor", "funding_contribution", "t.donor_id = {r}.id", ("name",)),
    Rule("funding_currency", "funding_contribution", "t.currency_id = {r}.code", ("name",)),
    # ... and the years it is for, with their parts (written with it, replaced on a correction).
    Rule("funding_contributionyear", "funding_contribution", "t.id = {r}.contribution_id"),
    # Funding figures, written by the rollup recompute.
    Rule("funding_planrollup", "plans_plan", "t.id = {r}.plan_id", FIGURES),
    Rule("funding_planyearrollup", "plans_plan", "t.id = {r}.plan_id", FIGURES),
    Rule("funding_objectiverollup", "objectives_objective", "t.id = {r}.objective_id", FIGURES),
    Rule(
        "funding_interventionrollup",
        "interventions_intervention",
        "t.id = {r}.intervention_id",
        FIGURES,
    ),
)


@dataclass(frozen=True)
class Tombstone:
    """An update of `source` that takes the row out of the list it was in, under its old plan
    or code, when `when` holds (OLD and NEW are the row's versions): a public tombstone of
    `kind` (partners.models.Deletion.Kind) with reason "moved", dated with the row's new stamp.
    `plan` is the SQL of the old plan's row (columns slug, status, published_at)."""

    source: str
    kind: str
    when: str
    plan: str
    lookup: str = "''"


TOMBSTONES: tuple[Tombstone, ...] = (
    Tombstone(
        "plans_plan",
        "plan",
        "OLD.slug IS DISTINCT FROM NEW.slug",
        "SELECT OLD.slug AS slug, OLD.status AS status, OLD.published_at AS published_at",
        lookup="OLD.slug",
    ),
    Tombstone(
        "interventions_intervention",
        "intervention",
        "OLD.objective_id IS DISTINCT FROM NEW.objective_id AND"
        " (SELECT o.plan_id FROM objectives_objective o WHERE o.id = OLD.objective_id)"
        " IS DISTINCT FROM"
        " (SELECT o.plan_id FROM objectives_objective o WHERE o.id = NEW.objective_id)",
        "SELECT p.slug, p.status, p.published_at FROM plans_plan p"
        " JOIN objectives_objective o ON o.plan_id = p.id WHERE o.id = OLD.objective_id",
    ),
    Tombstone(
        "funding_contribution",
        "contribution",
        "OLD.plan_id IS DISTINCT FROM NEW.plan_id",
        "SELECT p.slug, p.status, p.published_at FROM plans_plan p WHERE p.id = OLD.plan_id",
    ),
)


def _changed(columns: tuple[str, ...]) -> str:
    if not columns:
        return "TRUE"
    old = ", ".join(f"OLD.{c}" for c in columns)
    new = ", ".join(f"NEW.{c}" for c in columns)
    return f"TG_OP <> 'UPDATE' OR ROW({old}) IS DISTINCT FROM ROW({new})"


def _rule_sql(rule: Rule) -> str:
    assert rule.columns or rule.source not in STAMPED, f"{rule}: name the columns"
    where = f"({rule.where.format(r='NEW')}) OR ({rule.where.format(r='OLD')})"
    return (
        f"  IF {_changed(rule.columns)} THEN\n"
        f"    UPDATE {rule.target} AS t SET changed_at = clock_timestamp() WHERE {where};\n"
        "  END IF;\n"
    )


def _tombstone_sql(tombstone: Tombstone) -> str:
    return (
        f"  IF TG_OP = 'UPDATE' AND ({tombstone.when}) THEN\n"
        "    INSERT INTO partners_deletion"
        " (kind, reason, public, object_id, lookup, plan_slug, deleted_at)\n"
        f"    SELECT '{tombstone.kind}', 'moved',"
        " (old_plan.status = 'published' OR old_plan.published_at IS NOT NULL),"
        f" OLD.id, {tombstone.lookup}, old_plan.slug, NEW.changed_at\n"
        f"    FROM ({tombstone.plan}) AS old_plan;\n"
        "  END IF;\n"
    )


def _sources() -> list[str]:
    seen: dict[str, None] = {}
    for item in (*TOMBSTONES, *RULES):
        seen.setdefault(item.source, None)
    return list(seen)


def statements(tables: set[str] | None = None) -> list[str]:
    """The SQL that installs every stamp, rule and tombstone (idempotent); with `tables`, only
    those whose tables all exist (the rest wait for a later `install`)."""

    def exists(*names: str) -> bool:
        return tables is None or all(name in tables for name in names)

    sql = []
    sql.append(
        f"CREATE OR REPLACE FUNCTION {PREFIX}_stamp() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        f"{_STAMPS_KEPT % 'NEW'}"
        "  NEW.changed_at := clock_timestamp();\n  RETURN NEW;\nEND $$;"
    )
    for table in STAMPED:
        if not exists(table):
            continue
        sql.append(f"DROP TRIGGER IF EXISTS {PREFIX}_stamp ON {table};")
        sql.append(
            f"CREATE TRIGGER {PREFIX}_stamp BEFORE INSERT OR UPDATE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {PREFIX}_stamp();"
        )
    for source in _sources():
        body = "".join(
            _tombstone_sql(t)
            for t in TOMBSTONES
            if t.source == source and exists(source, "partners_deletion")
        ) + "".join(_rule_sql(r) for r in RULES if r.source == source and exists(source, r.target))
        function = f"{PREFIX}_after_{source}"
        sql.append(f"DROP TRIGGER IF EXISTS {PREFIX}_after ON {source};" if exists(source) else "")
        if not body:
            continue
        sql.append(
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN\n{_STAMPS_KEPT % 'NULL'}{body}  RETURN NULL;\nEND $$;"
        )
        sql.append(
            f"CREATE TRIGGER {PREFIX}_after AFTER INSERT OR UPDATE OR DELETE ON {source}"
            f" FOR EACH ROW EXECUTE FUNCTION {function}();"
        )
    return [s for s in sql if s]


def uninstall_statements() -> list[str]:
    sql = [f"DROP TRIGGER IF EXISTS {PREFIX}_stamp ON {table};" for table in STAMPED]
    for source in _sources():
        sql.append(f"DROP TRIGGER IF EXISTS {PREFIX}_after ON {source};")
        sql.append(f"DROP FUNCTION IF EXISTS {PREFIX}_after_{source}();")
    sql.append(f"DROP FUNCTION IF EXISTS {PREFIX}_stamp();")
    return sql


def install(connection: BaseDatabaseWrapper) -> None:
    """Install (or refresh) the triggers on PostgreSQL; elsewhere nothing (auto-now stamps)."""
    if connection.vendor != "postgresql":
        return
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for statement in statements(tables):
            cursor.execute(statement)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor != "postgresql":
        return
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for statement in uninstall_statements():
            if " ON " in statement and statement.rsplit(" ON ", 1)[1].rstrip(";") not in tables:
                continue
            cursor.execute(statement)


@contextmanager
def stamps_kept(using: str) -> Iterator[None]:
    """Writes inside keep the `changed_at` they give and stamp no other row: rows written back
    as they were (the tests' demo copy) or dated on purpose (stamps_set). The setting is local
    to the transaction, and switched off again in case that transaction goes on."""
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [KEEP_STAMPS])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'off', true)", [KEEP_STAMPS])


def stamps_set(queryset, when) -> int:
    """Set `changed_at` of the rows of `queryset` to `when`, as if they had last changed then
    (tests of `updated_since`, repairs); the stamp triggers otherwise write the time of the
    write. Stamps of other rows are left alone."""
    with stamps_kept(queryset.db):
        return queryset.update(changed_at=when)
