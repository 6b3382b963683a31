from django.apps import AppConfig


class PublicPagesConfig(AppConfig):
    """An app only for its template tags (`{% load public %}`); it has no models."""

    name = "public_pages"
    verbose_name = "Public pages"
