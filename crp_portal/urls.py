"""Project URLs: public pages, the admin, the partner API and the health check."""

from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "CRP Portal — editors"
admin.site.site_title = "CRP Portal admin"
admin.site.index_title = "Crisis response plans"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
]
urlpatterns += [path("_nested_admin/", include("nested_admin.urls"))]
