from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_sync_triggers(sender, using, **kwargs) -> None:
    """Refresh the sync triggers after every migrate: rules for tables that a later migration
    creates become live without a migration of their own (partners/sync_sql.py)."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from . import sync_sql

    connection = connections[using]
    if ("partners", sync_sql.MIGRATION) in MigrationRecorder(connection).applied_migrations():
        sync_sql.install(connection)  # not after a migrate back to before them


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partner API"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (records deletions for incremental sync)

        post_migrate.connect(_install_sync_triggers, sender=self, dispatch_uid="sync_triggers")
