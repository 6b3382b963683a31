"""Writes of funding data, by job. Callers use the package: `from funding import services`.

- contributions: exchange conversion, recording, correcting and deleting contributions
- contribution_years: the year(s) of its plan a contribution is for, written with it
- requirements: an intervention's yearly requirements
- interventions: an intervention with its requirements (and moves), the API's and admin's one write
- moves: moving an intervention (and its earmarked money) under another objective
- donors: creating and renaming donors (funding officers)
- rates: recording exchange rates (funding officers)
- bounds: the most a plan's totals may be (checked at every write of requirements and money)
- rollups: recomputing the stored rollups from source rows (imported by funding.tasks)
- failures: recomputes that failed, recorded and retried (one bad plan never stops the others)
- audit: the nightly audit of the stored rollups
- contribution_imports: a file's contributions, each through the services (all or nothing)
- rates: exchange rates, one recorded or a file's imported (all or nothing)
- dirty: dirty marks and enqueueing (imports funding.tasks), and the recomputes as callers use them
"""

from .bounds import plan_contributions_check, plan_requirements_check, plan_totals_check
from .contribution_imports import contributions_import
from .contribution_years import years_format, years_parse
from .contributions import (
    CONTRIBUTION_CONTENT,
    CORRECTABLE,
    USD,
    _destination,
    contribution_check_recordable,
    contribution_correct,
    contribution_delete,
    contribution_record,
    exchange_rate_in_force,
    usd_amount,
)
from .dirty import (
    group_rollups_mark_dirty,
    group_rollups_mark_dirty_on_commit,
    group_rollups_recompute,
    plan_mark_dirty,
    plans_mark_dirty,
    plans_rollup_recompute_all,
    rollups_audit,
)
from .donors import donor_check_writable, donor_create, donor_update
from .interventions import intervention_save
from .moves import intervention_move, intervention_move_check
from .rates import rate_check_settable, rate_record, rates_import
from .requirements import requirements_replace
from .rollups import (
    RECOMPUTE_COUNT_TTL,
    group_rollups_are_stale,
    plan_rollup_recompute,
    plan_rollup_recompute_isolated,
    recompute_count,
)

__all__ = [
    "CONTRIBUTION_CONTENT",
    "CORRECTABLE",
    "RECOMPUTE_COUNT_TTL",
    "USD",
    "_destination",
    "contribution_check_recordable",
    "contribution_correct",
    "contribution_delete",
    "contribution_record",
    "contributions_import",
    "donor_check_writable",
    "donor_create",
    "donor_update",
    "exchange_rate_in_force",
    "group_rollups_are_stale",
    "group_rollups_mark_dirty",
    "group_rollups_mark_dirty_on_commit",
    "group_rollups_recompute",
    "intervention_move",
    "intervention_move_check",
    "intervention_save",
    "plan_contributions_check",
    "plan_mark_dirty",
    "plan_requirements_check",
    "plan_rollup_recompute",
    "plan_rollup_recompute_isolated",
    "plan_totals_check",
    "plans_mark_dirty",
    "plans_rollup_recompute_all",
    "rate_check_settable",
    "rate_record",
    "rates_import",
    "recompute_count",
    "requirements_replace",
    "rollups_audit",
    "usd_amount",
    "years_format",
    "years_parse",
]
