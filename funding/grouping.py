"""Where a plan's figures count by country and by region, without counting anything twice
(issue #12, item 3). One rule, used by the stored group rollups (funding.selectors, from source
rows) and by the filtered dashboard (funding.selectors_shown, from the stored plan rollups).

A plan of one country counts wholly in it. A plan of several countries counts each intervention
that names its country (its requirement and the money earmarked to it) in that country, and the
rest once: in a "multi-country" group of its region when all its countries are in one region,
else in a "multi-region" group. By region, a placed intervention counts in its country's region
and the rest in the plan's region (or "multi-region"). So in every grouping the groups add up to
the total of the plans they cover (a plan whose countries are in no region is in no region
group, as before).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from .figures import ZERO, Figures

MULTI_REGION = "multi-region"
MULTI_COUNTRY = "multi-country"  # the key's prefix: "multi-country-<region slug>"


@dataclass(frozen=True)
class Place:
    """One of a plan's countries: ISO3 code and name, and its region's slug and name (or None)."""

    iso3: str
    name: str
    region_slug: str | None
    region_name: str | None


def _rest_of(places: list[Place], dimension: str) -> tuple[str, str] | None:
    """The group of a plan's part that names no country (key, label); None: no group."""
    if len(places) == 1:
        only = places[0]
        if dimension == "country":
            return only.iso3, only.name
        return (only.region_slug, only.region_name or "") if only.region_slug else None
    regions = {p.region_slug: p.region_name for p in places if p.region_slug}
    if len(regions) > 1:
        return MULTI_REGION, _("Multi-region")
    if dimension == "region":
        if not regions:
            return None
        slug, name = next(iter(regions.items()))
        return slug, name or ""
    if not regions:
        return MULTI_COUNTRY, _("Multi-country")
    slug, name = next(iter(regions.items()))
    return f"{MULTI_COUNTRY}-{slug}", _("Multi-country: %(region)s") % {"region": name}


def _group_of(
    iso3: str | None, places: dict[str, Place], dimension: str, rest
) -> tuple[str, str] | None:
    place = places.get(iso3) if iso3 else None
    if place is None or len(places) == 1:
        return rest
    if dimension == "country":
        return place.iso3, place.name
    return (place.region_slug, place.region_name or "") if place.region_slug else None


def group_of(iso3: str | None, places: list[Place], dimension: str) -> tuple[str, str] | None:
    """The group (key, label) of one part of a plan: the country its intervention names (None:
    none), among the plan's `places`; None when it is in no group of `dimension`."""
    if not places:
        return ("", _("Not specified")) if dimension == "country" else None
    return _group_of(iso3, {p.iso3: p for p in places}, dimension, _rest_of(places, dimension))


def plan_groups(
    *, dimension: str, places: list[Place], parts: list[tuple[str | None, Figures]]
) -> dict[tuple[str, str], Figures]:
    """A plan's figures by group of `dimension` ("country" or "region"): `parts` are its figures
    per country its interventions name (None: the rest, which names none), each counted once."""
    by_iso3 = {p.iso3: p for p in places}
    if places:
        rest = _rest_of(places, dimension)
    else:  # a plan of no country: "not specified" by country, in no region group
        rest = ("", _("Not specified")) if dimension == "country" else None
    groups: dict[tuple[str, str], list[Figures]] = {}
    for iso3, figures in parts:
        group = _group_of(iso3, by_iso3, dimension, rest)
        if group is not None:
            groups.setdefault(group, []).append(figures)
    return {group: _merge(figures) for group, figures in groups.items()}


def _merge(parts: list[Figures]) -> Figures:
    """The parts of one plan in one group, as one scope: costed when any part is."""
    required = [f.required for f in parts if f.required is not None]
    return Figures(
        required=sum(required, ZERO) if required else None,
        received=sum((f.received for f in parts), ZERO),
        pledged=sum((f.pledged for f in parts), ZERO),
    )


def costed_received(fig: Figures) -> Decimal:
    """The money of `fig` that coverage may count: none of it when its scope is not costed."""
    if fig.covered is not None:
        return fig.covered
    return fig.received if fig.required is not None else ZERO


def figures_add(total: Figures | None, fig: Figures) -> Figures:
    """Add two scopes' figures as the group rollups do: required is known when either is, and
    coverage counts only money received by costed scopes."""
    if total is None:
        return fig
    required = (
        None
        if total.required is None and fig.required is None
        else (total.required or ZERO) + (fig.required or ZERO)
    )
    return Figures(
        required=required,
        received=total.received + fig.received,
        pledged=total.pledged + fig.pledged,
        covered=costed_received(total) + costed_received(fig),
    )
