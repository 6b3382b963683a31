"""The signed-in user's own notification settings, a page of the admin (/admin/notifications/)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from .forms import PreferenceForm
from .services import notification_preference_set, workflow_emails_on


def preferences(request):
    initial = {"workflow_emails": workflow_emails_on(request.user)}
    # Not `request.POST or None`: unticking the only box posts nothing, which is still a POST.
    form = PreferenceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        on = form.cleaned_data["workflow_emails"]
        notification_preference_set(user=request.user, workflow_emails=on)
        messages.success(
            request,
            "Workflow e-mails are on." if on else "Workflow e-mails are off: you will get none.",
        )
        return redirect("notification-preferences")
    context = {
        **admin.site.each_context(request),
        "title": "Your e-mail notifications",
        "form": form,
        "email": request.user.email,
    }
    return TemplateResponse(request, "notifications/preferences.html", context)
