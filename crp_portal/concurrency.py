"""No lost updates (issue 6): a row's `version` is bumped by every save, and a save carrying an
older version than the row's is refused, telling the person what changed meanwhile.

The write services check versions with the helpers here (version_check, version_next); the
admin (plans.admin_writes) and the partner API (crp_portal.api_concurrency) show what they raise. What changed comes from the rows' history (django-simple-history).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from crp_portal.translated_columns import english_copies

# Bookkeeping fields every save changes; showing them as "changes" would only hide the real ones.
NOT_CONTENT = {
    "version",
    "updated_at",
    "created_at",
    "changed_at",
    "rollup_dirty_since",
    "funding_updated_at",
}


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    theirs: Any
    yours: Any


@dataclass(frozen=True)
class Conflict:
    loaded_version: int
    current_version: int
    changed_by: str
    changes: list[Change]

    def message(self) -> str:
        return _(
            "Someone else (%(who)s) saved this record after you opened it (your version "
            "%(loaded)s, now %(current)s). Nothing of yours was saved. Review their changes, "
            "then make yours again on the reloaded page."
        ) % {"who": self.changed_by, "loaded": self.loaded_version, "current": self.current_version}

    def html(self) -> str:
        if not self.changes:
            return format_html(
                "{}<br>{}",
                self.message(),
                _("Their changes were to rows on the page below the main form."),
            )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((c.label, _display(c.theirs), _display(c.yours)) for c in self.changes),
        )
        return format_html(
            "{}<table class='crp-conflict'><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            self.message(),
            _("field"),
            _("their value (saved)"),
            _("your value (not saved)"),
            rows,
        )

    def as_json(self) -> dict:
        return {
            "detail": self.message(),
            "your_version": self.loaded_version,
            "current_version": self.current_version,
            "changed_by": self.changed_by,
            "changes": [
                {"field": c.field, "their_value": _json(c.theirs), "your_value": _json(c.yours)}
                for c in self.changes
            ],
        }


def _display(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple | set | models.QuerySet):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def _json(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, list | tuple | set | models.QuerySet):
        return [_json(v) for v in value]
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def lock_version(model: type[models.Model], pk) -> int | None:
    """The row's current version, locked until the transaction ends (when there is one), so a
    concurrent save waits and then sees the bumped version."""
    qs = model._default_manager.filter(pk=pk)
    if connection.in_atomic_block:
        qs = qs.select_for_update()
    return qs.values_list("version", flat=True).first()


def changed_fields_since(
    instance: models.Model, loaded_version: int, guard: models.Model | None = None
) -> tuple[list[str] | None, str]:
    """Names of the content fields of `instance` changed since `guard` (the row whose version
    protects it: itself, or an objective's or intervention's plan) was at `loaded_version`
    (None when the history cannot tell), and who saved the guard last."""
    guard = guard if guard is not None else instance
    history = guard.history.all()  # newest first
    latest = history.first()
    who = str(latest.history_user) if latest and latest.history_user else _("another user")
    if guard is instance:
        then = history.filter(version=loaded_version).first() if loaded_version else None
        if then is None or latest is None:
            return None, who
        delta = latest.diff_against(then, excluded_fields=english_copies(type(instance)))
        return [c.field for c in delta.changes if c.field not in NOT_CONTENT], who
    # A content edit bumps its plan's version before it writes (plans.services), so the row
    # as it was at `loaded_version` is the row just before the next version was recorded.
    bumped = history.filter(version=loaded_version + 1).order_by("history_date").first()
    if bumped is None:
        return None, who
    try:
        before = instance.history.as_of(bumped.history_date - datetime.timedelta(microseconds=1))
    except instance.DoesNotExist:  # created since: all of it is new
        return None, who
    hidden = NOT_CONTENT | english_copies(type(instance))
    content = [f for f in instance._meta.concrete_fields if f.name not in hidden]
    return [
        f.name for f in content if getattr(before, f.attname) != getattr(instance, f.attname)
    ], who


def conflict_for(
    instance: models.Model,
    *,
    loaded_version: int,
    current_version: int,
    yours: dict,
    guard: models.Model | None = None,
) -> Conflict:
    """Describe a stale save: each field they changed, their saved value and the one submitted.
    When the history cannot tell what they changed, each submitted field whose saved value
    differs from yours."""
    current = type(instance)._default_manager.get(pk=instance.pk)
    names, who = changed_fields_since(current, loaded_version, guard)
    if names is None:
        names = [f.name for f in current._meta.concrete_fields if f.name in yours]
    changes = []
    for name in names:
        try:
            field = current._meta.get_field(name)
        except Exception:
            continue
        theirs = getattr(current, name).all() if field.many_to_many else getattr(current, name)
        theirs = list(theirs) if field.many_to_many else theirs
        mine = yours.get(name, _("(not on your form)"))
        if isinstance(mine, models.QuerySet):
            mine = list(mine)
        if field.many_to_many and mine is not None and set(mine) == set(theirs):
            continue
        if not field.many_to_many and mine == theirs:
            continue  # you both typed the same: not a conflict worth showing
        changes.append(Change(name, str(field.verbose_name), theirs, mine))
    return Conflict(loaded_version, current_version, who, changes)


class VersionConflict(Exception):
    """A write carried an older version than the row's. Nothing was written."""

    def __init__(self, conflict: Conflict):
        super().__init__(conflict.message())
        self.conflict = conflict


class VersionRequired(Exception):
    """A write that must say which version it read (the API's If-Match) did not."""

    def __init__(self, current_version: int):
        super().__init__(
            _(
                "Send If-Match with the ETag of the version you read (GET it first), so that "
                "nobody's changes are overwritten."
            )
        )
        self.current_version = current_version


# A caller that must name the version it read but sent none (the API without If-Match). None
# means the caller checks versions itself (admin forms) or edits on its own (imports, demo).
VERSION_NOT_SENT = -1


def version_check(
    instance: models.Model,
    *,
    current: int,
    expected: int | None,
    yours: dict | None = None,
    guard: models.Model | None = None,
) -> None:
    """Refuse a write whose `expected` version is not the `current` one (locked by the caller):
    VersionRequired when none was sent, VersionConflict (with what changed) when stale."""
    if expected is None:
        return
    if expected == VERSION_NOT_SENT:
        raise VersionRequired(current)
    if expected != current:
        raise VersionConflict(
            conflict_for(
                instance,
                loaded_version=expected,
                current_version=current,
                yours=yours or {},
                guard=guard,
            )
        )


def version_next(row: models.Model, *, reason: str, also: Iterable[str] = ()) -> None:
    """Record the next version of a row locked by the caller, in its history with `reason`.
    Plan content edits call it before writing the content (plans.services.plan_content_lock,
    the admin's objective and intervention pages), so the history can tell what a row was at
    any version (changed_fields_since). `also`: fields the caller set on the row that belong to
    the same record (a plan's "last updated" date)."""
    row.version += 1
    row._change_reason = reason
    row.save(update_fields=["version", "updated_at", *also])
