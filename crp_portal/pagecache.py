"""Whole-page cache of the public pages, keyed by the URL and a version bumped on every change.

Public pages read stored rollups, which change only when a recompute writes; content edits
(a plan's narrative, an activity) change pages too. Rather than finding every key a change
touches, every cached page carries a version number: bumping it retires them all at once, and
the stale entries simply expire. The cache is a speed-up, never a dependency: when it is
unreachable, pages are rendered as if it were empty, and the cache is left alone for a while
(crp_portal.outages).
"""

from __future__ import annotations

import functools
import hashlib

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from . import outages

VERSION_KEY = "pages:version"
# A safety net only: bumps retire pages at once; this bounds the life of any missed change.
PAGE_TIMEOUT = 10 * 60
_KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Content-Language")


def pages_version() -> int:
    """The current version of the public pages (1 when nothing was bumped yet; 0: no cache)."""
    if not outages.CACHE.available():
        return 0
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, 1, timeout=None)
            version = cache.get(VERSION_KEY, 1)
        return int(version)
    except Exception:
        outages.CACHE.failed()
        return 0


def pages_bump() -> None:
    """Retire every cached public page: call after anything a public page shows has changed."""
    if not outages.CACHE.available():
        return
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # never set, or evicted: start a fresh series above any old one
            cache.set(VERSION_KEY, 2, timeout=None)
    except Exception:
        outages.CACHE.failed()


def page_key(request: HttpRequest, version: int, namespace: str = "pages", vary: str = "") -> str:
    """The key of one answer: the absolute URL (scheme and host too: answers carry absolute
    URLs, and one host's must never be served to another), `vary` (e.g. the Accept header),
    language, version."""
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(f"{url}\n{vary}".encode()).hexdigest()
    return f"{namespace}:{version}:{translation.get_language()}:{digest}"


def cache_get(key: str):
    """What is stored under `key`, or None (also when the cache is unreachable)."""
    if not outages.CACHE.available():
        return None
    try:
        return cache.get(key)
    except Exception:
        outages.CACHE.failed()
        return None


def cache_put(key: str, value) -> None:
    if not outages.CACHE.available():
        return
    try:
        cache.set(key, value, timeout=PAGE_TIMEOUT)
    except Exception:
        outages.CACHE.failed()


def cached_page(view):
    """Serve anonymous GETs of a public page from the cache; store successful renders."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "GET" or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        version = pages_version()
        if not version:
            return view(request, *args, **kwargs)
        key = page_key(request, version)
        stored = cache_get(key)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if response.status_code == 200 and not response.streaming:
            headers = {h: response[h] for h in _KEPT_HEADERS if h in response}
            cache_put(key, (response.content, headers))
        response["X-Page-Cache"] = "miss"
        return response

    return wrapper


def _content_changed(sender, **kwargs) -> None:
    # After commit: a page rendered between the bump and the commit would cache the old text.
    transaction.on_commit(pages_bump)


def retire_pages_on_change(*models, through=()) -> None:
    """Bump after any save or delete of `models` and any change of the m2m tables `through`:
    what public pages and the API's cached answers show, beside the rollups. Each app calls it
    for its own models from its receivers module."""
    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(_content_changed, sender=model, dispatch_uid=f"pages_{model.__name__}")
    for table in through:
        m2m_changed.connect(_content_changed, sender=table, dispatch_uid=f"pages_{table}")
