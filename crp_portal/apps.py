from django.apps import AppConfig


class CrpPortalConfig(AppConfig):
    name = "crp_portal"
    verbose_name = "CRP Portal"

    def ready(self) -> None:
        from . import admin_widgets, checks  # noqa: F401  (checks registers the deploy checks)

        admin_widgets.install()
