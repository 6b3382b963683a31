from django.apps import AppConfig


class ObjectivesConfig(AppConfig):
    name = "objectives"
    verbose_name = "Objectives"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (models load first; retires cached pages on edits)
