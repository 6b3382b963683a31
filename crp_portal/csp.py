"""Content Security Policy exceptions, one per view that needs one (the policy is in settings).

Swagger UI (drf-spectacular's sidecar build) is the only page needing more than 'self': its page
template has an inline <style> block. The split view serves Swagger UI's start-up script as a
file, so scripts stay 'self' only; just inline styles are allowed, and only on this page.
It is routed at /api/docs/ in crp_portal/urls.py.
"""

from __future__ import annotations

from csp.decorators import csp_update
from drf_spectacular.views import SpectacularSwaggerSplitView

swagger_ui = csp_update({"style-src": ["'unsafe-inline'"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)
