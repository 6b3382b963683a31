from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partner API"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (records deletions for incremental sync)
