"""Donors: created and renamed by funding officers (the API's and the admin's one write)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from plans.roles import Role, user_has_role
from plans.services import fields_check

from ..models import Donor

DONOR_FIELDS = ("name", "kind", "country")


def donor_check_writable(*, actor) -> None:
    """PermissionDenied unless the actor is a funding officer (of any countries) or an admin:
    donors are shared by every plan, so no country scopes them."""
    if not user_has_role(actor, Role.FUNDING_OFFICER):
        raise PermissionDenied(_("Only funding officers may create or rename donors."))


@transaction.atomic
def donor_create(*, actor, **fields) -> Donor:
    """A new donor (name, kind, country)."""
    donor_check_writable(actor=actor)
    donor = Donor()
    return _donor_apply(donor, fields)


@transaction.atomic
def donor_update(*, actor, donor: Donor, **changes) -> Donor:
    """Rename a donor or correct its kind or country; its contributions follow it."""
    donor_check_writable(actor=actor)
    locked = Donor.objects.select_for_update().get(pk=donor.pk)
    return _donor_apply(locked, changes)


def _donor_apply(donor: Donor, fields: dict) -> Donor:
    fields_check(fields, DONOR_FIELDS)
    for name, value in fields.items():
        setattr(donor, name, value)
    donor.full_clean()
    donor.save()
    return donor


@transaction.atomic
def donor_for_fts(*, organization_id: int, name: str, kind: str) -> Donor:
    """The donor of an FTS organisation (the FTS import, an internal caller): matched by its FTS
    organisation id, else by name (and then given the id), else created with that name and kind.
    A donor renamed here keeps its own name: FTS's spelling does not overwrite it."""
    donor = Donor.objects.filter(fts_organization_id=organization_id).first()
    if donor is not None:
        return donor
    donor = Donor.objects.select_for_update().filter(name=name[:200]).first() or Donor(
        name=name[:200], kind=kind
    )
    donor.fts_organization_id = organization_id
    donor.full_clean()
    donor.save()
    return donor
