"""Delegated administration (ADM-4): within the validated convention, its user limits and the delegate's
sub-perimeter; nobody grants more than they hold."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from conventions.conftest import validated_convention
from habpps.authorization.decisions import is_allowed
from habpps.conventions.delegation import services as delegation
from habpps.directory.models import GroupRoleAssignment, PartnerType


def code_of(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return next(iter(error.error_dict.values()))[0].code
    return error.code


def test_no_profile_before_the_convention_is_validated(world):
    with pytest.raises(ValidationError, match="pas de convention validée") as refused:
        delegation.assign_profile(world.partner_admin, world.social, world.roles["cdap-ass-cesf"])
    assert code_of(refused.value) == "no_convention"


def test_partner_admin_gives_a_granted_profile_and_its_members_use_it(world):
    validated_convention(world)
    user = world.users[0]
    delegation.add_member(world.partner_admin, world.social, user)
    assert not is_allowed(user, "consulter", "cdap.section.dossier")
    delegation.assign_profile(world.partner_admin, world.social, world.roles["cdap-ass-cesf"])
    assert is_allowed(user, "consulter", "cdap.section.dossier")


def test_partner_admin_cannot_grant_a_profile_outside_the_convention(world):
    # A departmental council may receive three profiles by doctrine; its convention grants only one.
    world.partner.partner_type = PartnerType.objects.get(code="conseil-departemental")
    world.partner.save(update_fields=["partner_type"])
    validated_convention(world, profiles=("cdap-instructeur-rsa-cpam",))
    with pytest.raises(ValidationError, match="n'est pas accordé par la convention") as refused:
        delegation.assign_profile(world.partner_admin, world.social, world.roles["cdap-cd-controle"])
    assert code_of(refused.value) == "outside_convention"
    delegation.assign_profile(world.partner_admin, world.social, world.roles["cdap-instructeur-rsa-cpam"])


def test_a_profile_outside_the_doctrine_is_refused_to_the_partner_admin(world):
    validated_convention(world)
    with pytest.raises(ValidationError, match="doctrine nationale") as refused:
        delegation.assign_profile(world.partner_admin, world.social, world.roles["cdap-instructeur-rsa-cpam"])
    assert code_of(refused.value) == "outside_doctrine"


def test_partner_admin_cannot_exceed_the_user_limit(world):
    validated_convention(world, max_users=2)
    delegation.assign_profile(world.partner_admin, world.social, world.roles["cdap-ass-cesf"])
    delegation.add_member(world.partner_admin, world.social, world.users[0])
    delegation.add_member(world.partner_admin, world.social, world.users[1])
    with pytest.raises(ValidationError, match="limite le profil .* à 2 utilisateur") as refused:
        delegation.add_member(world.partner_admin, world.social, world.users[2])
    assert code_of(refused.value) == "user_limit"


def test_the_limit_also_counts_when_a_profile_is_given_to_a_full_group(world):
    validated_convention(world, max_users=1)
    delegation.add_member(world.partner_admin, world.reception, world.users[0])
    delegation.add_member(world.partner_admin, world.reception, world.users[1])
    with pytest.raises(ValidationError, match="porterait le nombre à 2"):
        delegation.assign_profile(world.partner_admin, world.reception, world.roles["cdap-ass-cesf"])


def test_partner_admin_creates_an_account_with_two_mails_in_a_group(
    world, django_capture_on_commit_callbacks
):
    validated_convention(world)
    with django_capture_on_commit_callbacks(execute=True):
        account = delegation.create_account(
            world.partner_admin,
            world.partner,
            first_name="Inès",
            last_name="Nouvelle",
            email="ines.nouvelle@exemple.fr",
            group=world.social,
        )
    assert account.partner == world.partner and account.must_change_password
    assert len(mail.outbox) == 2
    assert world.social.memberships.filter(account=account, ended_at__isnull=True).exists()


def test_delegate_acts_only_within_his_sub_perimeter(world):
    validated_convention(world)
    delegation.delegate_perimeter(
        world.partner_admin, world.delegate, groups=[world.social], roles=[world.roles["cdap-ass-cesf"]]
    )
    delegation.add_member(world.delegate, world.social, world.users[0])
    delegation.assign_profile(world.delegate, world.social, world.roles["cdap-ass-cesf"])
    with pytest.raises(ValidationError, match="« Accueil » n'est pas dans le périmètre") as refused:
        delegation.add_member(world.delegate, world.reception, world.users[1])
    assert code_of(refused.value) == "outside_delegation_group"
    with pytest.raises(ValidationError, match="rôle d'administration"):
        delegation.set_account_status(world.delegate, world.partner_admin, "suspended")


def test_delegate_without_perimeter_administers_nothing(world):
    validated_convention(world)
    with pytest.raises(ValidationError) as refused:
        delegation.add_member(world.delegate, world.social, world.users[0])
    assert code_of(refused.value) == "outside_delegation_group"


def test_nobody_delegates_more_than_the_convention_grants(world):
    validated_convention(world)
    with pytest.raises(ValidationError, match="n'est pas accordé par la convention"):
        delegation.delegate_perimeter(
            world.partner_admin, world.delegate, groups=[], roles=[world.roles["cdap-cd-controle"]]
        )
    delegation.delegate_perimeter(world.partner_admin, world.delegate, groups=[world.social], roles=[])
    with pytest.raises(ValidationError, match="Seul l'administrateur partenaire délègue"):
        delegation.delegate_perimeter(world.delegate, world.users[0], groups=[world.social], roles=[])


def test_a_delegate_profile_outside_his_perimeter_is_refused(world):
    validated_convention(world, profiles=("cdap-ass-cesf",))
    delegation.delegate_perimeter(world.partner_admin, world.delegate, groups=[world.social], roles=[])
    with pytest.raises(ValidationError, match="profil .* n'est pas dans le périmètre") as refused:
        delegation.assign_profile(world.delegate, world.social, world.roles["cdap-ass-cesf"])
    assert code_of(refused.value) == "outside_delegation_role"
    assert not GroupRoleAssignment.objects.current().filter(group=world.social).exists()
