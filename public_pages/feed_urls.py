"""Atom feeds: /feeds/plans/ and /feeds/funding/, each also per country by ISO3 code."""

from django.urls import path

from .feeds import FundingUpdatesFeed, PublishedPlansFeed

app_name = "feeds"

urlpatterns = [
    path("plans/", PublishedPlansFeed(), name="plans"),
    path("plans/<str:iso3>/", PublishedPlansFeed(), name="plans-country"),
    path("funding/", FundingUpdatesFeed(), name="funding"),
    path("funding/<str:iso3>/", FundingUpdatesFeed(), name="funding-country"),
]
