"""A plan's documents (issue #15, item 1): the only writes of PlanDocument, for the admin's
Documents section and anything else. Each is a content edit of its plan (plans.services.
plan_content_lock): editors of the plan's countries only, not on an archived plan, version-
checked, and a new version of the plan in its history; the document has a history of its own.

A replaced or deleted document's file stays in storage: the history still names it, and a
restore brings it back.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from .document_files import document_file_check
from .history_records import record_as
from .models import Plan, PlanDocument
from .services import fields_check, plan_content_lock

DOCUMENT_FIELDS = ("kind", "title", "language", "published_on", "file", "url")


def _apply(document: PlanDocument, fields: dict) -> None:
    upload = fields.pop("file", None)
    for name, value in fields.items():
        setattr(document, name, value.strip() if isinstance(value, str) else value)
    if upload is False:  # the admin's "clear" box: the document becomes a link
        document.file = ""
        document.size_bytes, document.content_type = None, ""
    elif isinstance(upload, File) and not isinstance(upload, FieldFile):  # a new upload
        kind = document_file_check(upload)
        document.file = upload
        document.size_bytes, document.content_type = upload.size, kind.content_type
    if document.url:
        if document.file:
            raise ValidationError(_("Give a file or a link, not both."))
        document.size_bytes, document.content_type = None, ""
    elif not document.file:
        raise ValidationError({"file": _("Attach a file or give a link.")})
    if not document.title:
        raise ValidationError({"title": _("Give the document a title.")})


@transaction.atomic
def document_save(
    *,
    plan: Plan,
    actor,
    document: PlanDocument | None = None,
    edit: Plan | None = None,
    expected_version: int | None = None,
    **fields,
) -> PlanDocument:
    """Attach a document to `plan` (no `document`) or change one of its documents. `file` is an
    upload (checked by document_file_check), False to remove it, or absent to keep it."""
    fields_check(fields, DOCUMENT_FIELDS)
    locked = plan_content_lock(
        plan_id=plan.pk,
        actor=actor,
        reason=_("Document changed") if document else _("Document added"),
        expected_version=expected_version,
        edit=edit,
    )
    if document is None:
        document = PlanDocument(plan=locked)
    elif document.plan_id != locked.pk:
        raise ValidationError(_("This document belongs to another plan."))
    _apply(document, dict(fields))
    document.full_clean(exclude=["file"])
    record_as(document, user=actor)
    document.save()
    return document


@transaction.atomic
def document_delete(*, document: PlanDocument, actor, edit: Plan | None = None) -> None:
    plan_content_lock(
        plan_id=document.plan_id, actor=actor, reason=_("Document removed"), edit=edit
    )
    record_as(document, user=actor)
    document.delete()
