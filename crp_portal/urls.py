"""Project URLs: public pages, the admin, the partner API and the health check."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from notifications import views as notification_views
from partners.iati.api import IatiActivitiesView
from plan_history.api import PlanAsOfView
from public_pages import document_views, funding_views, plan_views

from . import csp, views

admin.site.site_header = "CRP Portal — editors"
admin.site.site_title = "CRP Portal admin"
admin.site.index_title = "Crisis response plans"
admin.site.index_template = "admin/crp_index.html"  # with "waiting for your review" (notifications)

handler404 = views.not_found

urlpatterns = [
    # Before the admin's own URLs, which would take any path under admin/.
    path(
        "admin/notifications/",
        admin.site.admin_view(notification_views.preferences),
        name="notification-preferences",
    ),
    path("admin/", admin.site.urls),
    path("_nested_admin/", include("nested_admin.urls")),
    path("healthz", views.healthz, name="healthz"),
    # Before the v1 router include (issue 4), so that this path resolves here.
    path("api/v1/plans/<slug:slug>/as-of/", PlanAsOfView.as_view(), name="plan-as-of"),
    # Issue 14, item 5: the IATI export; not a router list (one XML document, no trailing slash).
    path("api/v1/iati/activities.xml", IatiActivitiesView.as_view(), name="iati-activities"),
    path("documents/files/<path:name>", document_views.document_file, name="document-file"),
    path("feeds/", include("public_pages.feed_urls")),
    path("favicon.ico", views.favicon),
    path("api/v1/", include(("crp_portal.api.router", "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", csp.swagger_ui, name="api-docs"),
]
# Public pages for donors (issue 5), in each language of LANGUAGES: English at /plans/…, the
# others under their prefix (/fr/plans/…, issue #15 item 5). An unprefixed page is always
# English, whatever Accept-Language says, so a URL (and its cached page) has one language.
urlpatterns += i18n_patterns(
    path("", plan_views.home, name="home"),
    path("plans/", include("public_pages.plan_urls")),
    path("funding/", funding_views.dashboard, name="funding"),
    prefix_default_language=False,
)
