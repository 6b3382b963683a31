"""Roles and the countries they cover: the single source of 'where may this user act'."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import Q

from .models import Country, Role, RoleAssignment

__all__ = ["Role", "user_countries", "user_has_role"]


def user_countries(user, *, roles: Iterable[str] | None = None) -> models.QuerySet:
    """Countries covered by the user's role assignments (all roles unless `roles` is given)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Country.objects.none()
    assignments = RoleAssignment.objects.filter(user=user)
    if roles is not None:
        assignments = assignments.filter(role__in=list(roles))
    if user.is_superuser or assignments.filter(all_countries=True).exists():
        return Country.objects.all()
    return Country.objects.filter(
        Q(role_assignments__in=assignments) | Q(region__role_assignments__in=assignments)
    ).distinct()


def user_has_role(user, role: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or RoleAssignment.objects.filter(user=user, role=role).exists()
