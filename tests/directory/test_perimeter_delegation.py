"""A partner delegate on the directory's own group pages and services (ADM-4): the sub-perimeter the partner
administrator gave him applies there as on the delegation pages — other groups are a 404, other profiles and
accounts are refused with their explanation — while the partner administrator and the fund's staff are not bound
by it. Who is bound is the engine's decision (the delegate-habilitations permission), never a role name."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import shared_world
from conventions.conftest import make_convention_world, validated_convention
from habpps.authorization import perimeters
from habpps.authorization.decisions import is_allowed
from habpps.authorization.orgs import partner_unit
from habpps.conventions.delegation import services as delegation
from habpps.conventions.permissions import DELEGATE_HABILITATIONS
from habpps.directory import services as directory
from habpps.directory.models import GroupRoleAssignment, PartnerType, ServiceRole, Status

INSTRUCTOR, CONTROL = "cdap-instructeur-rsa-cpam", "cdap-cd-controle"


def make_council():
    """A departmental council whose convention grants two profiles; its delegate was given the social group
    and the instructor profile only."""
    world = make_convention_world()
    world.partner.partner_type = PartnerType.objects.get(code="conseil-departemental")
    world.partner.save(update_fields=["partner_type"])
    validated_convention(world, max_users=None, profiles=(INSTRUCTOR, CONTROL))
    delegation.delegate_perimeter(
        world.partner_admin, world.delegate, groups=[world.social], roles=[world.roles[INSTRUCTOR]]
    )
    return world


@shared_world(make_council)
def council():
    """The council of ``make_council``."""


def refusal_code(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code
    return error.code


def test_the_delegation_perimeter_is_registered_in_the_directory():
    assert "delegation" in {perimeter.name for perimeter in perimeters.registered()}


def test_a_delegate_acts_through_the_directory_services_inside_his_perimeter(council):
    directory.assign_group_role(council.delegate, council.social, council.roles[INSTRUCTOR])
    directory.add_group_member(council.delegate, council.social, council.users[0])
    assert is_allowed(council.users[0], "consulter", "cdap.section.rsa")
    directory.remove_group_member(council.delegate, council.social, council.users[0])
    directory.unassign_group_role(council.delegate, council.social, council.roles[INSTRUCTOR])


def refused_codes(world, steps: dict) -> dict[str, str]:
    """Run each step (each must be refused) and return the code of each refusal, by step name."""
    codes = {}
    for name, step in steps.items():
        with pytest.raises(ValidationError) as refused:
            step(world)
        codes[name] = refusal_code(refused.value)
    return codes


def test_a_delegate_cannot_step_outside_his_perimeter_through_the_directory(council):
    steps = {
        "other group": lambda w: directory.assign_group_role(w.delegate, w.reception, w.roles[INSTRUCTOR]),
        "other profile": lambda w: directory.assign_group_role(w.delegate, w.social, w.roles[CONTROL]),
        "member of another group": lambda w: directory.add_group_member(w.delegate, w.reception, w.users[0]),
        "administrator as member": lambda w: directory.add_group_member(
            w.delegate, w.social, w.partner_admin
        ),
        "new group": lambda w: directory.create_group(w.delegate, w.partner, name="Les miens"),
        "rename": lambda w: directory.update_group(w.delegate, w.reception, name="Renommé"),
        "suspend": lambda w: directory.set_group_status(w.delegate, w.reception, Status.SUSPENDED),
    }
    assert refused_codes(council, steps) == {
        "other group": "outside_delegation_group",
        "other profile": "outside_delegation_role",
        "member of another group": "outside_delegation_group",
        "administrator as member": "administrator_account",
        "new group": "cannot_create_group",
        "rename": "outside_delegation_group",
        "suspend": "outside_delegation_group",
    }
    council.reception.refresh_from_db()
    assert council.reception.name == "Accueil" and council.reception.status == Status.ACTIVE
    assert list(council.partner.groups.order_by("name").values_list("name", flat=True)) == [
        "Accueil",
        "Travailleurs sociaux",
    ]
    assert not GroupRoleAssignment.objects.current().filter(group__partner=council.partner).exists()


def test_a_delegate_cannot_withdraw_what_the_partner_admin_gave_outside_his_perimeter(council):
    directory.assign_group_role(council.partner_admin, council.social, council.roles[CONTROL])
    with pytest.raises(ValidationError) as refused:
        directory.unassign_group_role(council.delegate, council.social, council.roles[CONTROL])
    assert refusal_code(refused.value) == "outside_delegation_role"
    assert GroupRoleAssignment.objects.current().filter(group=council.social, role__code=CONTROL).exists()


def test_the_partner_admin_and_the_fund_admin_are_not_bound_by_the_delegation(council):
    directory.assign_group_role(council.partner_admin, council.reception, council.roles[CONTROL])
    directory.create_group(council.partner_admin, council.partner, name="Contrôle")
    directory.assign_group_role(council.admin, council.reception, council.roles[INSTRUCTOR])
    directory.set_group_status(council.admin, council.reception, Status.SUSPENDED)


def test_the_engine_decides_who_is_bound(council):
    """Giving the delegate's role the delegate-habilitations permission lifts the bound: no role name is tested."""
    role = ServiceRole.objects.get(code="PartnerDelegate")
    held = list(role.permissions.values_list("operation", "obj"))
    directory.set_role_permissions(council.net.national_admin, role, [*held, DELEGATE_HABILITATIONS])
    directory.create_group(council.delegate, council.partner, name="Contrôle")
    directory.assign_group_role(council.delegate, council.reception, council.roles[CONTROL])


