"""The project's URLs plus the API schema and Swagger UI as the API (issue 4) will mount them,
so the CSP of the docs page is tested before the merge."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from crp_portal import csp
from crp_portal.urls import urlpatterns as project_urls

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", csp.swagger_ui, name="swagger-ui"),
    *project_urls,
]
