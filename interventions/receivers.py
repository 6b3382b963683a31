"""Public pages and cached API answers show interventions, their activities and plan types:
retire them on change (crp_portal.pagecache). The funding rollups' triggers are in funding."""

from __future__ import annotations

from crp_portal import pagecache

from .models import Activity, Intervention

pagecache.retire_pages_on_change(Intervention, Activity, through=(Intervention.plan_types.through,))
