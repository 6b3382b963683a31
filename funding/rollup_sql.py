"""Set-based rollups on PostgreSQL: a few GROUP BY queries and upserts, for all plans or one.

Each level (intervention, objective, plan, plan-year) is one statement: the fresh figures of
every scope, computed by grouped aggregates over each source table separately (never several
sums across one join, which would multiply them), upserted with `INSERT … ON CONFLICT DO UPDATE
… WHERE … IS DISTINCT FROM`, so a row whose figures did not change is not written. Everything
runs inside PostgreSQL: the process never holds the contributions, so its memory stays flat
however many there are. `full_recompute` runs them for every plan (recompute_rollups --all);
`plan_recompute` runs them scoped to one plan as a single statement (the Celery job's path).
The plan-by-plan ORM computation (funding.selectors.plan_figures) stays as the SQLite path and
as the nightly audit's independent check.

The figure rules are those of funding/figures.py (gap = max(required − received, 0); coverage
= received × 100 / required rounded half-up to 2 decimals; both none when nothing is costed,
coverage also when required is 0). PostgreSQL's ROUND(numeric) rounds halves away from zero,
which is half-up for these non-negative figures. funding/tests/test_rollups.py and the
hypothesis test in test_rollup_properties.py check the SQL and the ORM computation agree.
"""

from __future__ import annotations

import datetime

from django.db import connection

RECEIVED = "('committed', 'paid')"
PLEDGED = "'pledged'"

_MONEY_SUMS = f"""
    SUM(amount_usd) FILTER (WHERE status IN {RECEIVED}) AS received,
    SUM(amount_usd) FILTER (WHERE status = {PLEDGED}) AS pledged
"""

_FIGURES = """
    f.required AS required_usd,
    COALESCE(f.received, 0) AS received_usd,
    COALESCE(f.pledged, 0) AS pledged_usd,
    CASE WHEN f.required IS NULL THEN NULL
         ELSE GREATEST(f.required - COALESCE(f.received, 0), 0) END AS gap_usd,
    CASE WHEN f.required IS NULL OR f.required = 0 THEN NULL
         ELSE ROUND(COALESCE(f.received, 0) * 100 / f.required, 2) END AS coverage_percent
"""

# Scope conditions: every plan (%(all)s true, which the planner folds away) or the listed ones.
_C = "(%(all)s OR plan_id = ANY(%(plans)s))"
_O = "(%(all)s OR o.plan_id = ANY(%(plans)s))"
_P = "(%(all)s OR p.id = ANY(%(plans)s))"

