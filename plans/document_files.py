"""What a plan document's file may be (issue #15, item 1): PDF, office documents and images, up
to settings.DOCUMENT_MAX_BYTES. The type is read from the file's own bytes (filetype, and the
archive's contents for OOXML and OpenDocument files), never from its name or the browser's
word, and the name's extension must agree with it: a program renamed "report.pdf" is refused.
SVG and HTML are not accepted: a browser runs the scripts they may carry.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FileKind:
    label: str  # as a reader sees it beside the title: "PDF, 2.3 MB"
    content_type: str
    extensions: frozenset[str]


def _kind(label: str, content_type: str, *extensions: str) -> FileKind:
    return FileKind(label, content_type, frozenset(extensions))


_OLE = "application/x-ole-storage"  # .doc, .xls and .ppt share one container
KINDS: dict[str, FileKind] = {
    "pdf": _kind("PDF", "application/pdf", "pdf"),
    "doc": _kind("Word", "application/msword", "doc"),
    "xls": _kind("Excel", "application/vnd.ms-excel", "xls"),
    "ppt": _kind("PowerPoint", "application/vnd.ms-powerpoint", "ppt"),
    "docx": _kind(
        "Word",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "xlsx": _kind(
        "Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"
    ),
    "pptx": _kind(
        "PowerPoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
    ),
    "odt": _kind("OpenDocument text", "application/vnd.oasis.opendocument.text", "odt"),
    "ods": _kind(
        "OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", "ods"
    ),
    "odp": _kind(
        "OpenDocument presentation", "application/vnd.oasis.opendocument.presentation", "odp"
    ),
    "png": _kind("PNG image", "image/png", "png"),
    "jpg": _kind("JPEG image", "image/jpeg", "jpg", "jpeg"),
    "gif": _kind("GIF image", "image/gif", "gif"),
    "webp": _kind("WebP image", "image/webp", "webp"),
}
CONTENT_TYPE_LABELS = {kind.content_type: kind.label for kind in KINDS.values()}
# The member that tells one zip-based office format from another.
_ZIP_MARKERS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
_ODF_MIMETYPES = {KINDS[k].content_type: k for k in ("odt", "ods", "odp")}
ACCEPTED = ", ".join(sorted({f".{e}" for kind in KINDS.values() for e in kind.extensions}))


def _zip_kind(upload) -> str | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                return _ODF_MIMETYPES.get(archive.read("mimetype").decode("ascii", "replace"))
    except zipfile.BadZipFile:
        return None
    for kind, marker in _ZIP_MARKERS.items():
        if "[Content_Types].xml" in names and any(n.startswith(marker) for n in names):
            return kind
    return None


def _sniffed(upload) -> str | None:
    """The file's kind from its bytes (a KINDS key, "ole" for the old office container)."""
    upload.seek(0)
    guess = filetype.guess(upload.read(8192))
    upload.seek(0)
    if guess is None:
        return None
    if guess.extension in ("zip", "docx", "xlsx", "pptx", "odt", "ods", "odp"):
        found = _zip_kind(upload)
        upload.seek(0)
        return found
    if guess.extension in ("doc", "xls", "ppt"):
        return "ole"
    return guess.extension if guess.extension in KINDS else None


def document_file_check(upload) -> FileKind:
    """The upload's kind, or a ValidationError on `file` saying what is accepted."""
    limit = settings.DOCUMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "file": _("This file is %(size)s; a document may be at most %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": _("This file is empty.")})
    extension = PurePath(upload.name).suffix.lower().lstrip(".")
    sniffed = _sniffed(upload)
    candidates = ("doc", "xls", "ppt") if sniffed == "ole" else (sniffed,)
    for key in candidates:
        kind = KINDS.get(key or "")
        if kind is not None and extension in kind.extensions:
            return kind
    if sniffed is None:
        message = _(
            "This file is not a type a plan document may be. Accepted: PDF, office documents "
            "and images (%(accepted)s)."
        ) % {"accepted": ACCEPTED}
    else:
        message = _(
            "This file's name ends in “.%(extension)s” but its content is %(actual)s; rename "
            "it or upload the right file."
        ) % {
            "extension": extension,
            "actual": "an old Office document" if sniffed == "ole" else KINDS[sniffed].label,
        }
    raise ValidationError({"file": message})


def documents_storage():
    """settings.STORAGES["documents"] (local media folder, or S3 when configured)."""
    return storages["documents"]


def document_upload_to(document, filename: str) -> str:
    """plans/<plan id>/<file name>: the storage adds a suffix rather than overwrite a file."""
    return f"plans/{document.plan_id}/{PurePath(filename).name}"
