"""The API's JSON parser: DRF's, with limits on a body's size and nesting (issue 11, item 5).

A body nested 100,000 deep made the standard parser raise RecursionError, a 500 for any
signed-in client; a huge body was read whole into memory. Both are now a 400 that says why.
No request of the API nests deeper than a few levels (an intervention, its requirements).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 20


def _no_constants(name: str):
    # As DRF's strict mode: NaN and Infinity are not JSON.
    raise ValueError(f"Out of range float values are not JSON compliant: {name!r}")


def _too_deep(data) -> bool:
    """Whether lists and objects nest deeper than MAX_DEPTH (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """JSON bodies of at most MAX_BYTES, nested at most MAX_DEPTH deep; otherwise a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        body = stream.read(MAX_BYTES + 1)
        too_deep = _("JSON parse error - the body nests lists and objects deeper than %(n)s.") % {
            "n": MAX_DEPTH
        }
        if len(body) > MAX_BYTES:
            raise ParseError(
                _("JSON parse error - the body is larger than %(n)s bytes.") % {"n": MAX_BYTES}
            )
        try:
            data = json.loads(body.decode(encoding), parse_constant=_no_constants)
        except RecursionError:
            raise ParseError(too_deep) from None
        except ValueError as exc:  # also UnicodeDecodeError
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
        if _too_deep(data):
            raise ParseError(too_deep)
        return data
