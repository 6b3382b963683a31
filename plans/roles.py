"""Roles and the countries they cover: the single source of 'where may this user act'."""

from __future__ import annotations

from collections.abc import Iterable

from .models import Country, Role, RoleAssignment, user_countries
from .role_groups import ROLE_GROUPS, roles_setup

__all__ = ["Role", "role_assign", "role_revoke", "user_countries", "user_has_role"]


def user_has_role(user, role: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or RoleAssignment.objects.filter(user=user, role=role).exists()


# Which scopes each role may be given: editors work on countries, reviewers on countries or
# whole regions, funding officers on countries or everywhere.
ROLE_SCOPES: dict[str, set[str]] = {
    Role.EDITOR: {"countries"},
    Role.REVIEWER: {"countries", "regions"},
    Role.FUNDING_OFFICER: {"countries", "all_countries"},
}


def role_scope_errors(
    *, role: str, countries: Iterable = (), regions: Iterable = (), all_countries: bool = False
) -> list[str]:
    """What is wrong with giving `role` this scope (empty when it is fine)."""
    allowed = ROLE_SCOPES[Role(role)]
    label = Role(role).label
    errors = []
    given = {
        "countries": bool(list(countries)),
        "regions": bool(list(regions)),
        "all_countries": bool(all_countries),
    }
    if "regions" not in allowed and given["regions"]:
        errors.append(f"An {label.lower()} is assigned countries, not regions.")
    if "all_countries" not in allowed and given["all_countries"]:
        errors.append(f"Only a funding officer may cover all countries, not an {label.lower()}.")
    if not any(given.values()):
        errors.append(
            "Give at least one country" + (" or region." if "regions" in allowed else ".")
        )
    return errors


def role_groups_sync(*, user) -> None:
    """Make the user's role groups exactly those of their role assignments, and their staff
    status follow them (see _staff_follows_roles). Idempotent."""
    from django.contrib.auth.models import Group

    names = set(ROLE_GROUPS)
    if Group.objects.filter(name__in=names).count() < len(names):
        roles_setup()
    wanted = {
        Role(r).label
        for r in RoleAssignment.objects.filter(user=user).values_list("role", flat=True)
    }
    groups = Group.objects.filter(name__in=names)
    user.groups.remove(*[g for g in groups if g.name not in wanted])
    user.groups.add(*[g for g in groups if g.name in wanted])
    _staff_follows_roles(user, has_roles=bool(wanted), role_groups=names)


def _staff_follows_roles(user, *, has_roles: bool, role_groups: set[str]) -> None:
    """A role is the admin access it implies: Django's admin lets in only staff, so a user with
    a role is staff, without a separate tick. Taking the last role away takes staff status with
    it, unless the user is a superuser or has access given another way (their own permissions,
    or a group that is not a role's): that access was an administrator's deliberate choice."""
    if user.is_superuser:
        return
    staff = has_roles or (
        user.user_permissions.exists() or user.groups.exclude(name__in=role_groups).exists()
    )
    if staff == user.is_staff:
        return
    # An update of the one column: the caller's instance may hold other unsaved edits.
    type(user).objects.filter(pk=user.pk).update(is_staff=staff)
    user.is_staff = staff


def role_assign(
    *,
    user,
    role: str,
    countries: Iterable[Country] = (),
    regions: Iterable = (),
    all_countries: bool = False,
) -> RoleAssignment:
    """Give a user a role over countries (or regions / everywhere, where the role allows it),
    replacing that role's previous scope, and put them in the role's permission group."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    countries, regions = list(countries), list(regions)
    errors = role_scope_errors(
        role=role, countries=countries, regions=regions, all_countries=all_countries
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assignment, _ = RoleAssignment.objects.update_or_create(
            user=user, role=role, defaults={"all_countries": all_countries}
        )
        assignment.countries.set(countries)
        assignment.regions.set(regions)
        role_groups_sync(user=user)
    return assignment


def role_revoke(*, user, role: str) -> None:
    """Take a role away from a user, with its permission group."""
    from django.db import transaction

    with transaction.atomic():
        RoleAssignment.objects.filter(user=user, role=role).delete()
        role_groups_sync(user=user)
