"""Content Security Policy exceptions, one per view that needs one (the policy is in settings).

Swagger UI (drf-spectacular's sidecar build) is the only page needing more than 'self': its page
template has an inline <style> block. The split view serves Swagger UI's start-up script as a
file, so scripts stay 'self' only; just inline styles are allowed, and only on this page.
Route it at /api/docs/ (the API's urls, issue 4):

    path("api/docs/", crp_portal.csp.swagger_ui, name="swagger-ui")
"""

from __future__ import annotations

from csp.decorators import csp_update
from drf_spectacular.views import SpectacularSwaggerSplitView

swagger_ui = csp_update({"style-src": ["'unsafe-inline'"]})(
    SpectacularSwaggerSplitView.as_view(url_name="schema")
)
