"""The shared answer cache: anonymous JSON reads stored until any content changes."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse

from .. import pagecache


class AnswerCacheMixin:
    """The shared answer cache: anonymous JSON reads (crp_portal.pagecache)."""

    # Anonymous clients all see the same published data, so an answer rendered for one serves
    # all until anything it may show changes (the version bump retires every stored answer).
    # Looked up after authentication and throttling (initial), so limits still count hits.

    _cache_key: str | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._cache_key = self._answer_cache_key(request)
        stored = pagecache.cache_get(self._cache_key) if self._cache_key else None
        if stored is not None:
            # DRF takes the handler after initial(): answer this request from the cache.
            setattr(self, request.method.lower(), lambda *a, **k: self._cached_answer(stored))

    def _answer_cache_key(self, request) -> str | None:
        if not settings.API_ANSWER_CACHE or request.method != "GET":
            return None
        if request.user.is_authenticated or self.export_format():
            return None
        version = pagecache.pages_version()
        if not version:
            return None
        return pagecache.page_key(
            request, version, namespace="api", vary=request.headers.get("Accept", "")
        )

    def _cached_answer(self, stored) -> HttpResponse:
        content, headers = stored
        response = HttpResponse(content)
        for name, value in headers.items():
            response[name] = value
        response["X-Answer-Cache"] = "hit"
        self._cache_key = None  # nothing to store again
        return response