# Each query yields (the rollup's key columns..., plan_id, figures...) of every scope.
FRESH = {
    "funding_interventionrollup": (
        ["intervention_id"],
        f"""
        SELECT f.intervention_id, f.plan_id, {_FIGURES} FROM (
            SELECT i.id AS intervention_id, o.plan_id, r.required, m.received, m.pledged
            FROM interventions_intervention i
            JOIN objectives_objective o ON o.id = i.objective_id
            LEFT JOIN (SELECT q.intervention_id, SUM(q.amount_usd) AS required
                       FROM funding_requirement q
                       JOIN interventions_intervention i ON i.id = q.intervention_id
                       JOIN objectives_objective o ON o.id = i.objective_id
                       WHERE {_O}
                       GROUP BY q.intervention_id) r
                   ON r.intervention_id = i.id
            LEFT JOIN (SELECT intervention_id, {_MONEY_SUMS} FROM funding_contribution
                       WHERE intervention_id IS NOT NULL AND {_C}
                       GROUP BY intervention_id) m
                   ON m.intervention_id = i.id
            WHERE {_O}
        ) f
        """,
    ),
    "funding_objectiverollup": (
        ["objective_id"],
        f"""
        SELECT f.objective_id, f.plan_id, {_FIGURES} FROM (
            SELECT o.id AS objective_id, o.plan_id, r.required, m.received, m.pledged
            FROM objectives_objective o
            LEFT JOIN (SELECT i.objective_id, SUM(q.amount_usd) AS required
                       FROM funding_requirement q
                       JOIN interventions_intervention i ON i.id = q.intervention_id
                       JOIN objectives_objective o ON o.id = i.objective_id
                       WHERE {_O}
                       GROUP BY i.objective_id) r
                   ON r.objective_id = o.id
            LEFT JOIN (SELECT objective_id, {_MONEY_SUMS} FROM funding_contribution
                       WHERE objective_id IS NOT NULL AND {_C} GROUP BY objective_id) m
                   ON m.objective_id = o.id
            WHERE {_O}
        ) f
        """,
    ),
    "funding_planrollup": (
        ["plan_id"],
        f"""
        SELECT f.plan_id, f.plan_id AS plan_id_, {_FIGURES} FROM (
            SELECT p.id AS plan_id, r.required, m.received, m.pledged
            FROM plans_plan p
            LEFT JOIN (SELECT o.plan_id, SUM(q.amount_usd) AS required
                       FROM funding_requirement q
                       JOIN interventions_intervention i ON i.id = q.intervention_id
                       JOIN objectives_objective o ON o.id = i.objective_id
                       WHERE {_O}
                       GROUP BY o.plan_id) r
                   ON r.plan_id = p.id
            LEFT JOIN (SELECT plan_id, {_MONEY_SUMS} FROM funding_contribution
                       WHERE {_C} GROUP BY plan_id) m
                   ON m.plan_id = p.id
            WHERE {_P}
        ) f
        """,
    ),
    "funding_planyearrollup": (
        ["plan_id", "year"],
        f"""
        SELECT f.plan_id, f.year, f.plan_id AS plan_id_, {_FIGURES} FROM (
            SELECT y.plan_id, y.year, r.required, m.received, m.pledged
            FROM (SELECT p.id AS plan_id, generate_series(start_year::int, end_year::int) AS year
                  FROM plans_plan p WHERE {_P}) y
            LEFT JOIN (SELECT o.plan_id, q.year, SUM(q.amount_usd) AS required
                       FROM funding_requirement q
                       JOIN interventions_intervention i ON i.id = q.intervention_id
                       JOIN objectives_objective o ON o.id = i.objective_id
                       WHERE {_O}
                       GROUP BY o.plan_id, q.year) r
                   ON r.plan_id = y.plan_id AND r.year = y.year
            LEFT JOIN (SELECT c.plan_id, s.year::int AS year,
                              SUM(s.amount_usd) FILTER (WHERE c.status IN {RECEIVED}) AS received,
                              SUM(s.amount_usd) FILTER (WHERE c.status = {PLEDGED}) AS pledged
                       FROM funding_contributionyear s
                       JOIN funding_contribution c ON c.id = s.contribution_id
                       WHERE (%(all)s OR c.plan_id = ANY(%(plans)s)) GROUP BY 1, 2) m
                   ON m.plan_id = y.plan_id AND m.year = y.year
        ) f
        """,
    ),
}

FIGURE_COLUMNS = ["required_usd", "received_usd", "pledged_usd", "gap_usd", "coverage_percent"]


def floor_sql() -> str:
    """One SELECT computing every total the full recompute stores: the benchmark's floor."""
    parts = []  # every plan: the scope parameters are inlined
    for keys, sql in FRESH.values():
        key = keys[-1]
        parts.append(f"SELECT {key}::bigint AS k, {', '.join(FIGURE_COLUMNS)} FROM ({sql}) x")
    sql = "\nUNION ALL\n".join(parts)
    return sql.replace("%(all)s", "true").replace("%(plans)s", "ARRAY[]::bigint[]")


def _upsert_sql(table: str) -> str:
    keys, fresh = FRESH[table]
    plan_col = "plan_id" if "plan_id" not in keys else "plan_id_"
    columns = [*keys, *FIGURE_COLUMNS, "computed_at"]
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*FIGURE_COLUMNS, "computed_at"])
    distinct = (
        f"({', '.join('t.' + c for c in FIGURE_COLUMNS)}) IS DISTINCT FROM "
        f"({', '.join('EXCLUDED.' + c for c in FIGURE_COLUMNS)})"
    )
    join = " AND ".join(f"f.{k} = up.{k}" for k in keys)
    return f"""
        WITH fresh AS MATERIALIZED ({fresh}),
        up AS (
            INSERT INTO {table} AS t ({", ".join(columns)})
            SELECT {", ".join(keys)}, {", ".join(FIGURE_COLUMNS)}, %(now)s FROM fresh
            ON CONFLICT ({", ".join(keys)}) DO UPDATE SET {updates}
            WHERE {distinct}
            RETURNING {", ".join("t." + k for k in keys)}
        )
        SELECT DISTINCT f.{plan_col} FROM up JOIN fresh f ON {join}
    """


