"""History of plan content (django-simple-history), recording real changes only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import simple_history
from django.db.models import Model
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:  # django-stubs-ext is a dev requirement (mypy); only annotations use it.
    from django_stubs_ext import StrPromise

# Saves touch these whatever they change; on their own they are not a change worth a record.
BOOKKEEPING = {"updated_at"}
# Stamped by the database for incremental sync (plans.models.ChangeStampedModel): not history.
SYNC_STAMPS = ("changed_at",)


# "Not given": simple_history tells an attribute that is absent from one set to None (an absent
# `_history_user` falls back to the request's user), so record_as leaves out what it is not given.
_UNSET: Final[Any] = object()


def record_as(instance: Model, *, user: Any = _UNSET, reason: str | StrPromise = _UNSET) -> None:
    """Tell simple_history who makes the next save (or delete) of `instance` and why: it reads
    `instance._history_user` and `instance._change_reason`, which no model declares. Set here,
    in one place, instead of as undeclared attributes at every call site."""
    if user is not _UNSET:
        setattr(instance, "_history_user", user)  # noqa: B010
    if reason is not _UNSET:
        setattr(instance, "_change_reason", reason)  # noqa: B010


class ChangedHistoricalRecords(HistoricalRecords):
    """HistoricalRecords that skip a save which changed nothing since the last record.

    Re-running an import (`load_demo` uses update_or_create) then leaves the history as it was,
    and "what changed" never lists empty entries. Creations, deletions and m2m changes are
    recorded as simple_history always does.
    """

    def __init__(self, *args, excluded_fields=None, **kwargs):
        # `changed_at` is sync bookkeeping (stamped by triggers), not content: never recorded.
        excluded = [*(excluded_fields or []), *SYNC_STAMPS]
        super().__init__(*args, excluded_fields=excluded, **kwargs)

    def finalize(self, sender, **kwargs):
        # Only the stamps the model has: simple_history looks excluded names up on the model.
        if sender is getattr(self, "cls", None):
            names = {f.name for f in sender._meta.fields}
            self.excluded_fields = [
                name for name in self.excluded_fields if name not in SYNC_STAMPS or name in names
            ]
        super().finalize(sender, **kwargs)

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


def track_history(model: type[Model], **options: Any) -> None:
    """Record `model`'s history (ChangedHistoricalRecords) once its translated fields exist.

    A `history = HistoricalRecords()` in the class body builds the historical model when the
    class is made, before django-modeltranslation adds title_en, title_fr, …; the historical
    model would lack them and every save would fail. simple_history's register, called from the
    app's translation.py after the translation registration, builds it with them (as
    django-simple-history's docs advise for modeltranslation), so translations have history.
    """
    simple_history.register(model, records_class=ChangedHistoricalRecords, **options)
