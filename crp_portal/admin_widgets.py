"""Guards for Django's choice fields and admin autocomplete widgets against malformed ids.

Issue 6 asks that bad input to any admin form gives a message, never a 500. Two places in
Django look a submitted id up without checking it first:

- AutocompleteMixin.optgroups, when a form is shown again after a failed validation: "abc"
  raises ValueError, "99999999999999999999" OverflowError (SQLite) and a NUL character
  ValueError (PostgreSQL, for text keys such as a currency code);
- ModelMultipleChoiceField._check_values: an id past the 64-bit range raises OverflowError on
  SQLite in its final `pk__in` query.

The guards drop (widget) or refuse with the field's own "not a valid value" message (field)
such ids before the lookup. Installed once, from CrpPortalConfig.ready().
"""

from __future__ import annotations

from django.contrib.admin.widgets import AutocompleteMixin
from django.core.exceptions import ValidationError
from django.forms.models import ModelMultipleChoiceField

_original_optgroups = AutocompleteMixin.optgroups
_original_check_values = ModelMultipleChoiceField._check_values
BIGINT = 2**63


def _could_be_key(widget, value) -> bool:
    if "\x00" in str(value):
        return False  # PostgreSQL refuses NUL in any string it is sent
    remote = widget.field.remote_field
    opts = remote.model._meta
    target = opts.get_field(getattr(remote, "field_name", None) or opts.pk.attname)
    try:
        key = target.to_python(value)
    except (ValidationError, ValueError, TypeError):
        return False
    return not isinstance(key, int) or -BIGINT <= key < BIGINT


def optgroups(self, name, value, attr=None):
    value = [v for v in value if v in ("", None) or _could_be_key(self, v)]
    return _original_optgroups(self, name, value, attr)


def _out_of_range(value) -> bool:
    try:
        number = int(str(value))
    except (ValueError, TypeError):
        return False  # not a number at all: Django's own check reports it
    return not -BIGINT <= number < BIGINT


def check_values(self, value):
    for pk in value if isinstance(value, list | tuple | set | frozenset) else ():
        if _out_of_range(pk):
            raise ValidationError(
                self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
            )
    return _original_check_values(self, value)


def install() -> None:
    AutocompleteMixin.optgroups = optgroups
    ModelMultipleChoiceField._check_values = check_values
