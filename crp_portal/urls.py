"""Project URLs: public pages, the admin, the partner API and the health check."""

from django.contrib import admin
from django.urls import include, path

from plans.api_history import PlanAsOfView

from . import views

admin.site.site_header = "CRP Portal — editors"
admin.site.site_title = "CRP Portal admin"
admin.site.index_title = "Crisis response plans"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    # Before the v1 router include (issue 4), so that this path resolves here.
    path("api/v1/plans/<slug:slug>/as-of/", PlanAsOfView.as_view(), name="plan-as-of"),
]
urlpatterns += [path("_nested_admin/", include("nested_admin.urls"))]
