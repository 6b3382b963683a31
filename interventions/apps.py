from django.apps import AppConfig


class InterventionsConfig(AppConfig):
    name = "interventions"
    verbose_name = "Interventions"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (models load first; retires cached pages on edits)
