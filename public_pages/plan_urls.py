"""Public plan pages: /plans/ and /plans/<slug>/."""

from django.urls import path

from . import document_views
from . import plan_views as views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("<slug:slug>/", views.plan_detail, name="detail"),
    path("<slug:slug>/pdf/", views.plan_pdf, name="pdf"),
    path(
        "<slug:slug>/documents/<int:pk>/",
        document_views.document_download,
        name="document",
    ),
]
