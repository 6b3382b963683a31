"""Who is the client: the address sign-in limiting (django-axes) counts failures against."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address, trusting exactly TRUSTED_PROXY_COUNT proxies in front of the app.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so
    the client is the entry that many places from the right. Entries further left were written
    by the client itself and can be forged, so they are never used: a client cannot dodge its
    lockout by sending a made-up X-Forwarded-For. With no proxy (count 0) the header is ignored.
    """
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        # Fewer hops than proxies: the request did not come through all of them.
        return forwarded[0] if forwarded else remote
    return forwarded[-count]
