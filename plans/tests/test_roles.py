"""Roles: assigned per user, scoped to countries or regions, groups kept in step."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from crp_portal.tests.forms import form_data
from plans.models import Country, Plan, Region, RoleAssignment
from plans.roles import Role, role_assign, role_revoke, user_countries
from plans.tests.factories import PlanFactory, UserFactory


def _groups(user):
    return sorted(user.groups.values_list("name", flat=True))


def test_assign_and_revoke_keep_groups_in_step(db):
    user = UserFactory(username="officer")
    role_assign(user=user, role=Role.EDITOR, countries=[Country.objects.get(iso3="TJK")])
    role_assign(user=user, role=Role.FUNDING_OFFICER, all_countries=True)
    assert _groups(user) == ["Editor", "Funding officer"]
    assert user.has_perm("plans.change_plan") and user.has_perm("funding.add_contribution")
    role_revoke(user=user, role=Role.FUNDING_OFFICER)
    user = type(user).objects.get(pk=user.pk)  # permissions are cached per instance
    assert _groups(user) == ["Editor"]
    assert not user.has_perm("funding.add_contribution")


def test_deleting_an_assignment_anywhere_drops_the_group(db):
    user = UserFactory(username="rev")
    role_assign(user=user, role=Role.REVIEWER, regions=[Region.objects.first()])
    RoleAssignment.objects.filter(user=user).delete()  # a queryset delete sends post_delete too
    assert _groups(user) == []


@pytest.mark.parametrize(
    "role, kwargs, message",
    [
        (Role.EDITOR, {"all_countries": True}, "Only a funding officer may cover all countries"),
        (Role.EDITOR, {"regions": "one"}, "is assigned countries, not regions"),
        (Role.FUNDING_OFFICER, {"regions": "one"}, "is assigned countries, not regions"),
        (Role.REVIEWER, {}, "Give at least one country or region."),
    ],
)
def test_scopes_each_role_may_have(db, role, kwargs, message):
    if kwargs.get("regions") == "one":
        kwargs["regions"] = [Region.objects.first()]
    with pytest.raises(ValidationError, match=message):
        role_assign(user=UserFactory(), role=role, **kwargs)


def test_reviewer_of_a_region_sees_its_countries_drafts(db):
    tjk = Country.objects.get(iso3="TJK")
    user = UserFactory(username="rev-region")
    role_assign(user=user, role=Role.REVIEWER, regions=[tjk.region])
    draft = PlanFactory(status=Plan.Status.DRAFT, countries=["TJK"])
    other = PlanFactory(status=Plan.Status.DRAFT, countries=["PAK"])
    assert tjk in user_countries(user)
    visible = set(Plan.objects.visible_to(user))
    assert draft in visible and other not in visible
    assert not Plan.objects.editable_by(user).exists()  # reviewers do not edit content


def test_roles_are_edited_on_the_user_page(client, superuser, db):
    user = UserFactory(username="new-editor")
    client.force_login(superuser)
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = form_data(client.get(url).content.decode(), "user_form")
    prefix = "role_assignments"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": ["1"],
            f"{prefix}-0-role": [Role.EDITOR],
            f"{prefix}-0-countries": [str(Country.objects.get(iso3="PAK").pk)],
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert _groups(user) == ["Editor"]
    assert list(user_countries(user).values_list("iso3", flat=True)) == ["PAK"]


def test_a_bad_scope_on_the_user_page_is_a_message(client, superuser, db):
    user = UserFactory(username="new-editor2")
    client.force_login(superuser)
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = form_data(client.get(url).content.decode(), "user_form")
    data.update(
        {
            "role_assignments-TOTAL_FORMS": ["1"],
            "role_assignments-0-role": [Role.EDITOR],
            "role_assignments-0-all_countries": ["on"],
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Only a funding officer may cover all countries" in response.content.decode()
    assert not RoleAssignment.objects.filter(user=user).exists()


def _admin_index_status(client, user) -> int:
    client.force_login(type(user).objects.get(pk=user.pk))
    return client.get(reverse("admin:index")).status_code


def test_a_role_lets_its_holder_into_the_admin_without_a_staff_tick(db, client):
    user = UserFactory(username="new-editor", is_staff=False)
    assert _admin_index_status(client, user) == 302  # to the admin's login page
    role_assign(user=user, role=Role.EDITOR, countries=[Country.objects.get(iso3="TJK")])
    assert _admin_index_status(client, user) == 200
    # The login form itself lets them in too (it checks is_staff separately).
    client.logout()
    response = client.post(
        reverse("admin:login"), {"username": "new-editor", "password": "pw-for-tests-1"}
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_taking_the_last_role_takes_staff_status_with_it(db):
    user = UserFactory(username="leaver", is_staff=False)
    role_assign(user=user, role=Role.EDITOR, countries=[Country.objects.get(iso3="TJK")])
    role_assign(user=user, role=Role.REVIEWER, regions=[Region.objects.first()])
    role_revoke(user=user, role=Role.EDITOR)
    assert type(user).objects.get(pk=user.pk).is_staff  # still a reviewer
    role_revoke(user=user, role=Role.REVIEWER)
    assert not type(user).objects.get(pk=user.pk).is_staff


def test_staff_given_another_way_stays_when_the_roles_go(db):
    kept = UserFactory(username="auditor", is_staff=True)
    kept.user_permissions.add(Permission.objects.get(codename="view_rollupaudit"))
    role_assign(user=kept, role=Role.EDITOR, countries=[Country.objects.get(iso3="TJK")])
    role_revoke(user=kept, role=Role.EDITOR)
    assert type(kept).objects.get(pk=kept.pk).is_staff


def test_setup_roles_brings_existing_role_holders_in_step(db):
    user = UserFactory(username="old-editor", is_staff=False)
    role_assign(user=user, role=Role.EDITOR, countries=[Country.objects.get(iso3="TJK")])
    type(user).objects.filter(pk=user.pk).update(is_staff=False)  # as before this rule existed
    call_command("setup_roles", stdout=io.StringIO())
    assert type(user).objects.get(pk=user.pk).is_staff


def test_the_admin_user_page_gives_staff_with_the_role(db, client, superuser):
    user = UserFactory(username="via-admin", is_staff=False)
    client.force_login(superuser)
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = form_data(client.get(url).content.decode(), "user_form")
    data.update(
        {
            "role_assignments-TOTAL_FORMS": ["1"],
            "role_assignments-0-role": [Role.EDITOR],
            "role_assignments-0-countries": [str(Country.objects.get(iso3="TJK").pk)],
        }
    )
    data.pop("is_staff", None)  # the administrator does not tick "Staff status"
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    assert type(user).objects.get(pk=user.pk).is_staff