def _write(cursor, *, now: datetime.datetime, scope: dict) -> set[int]:
    """Upsert every level's fresh figures for the scope; return the plans whose figures changed."""
    changed: set[int] = set()
    params = {**scope, "now": now}
    for table in FRESH:
        cursor.execute(_upsert_sql(table), params)
        changed.update(pid for (pid,) in cursor.fetchall())
    cursor.execute(
        f"""
        DELETE FROM funding_planyearrollup y USING plans_plan p
        WHERE p.id = y.plan_id AND (y.year < p.start_year OR y.year > p.end_year) AND {_P}
        RETURNING y.plan_id
        """,
        scope,
    )
    changed.update(pid for (pid,) in cursor.fetchall())
    return changed


def _one_statement_sql() -> str:
    """Every level's upsert and the stale-year delete as data-modifying CTEs of one statement.

    One round trip for one plan's recompute. The parts touch different rows (the delete only
    years outside the plan's period), so sharing one snapshot is safe.
    """
    parts, counts = [], []
    for n, (table, (keys, fresh)) in enumerate(FRESH.items()):
        columns = [*keys, *FIGURE_COLUMNS, "computed_at"]
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*FIGURE_COLUMNS, "computed_at"])
        distinct = (
            f"({', '.join('t.' + c for c in FIGURE_COLUMNS)}) IS DISTINCT FROM "
            f"({', '.join('EXCLUDED.' + c for c in FIGURE_COLUMNS)})"
        )
        parts.append(f"f{n} AS ({fresh})")
        parts.append(
            f"""u{n} AS (
                INSERT INTO {table} AS t ({", ".join(columns)})
                SELECT {", ".join(keys)}, {", ".join(FIGURE_COLUMNS)}, %(now)s FROM f{n}
                ON CONFLICT ({", ".join(keys)}) DO UPDATE SET {updates}
                WHERE {distinct}
                RETURNING 1
            )"""
        )
        counts.append(f"(SELECT count(*) FROM u{n})")
    parts.append(
        f"""d AS (
            DELETE FROM funding_planyearrollup y USING plans_plan p
            WHERE p.id = y.plan_id AND (y.year < p.start_year OR y.year > p.end_year) AND {_P}
            RETURNING 1
        )"""
    )
    counts.append("(SELECT count(*) FROM d)")
    return f"WITH {', '.join(parts)} SELECT {' + '.join(counts)}"


_ONE_STATEMENT = _one_statement_sql()


def plan_recompute(*, plan_id: int, now: datetime.datetime) -> bool:
    """One plan's rollups in one statement; the caller holds the plan's lock. Returns whether
    any figure changed (rows written or deleted)."""
    with connection.cursor() as cursor:
        cursor.execute(_ONE_STATEMENT, {"now": now, "all": False, "plans": [plan_id]})
        return cursor.fetchone()[0] > 0


def full_recompute(*, now: datetime.datetime) -> dict[str, int]:
    """Recompute every plan's rollups in a few statements; call inside a transaction.

    Locks every plan row first (the per-plan recompute and `plan_mark_dirty` take the same lock):
    an edit made meanwhile waits for this to commit, then finds its plan clean and schedules its
    own recompute, so no edit is lost and no older figure overwrites a newer one. Returns counts:
    plans, plans whose figures changed.
    """
    assert connection.vendor == "postgresql", "the set-based recompute needs PostgreSQL"
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM plans_plan ORDER BY id FOR UPDATE")
        plans = cursor.rowcount
        changed = _write(cursor, now=now, scope={"all": True, "plans": []})
        cursor.execute(
            """
            UPDATE plans_plan SET funding_updated_at = %(now)s
            WHERE id = ANY(%(changed)s) OR funding_updated_at IS NULL
            """,
            {"now": now, "changed": sorted(changed)},
        )
        cursor.execute(
            "UPDATE plans_plan SET rollup_dirty_since = NULL WHERE rollup_dirty_since IS NOT NULL"
        )
    return {"plans": plans, "changed": len(changed)}
