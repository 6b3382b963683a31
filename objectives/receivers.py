"""Public pages and cached API answers show objectives and their target groups: retire them on
change (crp_portal.pagecache). The funding rollups' triggers for objectives are in funding."""

from __future__ import annotations

from crp_portal import pagecache

from .models import Objective

pagecache.retire_pages_on_change(Objective, through=(Objective.target_groups.through,))
