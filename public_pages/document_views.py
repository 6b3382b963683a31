"""A plan document's file, sent to a reader who may see its plan (issue #15, item 1).

Files never sit in a public folder: this view checks the plan is visible to the reader (public
plans for everyone, drafts for their editors) and sends the file with the type the upload check
found, as a download except PDFs and images, sandboxed so nothing in it runs on this site. With
an S3 bucket, it redirects to a signed link that expires in minutes; the page links here, so a
cached page never holds an expired link.
"""

from __future__ import annotations

from pathlib import PurePath

from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from plans.models import Plan, PlanDocument

SHOWN_INLINE = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}


def _send(document: PlanDocument):
    if document.is_link:
        return HttpResponseRedirect(document.url)
    storage = document.file.storage
    try:
        storage.path(document.file.name)
    except NotImplementedError:  # a remote bucket: its own signed link
        return HttpResponseRedirect(document.file.url)
    if not storage.exists(document.file.name):
        raise Http404("The file of this document is missing.")
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=document.content_type not in SHOWN_INLINE,
        filename=PurePath(document.file.name).name,
        content_type=document.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, max-age=300"
    return response


@require_safe
def document_download(request, slug: str, pk: int):
    """/plans/<slug>/documents/<pk>/: the document's file, or its link."""
    document = get_object_or_404(
        PlanDocument.objects.select_related("plan"),
        pk=pk,
        plan__slug=slug,
        plan__in=Plan.objects.visible_to(request.user),
    )
    return _send(document)


@require_safe
def document_file(request, name: str):
    """/documents/files/<name>: the local storage's own address of a file (the admin's link)."""
    document = get_object_or_404(
        PlanDocument.objects.select_related("plan"),
        file=name,
        plan__in=Plan.objects.visible_to(request.user),
    )
    return _send(document)
