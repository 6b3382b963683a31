"""The admin's guard against query strings no database can take (issue 11, item 8).

PostgreSQL refuses a NUL character in any text it is given, so a NUL in a list filter, a search
or an autocomplete term (`?q=%00`, `?status=%00`, `/admin/autocomplete/?term=%00`) reached the
query and ended as a 500. The admin's GET parameters are filters, searches and ids, none of
which can hold a NUL: such a request is a 400 that says so, before any view runs. (Forms posted
to the admin need no guard: Django's form fields already refuse NUL with a field message.)
"""

from __future__ import annotations

import re

from django.http import HttpResponseBadRequest
from django.urls import reverse
from django.utils.translation import gettext as _

DATE_PARTS = ("__year", "__month", "__day")
_DATE_PART = re.compile(r"[0-9]{1,4}")


class AdminQueryGuardMiddleware:
    """A 400 for an admin request whose path or query string holds a NUL character, or whose
    date hierarchy asks for a year, month or day that is no number of at most four digits."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(reverse("admin:index")) and _bad_query(request):
            return HttpResponseBadRequest(
                _(
                    "The address holds a NUL character (%00), which no filter, search or id "
                    "can contain, or a date that is not a number. Remove it and try again."
                ),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def _bad_query(request) -> bool:
    if "\x00" in request.path:
        return True
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return True
        # The date hierarchy (`contributed_on__year=…`) turns these into a date unguarded: a
        # number too large for a C long was an OverflowError, a 500.
        if key.endswith(DATE_PARTS) and not all(_DATE_PART.fullmatch(v) for v in values):
            return True
    return False
