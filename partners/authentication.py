"""DRF authentication by partner API token: `Authorization: Token crp_<prefix>_<secret>`."""

from __future__ import annotations

import hmac

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from . import services
from .models import ApiToken, token_hash


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Looks a token up by its prefix, compares hashes in constant time, records its use."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            secret = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        parts = secret.split("_", 2)
        if len(parts) != 3 or parts[0] != "crp":
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        token = ApiToken.objects.active().select_related("user").filter(prefix=parts[1]).first()
        if token is None or not hmac.compare_digest(token.hashed_secret, token_hash(secret)):
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        services.api_token_touch(token=token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "partners.authentication.ApiTokenAuthentication"
    name = "partnerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token crp_<prefix>_<secret>`: create your own at `POST /api/v1/tokens/` "
            "(signed in) or ask an administrator; the secret is shown once.",
        }
