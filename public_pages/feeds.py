"""Atom feeds for donors (issue 15 item 6): newly published plans and funding updates, for all
published plans or one country's (`/feeds/plans/`, `/feeds/plans/TJK/`, `/feeds/funding/`,
`/feeds/funding/TJK/`). Built on django.contrib.syndication; each feed is two queries."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from funding.selectors_shown import stored_figures
from plans.models import Country, Plan
from public_pages.templatetags.public import usd

FEED_SIZE = 30


class _PlanFeed(Feed):
    """The shared part: Atom, optionally one country's plans, entries linking to plan pages."""

    feed_type = Atom1Feed
    url_name = ""

    def get_object(self, request, iso3: str | None = None) -> Country | None:
        if iso3 is None:
            return None
        return get_object_or_404(Country, iso3=iso3.upper())

    def link(self, country: Country | None) -> str:
        if country is None:
            return reverse("plans:list")
        return f"{reverse('plans:list')}?country={country.iso3}"

    def feed_url(self, country: Country | None) -> str:
        if country is None:
            return reverse(f"feeds:{self.url_name}")
        return reverse(f"feeds:{self.url_name}-country", args=[country.iso3])

    def plans(self, country: Country | None):
        plans = (
            Plan.objects.public()
            .select_related("rollup")
            .prefetch_related(Prefetch("countries", queryset=Country.objects.order_by("name")))
        )
        return plans.filter(countries=country) if country is not None else plans

    def item_link(self, plan: Plan) -> str:
        return reverse("plans:detail", args=[plan.slug])

    def item_title(self, plan: Plan) -> str:
        return plan.title

    def item_categories(self, plan: Plan) -> list[str]:
        return [c.name for c in plan.countries.all()]

    def item_updateddate(self, plan: Plan):
        return plan.updated_at


def _figures_line(plan: Plan) -> str:
    """What the plan needs and has received, by the page's rules ("not yet costed", never $0)."""
    fig = stored_figures(plan)
    received = usd(fig.received) or "$0"
    if fig.required is None:
        return _("Funding required: not yet costed. Funding received: %(received)s.") % {
            "received": received
        }
    return _(
        "Funding required: %(required)s. Funding received: %(received)s. Funding gap: %(gap)s."
    ) % {"required": usd(fig.required), "received": received, "gap": usd(fig.gap)}


class PublishedPlansFeed(_PlanFeed):
    """Plans by publication date, newest first."""

    url_name = "plans"

    def title(self, country: Country | None) -> str:
        if country is None:
            return _("CRP Portal: newly published plans")
        return _("CRP Portal: newly published plans for %(country)s") % {"country": country.name}

    def subtitle(self, country: Country | None) -> str:
        return _("Crisis response plans as they are published.")

    def items(self, country: Country | None):
        return self.plans(country).order_by("-published_at", "slug")[:FEED_SIZE]

    def item_description(self, plan: Plan) -> str:
        period = _("Period: %(period)s.") % {"period": plan.period_label}
        return " ".join(filter(None, [plan.vision_statement, period, _figures_line(plan)]))

    def item_pubdate(self, plan: Plan):
        return plan.published_at


class FundingUpdatesFeed(_PlanFeed):
    """Plans whose funding figures changed, latest change first; an entry per figures version."""

    url_name = "funding"

    def title(self, country: Country | None) -> str:
        if country is None:
            return _("CRP Portal: funding updates")
        return _("CRP Portal: funding updates for %(country)s") % {"country": country.name}

    def subtitle(self, country: Country | None) -> str:
        return _("What published plans need and have received, each time their funding changes.")

    def items(self, country: Country | None):
        return (
            self.plans(country)
            .filter(funding_updated_at__isnull=False)
            .order_by("-funding_updated_at", "slug")[:FEED_SIZE]
        )

    def item_title(self, plan: Plan) -> str:
        return _("Funding updated: %(title)s") % {"title": plan.title}

    def item_description(self, plan: Plan) -> str:
        return _figures_line(plan)

    def item_guid(self, plan: Plan) -> str:
        # A new id for each update, so a reader shows each change as a new entry.
        stamp = plan.funding_updated_at.isoformat()
        return f"{self.item_link(plan)}#funding-{stamp}"

    item_guid_is_permalink = False

    def item_pubdate(self, plan: Plan):
        return plan.funding_updated_at

    def item_updateddate(self, plan: Plan):
        return plan.funding_updated_at
