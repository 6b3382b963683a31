"""Conditional requests: ETag and Last-Modified on every answer, 304 when unchanged."""

from __future__ import annotations

import hashlib

from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe

from .. import pagecache
from ..api_concurrency import etag as etag_of


class ConditionalResponseMixin:
    """ETag (with the version of a versioned resource), Last-Modified and no-cache on 200/201
    answers; a fresh one stored in the answer cache; 304 when the client's copy is current."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Accept", "Authorization", "Cookie"])
        if response.streaming or response.status_code not in (200, 201):
            return response
        if request.method in ("OPTIONS", "DELETE"):
            return response
        if response.has_header("X-Answer-Cache"):  # rendered, dated and tagged when stored
            etag = response["ETag"]
            last_modified = response.get("Last-Modified")
            last_modified = parse_http_date_safe(last_modified) if last_modified else None
            return get_conditional_response(
                request, etag=etag, last_modified=last_modified, response=response
            )
        response.render()
        etag = etag_of(self._etag_version, hashlib.sha256(response.content).hexdigest()[:32])
        response["ETag"] = etag
        if request.method not in ("GET", "HEAD"):
            return response  # a write's answer: the ETag to send with the next write
        last_modified = None
        if self._last_modified is not None:
            last_modified = int(self._last_modified.timestamp())
            response["Last-Modified"] = http_date(last_modified)
        response["Cache-Control"] = "no-cache"  # revalidate each time: cheap with a 304
        if self._cache_key and response.status_code == 200:
            kept = ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Vary")
            headers = {h: response[h] for h in kept if response.has_header(h)}
            pagecache.cache_put(self._cache_key, (response.content, headers))
            response["X-Answer-Cache"] = "miss"
        return get_conditional_response(
            request, etag=etag, last_modified=last_modified, response=response
        )
