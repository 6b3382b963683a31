from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Plans"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (keeps role groups in step with assignments)
