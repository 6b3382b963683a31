"""Funding officers' file uploads in the admin (issue #13, item 5): contributions and exchange
rates from CSV or XLSX, checked first and shown as a preview, then imported on confirmation.

Both steps run the same import as `manage.py import_contributions` / `import_rates`
(funding.imports), through the services, with the officer as the actor: the preview is a dry
run, so it shows exactly what the import will do and every row's error in the services' words;
nothing is written until the whole file is valid and confirmed. Between the two steps the file
travels with the confirmation form, signed (django.core.signing) for this user, so what is
imported is byte for byte what was previewed, with nothing kept on the server.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crp_portal.tables import error_messages

from .imports.contributions import OPTIONAL, REQUIRED, contributions_file_import
from .imports.rates import FORMATS, rates_file_import

# The confirmation form carries the file (base64, compressed, signed): Django's request body
# limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB) bounds it. Larger files go through the commands.
MAX_UPLOAD_BYTES = 1_500_000
SIGNED_FOR = 3600  # seconds a preview may be confirmed
EXTENSIONS = (".csv", ".xlsx")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        help_text=gettext_lazy("At most 1.5 MB; larger files: the manage.py import commands."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise ValidationError(_("Choose a .csv or .xlsx file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _(
                    "This file is %(size)s bytes; the admin takes at most %(max)s. Import it "
                    "with manage.py instead."
                )
                % {"size": f"{upload.size:,}", "max": f"{MAX_UPLOAD_BYTES:,}"}
            )
        return upload


class RatesUploadForm(UploadForm):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[
            ("ecb", gettext_lazy("ECB euro reference rates (eurofxref-hist.csv)")),
            ("csv", gettext_lazy("Plain CSV: date, currency, units_per_usd")),
        ],
    )


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes
    options: dict[str, Any]

    def signed(self, user) -> str:
        data = {"name": self.name, "content": base64.b64encode(self.content).decode()}
        return signing.dumps({**data, "options": self.options}, salt=_salt(user), compress=True)

    @classmethod
    def unsigned(cls, token: str, user) -> Upload:
        data = signing.loads(token, salt=_salt(user), max_age=SIGNED_FOR)
        return cls(data["name"], base64.b64decode(data["content"]), data["options"])


def _salt(user) -> str:
    return f"funding.admin_uploads:{user.pk}"


class UploadAdminMixin:
    """An "Upload" page on a funding ModelAdmin: upload → preview (dry run) → confirm."""

    upload_form = UploadForm
    upload_template = ""
    upload_title = ""
    upload_explained: dict[str, Any] = {}  # what the page's explanation shows (the columns)

    def upload_run(self, upload: Upload, *, actor, dry_run: bool):
        raise NotImplementedError

    def upload_failed(self, report) -> bool:
        return bool(report.errors)

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}_upload"
        view = self.admin_site.admin_view(self.upload_view)
        return [path("upload/", view, name=name), *super().get_urls()]

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = self.upload_form(request.POST or None, request.FILES or None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": self.upload_title,
            "form": form,
            "max_bytes": MAX_UPLOAD_BYTES,
            **self.upload_explained,
        }
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm(request, context)
        if request.method == "POST" and form.is_valid():
            options = {k: v for k, v in form.cleaned_data.items() if k != "file"}
            file = form.cleaned_data["file"]
            upload = Upload(file.name, file.read(), options)
            return self._preview(request, context, upload)
        return TemplateResponse(request, self.upload_template, context)

    def _preview(self, request, context, upload: Upload, *, again: bool = False):
        try:
            report = self.upload_run(upload, actor=request.user, dry_run=True)
        except ValidationError as error:  # the file itself: its format, its headers
            context["file_errors"] = error_messages(error)
            return TemplateResponse(request, self.upload_template, context)
        context.update(
            report=report,
            upload_name=upload.name,
            token=None if self.upload_failed(report) else upload.signed(request.user),
            changed_meanwhile=again,
        )
        return TemplateResponse(request, self.upload_template, context)

    def _confirm(self, request, context):
        try:
            upload = Upload.unsigned(request.POST.get("upload", ""), request.user)
        except signing.BadSignature:
            context["file_errors"] = [
                _("This preview has expired or was altered. Upload the file again.")
            ]
            return TemplateResponse(request, self.upload_template, context)
        try:
            report = self.upload_run(upload, actor=request.user, dry_run=False)
        except ValidationError as error:
            context["file_errors"] = error_messages(error)
            return TemplateResponse(request, self.upload_template, context)
        if self.upload_failed(report):  # the data changed since the preview: nothing written
            return self._preview(request, context, upload, again=True)
        messages.success(
            request,
            _("File %(name)s: %(summary)s") % {"name": upload.name, "summary": report.summary()},
        )
        opts = self.model._meta
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))


class ContributionUploadMixin(UploadAdminMixin):
    upload_template = "admin/funding/contribution/upload.html"
    upload_title = gettext_lazy("Upload contributions")
    upload_explained = {"required": REQUIRED, "optional": OPTIONAL}

    def upload_run(self, upload: Upload, *, actor, dry_run: bool):
        return contributions_file_import(
            name=upload.name, content=upload.content, actor=actor, dry_run=dry_run
        )


class RatesUploadMixin(UploadAdminMixin):
    upload_form = RatesUploadForm
    upload_template = "admin/funding/exchangerate/upload.html"
    upload_title = gettext_lazy("Upload exchange rates")

    def upload_run(self, upload: Upload, *, actor, dry_run: bool):
        fmt = upload.options.get("format", "csv")
        if fmt not in FORMATS:
            raise ValidationError({"format": _("Choose the format: ecb or csv.")})
        return rates_file_import(
            name=upload.name, content=upload.content, fmt=fmt, actor=actor, dry_run=dry_run
        )
