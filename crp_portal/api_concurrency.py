"""No lost updates in the partner API: ETag / If-Match (issue 6), one ETag design for reads and
writes.

A resource that can be written — a plan with its content (objectives, interventions, activities,
yearly requirements: the plan's version guards them all, as on the admin's plan page) or a
contribution — answers with `ETag: "v<version>-<digest>"`: the version of the row that guards
it, then a digest of the body.

- GET with `If-None-Match` compares whole tags: 304 while the body is unchanged (a new funding
  figure changes the digest, and the client gets the new body).
- PATCH and DELETE must send `If-Match` with a tag read from the resource; only its version part
  counts, so money arriving in between (new figures, same version) does not make an edit stale.
  Without If-Match: 428 Precondition Required; with an older version: 412 Precondition Failed
  listing what changed since (field, their value, your value); in both cases nothing is written.
- A successful write answers with the new ETag, ready for the next write.

The version check itself happens inside the write services (crp_portal.concurrency), under the
guarding row's lock, so the admin and the API refuse stale writes the same way.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from .concurrency import VERSION_NOT_SENT, VersionConflict, VersionRequired

_TAG = re.compile(r'^(?:W/)?"v(\d{1,12})-[0-9a-f]*"$')


def etag(version: int | None, digest: str) -> str:
    """The ETag of a body; versioned resources put their guarding version first."""
    return f'"{digest}"' if version is None else f'"v{version}-{digest}"'


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"


def if_match_version(request) -> int | None:
    """The version an If-Match header names: VERSION_NOT_SENT without one, None for `*` (any
    version). A tag this API never gave is a 412: the client read something else."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return VERSION_NOT_SENT
    if header == "*":
        return None
    versions = []
    for tag in header.split(","):
        match = _TAG.match(tag.strip())
        if match:
            versions.append(int(match.group(1)))
    if not versions:
        raise PreconditionFailed(
            {"detail": _("If-Match must be an ETag this resource answered with (GET it first).")}
        )
    return max(versions)


def precondition_response(exc) -> Response | None:
    """The 428 / 412 answer to a version problem raised inside a service, else None. (Built
    here rather than as an APIException, which would turn the version numbers into strings.)"""
    if isinstance(exc, VersionRequired):
        body = {"detail": str(exc), "current_version": exc.current_version}
        return Response(body, status=status.HTTP_428_PRECONDITION_REQUIRED)
    if isinstance(exc, VersionConflict):
        return Response(exc.conflict.as_json(), status=status.HTTP_412_PRECONDITION_FAILED)
    return None


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the resource as you read it (GET). `*` writes whatever the "
    "current version is.",
)

PRECONDITION_RESPONSES = {
    412: OpenApiResponse(
        description="Someone else saved a newer version since you read it: nothing was "
        "written; `changes` lists what they changed (field, their value, your value)."
    ),
    428: OpenApiResponse(description="If-Match is missing: nothing was written."),
}


class VersionedWritesMixin:
    """For a viewset whose objects are guarded by a version: `etag_version(obj)` names it (the
    ETag's version part) and `expected_version()` reads the request's If-Match."""

    def etag_version(self, obj) -> int | None:
        return obj.version

    def expected_version(self) -> int | None:
        return if_match_version(self.request)
