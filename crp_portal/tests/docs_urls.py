"""The project's URLs (the API schema and Swagger UI are mounted there since issue 4 merged);
kept as a module so the CSP tests name their URL conf explicitly."""

from crp_portal.urls import urlpatterns

__all__ = ["urlpatterns"]
