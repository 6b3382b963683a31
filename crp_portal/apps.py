from django.apps import AppConfig


class CrpPortalConfig(AppConfig):
    name = "crp_portal"
    verbose_name = "CRP Portal"

    def ready(self) -> None:
        from . import admin_widgets, checks  # noqa: F401  (checks registers the deploy checks)
        from .pagecache import connect_content_receivers

        admin_widgets.install()
        connect_content_receivers()
