"""Admin for partner API tokens: the secret is shown once, on creation; tokens can be revoked."""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ApiToken, Deletion


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ["name", "user"] if obj is None else ["name", "user", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "user"])
            return
        token, secret = services.api_token_create(user=obj.user, name=obj.name)
        obj.pk = token.pk
        obj.prefix, obj.hashed_secret, obj.created_at = (
            token.prefix,
            token.hashed_secret,
            token.created_at,
        )
        # Shown once, in the body of the answer to this POST (response_add); never in a message:
        # messages travel in a signed, not encrypted, cookie. Ref: issue 11, item 11.
        request._token_secret = secret

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, "_token_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("New API token"),
            "token": obj,
            "secret": secret,
        }
        response = TemplateResponse(request, "admin/partners/apitoken/created.html", context)
        add_never_cache_headers(response)  # no copy of the secret in any cache
        return response

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(token=token)
        self.message_user(request, _("%(n)d token(s) revoked.") % {"n": queryset.count()})


@admin.register(Deletion)
class DeletionAdmin(admin.ModelAdmin):
    list_display = ["kind", "object_id", "lookup", "plan_slug", "deleted_at"]
    list_filter = ["kind"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
