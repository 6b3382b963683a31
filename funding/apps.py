from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = "Funding"

    def ready(self) -> None:
        from . import fts_tasks, receivers  # noqa: F401  (the FTS task; the rollup triggers)