def test_the_group_pages_open_only_the_delegated_groups(council, client):
    client.force_login(council.delegate)
    assert client.get(reverse("directory:group-detail", args=[council.social.pk])).status_code == 200
    for url in (
        reverse("directory:group-detail", args=[council.reception.pk]),
        reverse("directory:group-status", args=[council.reception.pk, "suspended"]),
        reverse("directory:group-create", args=[council.partner.pk]),
    ):
        assert client.get(url).status_code == 404, url
    page = client.get(reverse("directory:partner-detail", args=[council.partner.pk])).content.decode()
    assert reverse("directory:group-detail", args=[council.social.pk]) in page
    assert reverse("directory:group-detail", args=[council.reception.pk]) not in page
    assert reverse("directory:group-create", args=[council.partner.pk]) not in page


def test_the_partner_admin_sees_every_group_and_may_create_one(council, client):
    client.force_login(council.partner_admin)
    page = client.get(reverse("directory:partner-detail", args=[council.partner.pk])).content.decode()
    assert reverse("directory:group-detail", args=[council.reception.pk]) in page
    assert reverse("directory:group-create", args=[council.partner.pk]) in page
    assert client.get(reverse("directory:group-detail", args=[council.reception.pk])).status_code == 200


def test_the_group_page_explains_a_profile_outside_the_delegation(council, client):
    client.force_login(council.delegate)
    response = client.post(
        reverse("directory:group-profile-assign", args=[council.social.pk]),
        {"profil-role": council.roles[CONTROL].pk},
    )
    assert response.status_code == 200
    assert "pas dans le périmètre qui vous a été délégué" in response.content.decode()
    assert not GroupRoleAssignment.objects.current().filter(group=council.social).exists()


def test_a_refused_withdrawal_button_shows_its_explanation(council, client):
    directory.assign_group_role(council.partner_admin, council.social, council.roles[CONTROL])
    client.force_login(council.delegate)
    response = client.post(
        reverse("directory:group-profile-remove", args=[council.social.pk, council.roles[CONTROL].pk]),
        follow=True,
    )
    assert response.status_code == 200
    assert "pas dans le périmètre qui vous a été délégué" in response.content.decode()
    assert GroupRoleAssignment.objects.current().filter(group=council.social, role__code=CONTROL).exists()


# -- accounts: the same perimeter, and no administrative role from a delegate ----------------------------------------


def partner_admin_role() -> ServiceRole:
    return ServiceRole.objects.get(code="PartnerAdmin")


