"""Change history in the admin (django-simple-history), held to the same country scoping as the
change pages: a history page or an old version of a row the user cannot see is a 404, and
reverting to an old version needs the right to change the row."""

from __future__ import annotations

import datetime

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from crp_portal.translated_columns import english_copies

HIDDEN_IN_DIFFS = {"updated_at", "created_at", "changed_at", "version"}


class WordsContextHelper(HistoricalRecordContextHelper):
    """A change in words (issue #13, item 4): a status by its label, a moment as a UTC date and
    time, a list of countries by their names, nothing as "—", never a Python repr."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        value = super().prepare_delta_change_value(change, value)
        if value is None or value == "":
            return "—"
        if isinstance(value, list):
            return ", ".join(str(item) for item in value) or "—"
        if getattr(field, "choices", None):
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, datetime.datetime):
            return value.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        return value


class ScopedHistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin that never shows a row outside `get_queryset(request)`."""

    # A page about one plan shows changed fields, not bookkeeping.
    history_list_per_page = 50
    object_history_list_template = "admin/history_list.html"  # CSP-clean copy

    def _scoped_object(self, request, object_id):
        try:
            obj = self.get_queryset(request).filter(pk=unquote(object_id)).first()
        except (ValueError, ValidationError):
            obj = None  # not an id at all ("abc", "1.5"): as unknown as a missing row
        if obj is None:
            # Also for rows that were deleted: their history is an admin's business.
            raise Http404
        return obj

    def history_view(self, request, object_id, extra_context=None):
        self._scoped_object(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self._scoped_object(request, object_id)
        if not str(version_id).isdigit():
            raise Http404  # a version is a history row's number (as the plan's page, issue 11)
        if request.method == "POST" and not self.has_change_permission(request, obj):
            raise PermissionDenied
        with transaction.atomic():  # the version check locks the row until the revert is saved
            return super().history_form_view(request, object_id, version_id, extra_context)

    def get_historical_record_context_helper(self, request, historical_record):
        return WordsContextHelper(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # As simple_history does, leaving out the bookkeeping fields every save changes.
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(
                    current,
                    excluded_fields=HIDDEN_IN_DIFFS | english_copies(self.model),
                    foreign_keys_are_objs=foreign_keys_are_objs,
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current
