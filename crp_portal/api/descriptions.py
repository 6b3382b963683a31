"""The words of the schema for names used across the API (crp_portal.api.schema): one meaning
per name, whichever resource shows it. A field's own help_text wins over these."""

from __future__ import annotations

MONEY = (
    ' USD as a string with 2 decimals (e.g. "1250000.00"); null means not yet costed, never zero.'
)
COUNTED = " Counts committed and paid contributions; pledges are never counted."

FIELD_DESCRIPTIONS = {
    # Funding figures (DESIGN.md), from the stored rollups.
    "funding_required": "What this scope needs." + MONEY,
    "funding_received": "What has arrived for this scope." + COUNTED + MONEY,
    "funding_pledged": "Pledged, not yet committed or paid: shown beside, never counted." + MONEY,
    "funding_gap": "Required minus received, never below zero." + MONEY,
    "coverage_percent": "Received as a percentage of required, a string with 2 decimals "
    "(half-up); null when not yet costed.",
    "amount": "The amount in its original currency, a string with 2 decimals.",
    "amount_usd": "The amount in USD, fixed at the rate in force on its date; a string with "
    "2 decimals.",
    "units_per_usd": "Units of the currency per US dollar used to convert it (8 decimals).",
    # Identity.
    "id": "The row's id.",
    "slug": "The code in URLs (letters, digits, hyphens).",
    "url": "This resource's address in the API.",
    "code": "The code: ISO 3166 alpha-3 for a country, ISO 4217 for a currency.",
    "iso2": "ISO 3166 alpha-2 code.",
    "name": "The name.",
    "title": "The title.",
    "number": "The catalog number (never reused).",
    "label": 'The group\'s name (empty for the "not specified" group).',
    "key": 'The group\'s key; "" is the "not specified" group.',
    "dimension": "What the groups are of (the `group_by` asked for).",
    "lookup": "A plan's slug (plans are addressed by slug); empty for other kinds.",
    "object_id": "The id the row had.",
    "plan_slug": "The slug of the plan the row was under.",
    "reason": "deleted, or withdrawn (a plan that left the published state).",
    # Plans.
    "kind": "What kind of plan or donor this is (see the enum).",
    "kind_label": "The kind in words.",
    "status": "Where it stands (see the enum).",
    "status_label": "The status in words.",
    "countries": "Countries covered, by ISO 3166 alpha-3 code.",
    "country": "The country (ISO 3166 alpha-3 code and name).",
    "region": "The regional office's area.",
    "start_year": "First year of the plan's period.",
    "end_year": "Last year of the plan's period.",
    "year": "A calendar year.",
    "years": "The plan's years: stated people figures and each year's funding figures.",
    "vision_statement": "The plan's vision in a paragraph.",
    "vision_narrative": "The plan's full narrative.",
    "published_at": "When it was last published; null if never.",
    "updated_at": "When its content last changed (ISO 8601, UTC): the basis of `updated_since`.",
    "funding_updated_at": "When its funding figures were last recomputed.",
    "computed_at": "When the figures were computed.",
    "people_in_need": "People in need (stated by the plan); null if not stated.",
    "people_targeted": "People targeted; null if not stated.",
    "entities_targeted": "Entities (institutions, communities) targeted; null if not stated.",
    "people_description": "Who the people targeted are, in words.",
    "objectives": "The plan's objectives, each with its interventions.",
    "objective": "The objective's id (null: not earmarked to one).",
    "strategic_objective": "The organisation-wide strategic objective it serves.",
    "target_groups": "Primary target groups.",
    "interventions": "The objective's interventions, with activities and yearly requirements.",
    "intervention": "The intervention's id (null: not earmarked to one).",
    "sector": "The sector (thematic area); null if none.",
    "plan_types": "Plan types it is part of (e.g. an inter-agency HRP).",
    "plan": "The plan's slug.",
    "narrative": "The narrative text.",
    "position": "Order on the plan's page.",
    "text": "The activity, in words.",
    "activities": "Activities, in order.",
    "requirements": "Yearly requirements: USD needed per year of the plan.",
    "operational_presence": "Staff and offices per country.",
    "international_staff": "International staff; null if not stated.",
    "national_staff": "National staff; null if not stated.",
    "field_offices": "Field offices; null if not stated.",
    "as_of": "The date the presence figures are as of.",
    "as_of_precision": "How exact `as_of` is (day, month or year).",
    "retired_on": "Retired from this date: kept on content that uses it, not chosen for new "
    "plans; null while in use.",
    # Funding.
    "donor": "The donor (id and name).",
    "currency": "The original currency (ISO 4217).",
    "contributed_on": "The contribution's date (its exchange rate is the one in force then).",
    "reference": "The funding officer's reference (e.g. an agreement number).",
    "deleted_at": "When it was deleted or withdrawn.",
}

PARAMETER_DESCRIPTIONS = {
    "country": "ISO 3166 alpha-3 country code; repeat for several (any of them).",
    "region": "Region slug; repeat for several.",
    "currency": "ISO 4217 currency code; repeat for several.",
    "donor": "Donor id; repeat for several where the list allows.",
    "objective": "Objective id.",
    "intervention": "Intervention id.",
    "strategic_objective": "Strategic objective number.",
    "sector": "Sector slug.",
    "plan_type": "Plan type slug.",
    "target_group": "Target group slug.",
    "search": "Words to find in names and titles (case-insensitive).",
    "min_gap": "At least this funding gap (USD, up to 2 decimals).",
    "max_gap": "At most this funding gap (USD, up to 2 decimals).",
    "min_coverage": "At least this coverage (percent, up to 2 decimals).",
    "max_coverage": "At most this coverage (percent, up to 2 decimals).",
    "min_amount_usd": "At least this amount in USD (up to 2 decimals).",
    "max_amount_usd": "At most this amount in USD (up to 2 decimals).",
    "year": "A year, as a whole number (e.g. 2021): rows of that year.",
    "id": "The row's id.",
    "slug": "The plan's slug.",
    "iso3": "ISO 3166 alpha-3 country code.",
    "format": "json (default); csv or hxl: every matching row as a flat, streamed CSV "
    "(hxl adds a row of HXL hashtags).",
}
