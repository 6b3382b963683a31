from django.apps import AppConfig


class CrpPortalConfig(AppConfig):
    name = "crp_portal"
    verbose_name = "CRP Portal"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks)
        from .pagecache import connect_content_receivers

        connect_content_receivers()
