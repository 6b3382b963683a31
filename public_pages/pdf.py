"""A plan's PDF, made by WeasyPrint from the same template as the page (issue #15, item 4).

WeasyPrint needs system libraries (Pango, HarfBuzz): it is imported lazily, so the site runs
without them and the PDF link says what to install. Static files are read from the project's
static finders/storage; nothing is fetched from the network.
"""

from __future__ import annotations

import functools
import mimetypes

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.utils.translation import gettext as _

MISSING_LIBRARIES = "The PDF needs WeasyPrint's system libraries: make system-deps"
BASE_URL = "http://pdf.invalid/"


@functools.cache
def weasyprint_missing() -> str:
    """'' when WeasyPrint can be imported, else the message saying what to install."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        return MISSING_LIBRARIES
    return ""


def _static_path(name: str) -> str | None:
    found = finders.find(name)
    if found:
        return str(found)
    try:
        return staticfiles_storage.path(name)
    except (NotImplementedError, ValueError):
        return None


def static_file(url: str) -> tuple[bytes, str]:
    """The bytes and type of a /static/ URL from the local files; anything else is refused
    (no network fetch)."""
    from django.conf import settings

    prefix = BASE_URL.rstrip("/") + settings.STATIC_URL
    if not url.startswith(prefix):
        raise ValueError(f"The PDF loads nothing from outside the project: {url}")
    name = url[len(prefix) :].split("?", 1)[0]
    path = _static_path(name)
    if not path or ".." in name:
        raise ValueError(f"No such static file: {name}")
    with open(path, "rb") as handle:
        data = handle.read()
    return data, mimetypes.guess_type(path)[0] or "application/octet-stream"


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            data, mime = static_file(url)
            return URLFetcherResponse(url, body=data, headers={"Content-Type": mime})

    return HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnly()).write_pdf()


def page_footer_css() -> str:
    """The PDF's page numbers in the page's language, as a CSS `content` value: "Page 2 of 4"
    in words of any order ("Page 2 sur 4", "الصفحة 2 من 4"), the numbers left to CSS counters."""
    words = _("Page %(page)s of %(pages)s") % {"page": "\x00page\x00", "pages": "\x00pages\x00"}
    parts = []
    for i, part in enumerate(words.split("\x00")):
        if i % 2:
            parts.append(f"counter({part})")
        elif part:
            parts.append('"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(parts)
