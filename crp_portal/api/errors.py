"""The API's exception handler: domain errors become 400 / 403 with field-level messages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from crp_portal.api_concurrency import precondition_response


def _messages(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {"non_field_errors": error.messages}


def exception_handler(exc, context):
    """Django's ValidationError → 400 with field messages; PermissionDenied → 403; a database
    constraint or value error that slipped past validation → 400, never a 500; a missing or
    stale version → 428 / 412 (crp_portal.api_concurrency)."""
    precondition = precondition_response(exc)
    if precondition is not None:
        return precondition
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_messages(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, IntegrityError | DataError):
        exc = exceptions.ValidationError(
            {"non_field_errors": ["The data breaks a rule of the database; nothing was saved."]}
        )
    return drf_exception_handler(exc, context)
