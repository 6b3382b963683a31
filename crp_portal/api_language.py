"""The API's language (issue #15, item 5): `?lang=fr` or, without it, the request's
Accept-Language chooses the language of the API's words (labels such as `kind_label` and
`status_label`, an indicator's `name` and `text`) and of the plans' own texts where they are
translated (else English: plans/translation.py).

Writes stay in English: with modeltranslation, `plan.title = …` in French would write the French
column, so a partner's PATCH of `title` would change a translation, not the plan's text.

The public pages take their language from their address (/fr/…, LocaleMiddleware); the API
keeps one address, so it reads the request instead. Answers say which language they are in
(Content-Language) and vary on Accept-Language; the answer cache keys by language already
(crp_portal.pagecache.page_key)."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

API_PREFIX = "/api/"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)


class ApiLanguageMiddleware:
    """After LocaleMiddleware (which makes every unprefixed address English)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        asked = request.GET.get("lang")
        if asked is not None and asked not in LANGUAGE_CODES:
            return JsonResponse(
                {
                    "lang": [
                        f"“{asked}” is not a language of the API: one of {', '.join(LANGUAGE_CODES)}."
                    ]
                },
                status=400,
            )
        language = asked or translation.get_language_from_request(request)
        if request.method not in SAFE_METHODS:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if asked is None:
            patch_vary_headers(response, ("Accept-Language",))
        return response
