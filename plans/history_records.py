"""History of plan content (django-simple-history), recording real changes only."""

from __future__ import annotations

from simple_history.models import HistoricalRecords

# Saves touch these whatever they change; on their own they are not a change worth a record.
BOOKKEEPING = {"updated_at"}


class ChangedHistoricalRecords(HistoricalRecords):
    """HistoricalRecords that skip a save which changed nothing since the last record.

    Re-running an import (`load_demo` uses update_or_create) then leaves the history as it was,
    and "what changed" never lists empty entries. Creations, deletions and m2m changes are
    recorded as simple_history always does.
    """

    def post_save(self, instance, created, using=None, **kwargs):
        if not created and not kwargs.get("raw", False) and self._unchanged(instance):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def _unchanged(self, instance) -> bool:
        latest = getattr(instance, self.manager_name).first()
        if latest is None or latest.history_type == "-":
            return False
        return all(
            getattr(latest, field.attname) == getattr(instance, field.attname)
            for field in self.fields_included(instance)
            if field.name not in BOOKKEEPING
        )