def test_a_delegate_gives_no_administrative_role_and_leaves_administrators_alone(council):
    admin_role = partner_admin_role()
    steps = {
        "himself": lambda w: directory.grant_account_role(w.delegate, w.delegate, admin_role),
        "another": lambda w: directory.grant_account_role(w.delegate, w.users[0], admin_role),
        "new account": lambda w: directory.create_account(
            w.delegate, w.partner, first_name="Ali", last_name="Admin", email="a@x.fr", roles=[admin_role]
        ),
        "suspend the administrator": lambda w: directory.set_account_status(
            w.delegate, w.partner_admin, Status.SUSPENDED
        ),
        "withdraw the administrator's role": lambda w: directory.revoke_account_role(
            w.delegate, w.partner_admin, admin_role
        ),
    }
    assert refused_codes(council, steps) == {
        "himself": "administrator_account",
        "another": "cannot_grant_role",
        "new account": "cannot_grant_role",
        "suspend the administrator": "administrator_account",
        "withdraw the administrator's role": "administrator_account",
    }
    assert not is_allowed(council.delegate, *DELEGATE_HABILITATIONS, partner_unit(council.partner.pk))
    assert (
        not admin_role.account_assignments.filter(account__partner=council.partner)
        .exclude(account=council.partner_admin)
        .exists()
    )
    council.partner_admin.refresh_from_db()
    assert council.partner_admin.status == Status.ACTIVE
    assert is_allowed(council.partner_admin, *DELEGATE_HABILITATIONS, partner_unit(council.partner.pk))


def test_a_delegate_manages_the_plain_accounts_of_his_groups(council):
    directory.add_group_member(council.delegate, council.social, council.users[0])
    directory.set_account_status(council.delegate, council.users[0], Status.SUSPENDED)
    directory.create_account(
        council.delegate, council.partner, first_name="Léa", last_name="Neuve", email="l@x.fr"
    )
    directory.add_group_member(council.partner_admin, council.reception, council.users[1])
    with pytest.raises(ValidationError) as refused:
        directory.set_account_status(council.delegate, council.users[1], Status.SUSPENDED)
    assert refusal_code(refused.value) == "outside_delegation_account"


def test_the_account_page_refuses_a_delegate_any_promotion(council, client):
    client.force_login(council.delegate)
    for account in (council.users[0], council.delegate):  # the page offers the form for the first only
        response = client.post(
            reverse("directory:account-role-grant", args=[account.pk]), {"role-role": partner_admin_role().pk}
        )
        assert response.status_code == 200
        assert not account.role_assignments.filter(role__code="PartnerAdmin", ended_at__isnull=True).exists()
    assert (
        "Seul l&#x27;administrateur partenaire attribue les rôles"
        in client.post(
            reverse("directory:account-role-grant", args=[council.users[0].pk]),
            {"role-role": partner_admin_role().pk},
        ).content.decode()
    )


def test_reactivating_an_account_cannot_exceed_the_user_limit(db):
    world = make_convention_world()
    validated_convention(world, max_users=1)
    directory.assign_group_role(world.admin, world.social, world.roles["cdap-ass-cesf"])
    directory.add_group_member(world.admin, world.social, world.users[0])
    directory.set_account_status(world.admin, world.users[0], Status.SUSPENDED)
    directory.add_group_member(world.admin, world.social, world.users[1])  # the suspended one does not count
    with pytest.raises(ValidationError, match="porterait le nombre à 2") as refused:
        directory.set_account_status(world.admin, world.users[0], Status.ACTIVE)
    assert refusal_code(refused.value) == "user_limit"
    world.users[0].refresh_from_db()
    assert world.users[0].status == Status.SUSPENDED


def test_the_delegation_is_compiled_into_the_engine_which_decides(council):
    """One rule, one home (ADM-4, ENG-12): the stored sub-perimeter is an engine delegation from the partner
    administrator, and the refusals above are the engine's decisions, not a Django re-implementation."""
    from habpps.authorization.orgs import group_name
    from habpps.authorization.policy_build import build_rbac
    from habpps.authorization.policy_cache import current_policy

    rbac = current_policy().rbac
    unit = partner_unit(council.partner.pk)
    [delegation] = [d for d in rbac.delegations().values() if d.grantee == council.delegate.login]
    assert delegation.grantor == council.partner_admin.login
    assert delegation.groups == {group_name(council.social.pk)} and delegation.roles == {INSTRUCTOR}
    social, reception = group_name(council.social.pk), group_name(council.reception.pk)
    assert rbac.can_assign_group(council.delegate.login, social, INSTRUCTOR, unit)
    assert rbac.can_assign_group(council.delegate.login, reception, INSTRUCTOR, unit).reason == "group_out_of_scope"
    assert rbac.can_assign_group(council.delegate.login, social, CONTROL, unit).reason == "role_out_of_range"
    assert rbac.can_manage_user(council.delegate.login, council.partner_admin.login).reason == "user_holds_roles"
    assert not rbac.can_delegate(council.delegate.login, [INSTRUCTOR], orgs=[unit])
    assert rbac.export() == build_rbac().export()  # the change log reproduces the full build
