"""The directory's own services, pages and API keep a partner's groups inside its validated convention and its
per-profile user limits (CNV-1, CNV-2, ADM-4), whoever acts — the fund administrator, the system — through the
perimeter the conventions app registers in the directory (``habpps.authorization.perimeters``)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conventions.conftest import validated_convention
from habpps.authorization import perimeters
from habpps.authorization.decisions import is_allowed
from habpps.conventions import services as conventions
from habpps.directory import services as directory
from habpps.directory.models import GroupRoleAssignment, Status

SECTION = ("consulter", "cdap.section.dossier")


def refusal_of(error: ValidationError) -> tuple[str | None, str]:
    """(field, code) of the first refusal a service raised."""
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.error_dict.items()))
        return field, errors[0].code
    return None, error.code


def test_the_conventions_app_registers_its_perimeter_in_the_directory():
    assert "convention" in {perimeter.name for perimeter in perimeters.registered()}


@pytest.mark.parametrize("actor", ["admin", None])
def test_no_profile_without_a_validated_convention(world, actor):
    actor = getattr(world, actor) if actor else None
    with pytest.raises(ValidationError, match="pas de convention validée") as refused:
        directory.assign_group_role(actor, world.social, world.roles["cdap-ass-cesf"])
    assert refusal_of(refused.value) == ("role", "no_convention")
    assert not GroupRoleAssignment.objects.current().filter(group=world.social).exists()


def test_a_submitted_convention_does_not_open_the_perimeter_yet(world):
    convention = conventions.create_convention(
        world.admin, world.partner, reference="CAF751-2025-001", service_contract="CS-2025-001"
    )
    version = convention.versions.get()
    conventions.set_bulletin(world.admin, version, world.cdap, {world.roles["cdap-ass-cesf"]: None})
    conventions.submit(world.admin, version)
    with pytest.raises(ValidationError) as refused:
        directory.assign_group_role(world.admin, world.social, world.roles["cdap-ass-cesf"])
    assert refusal_of(refused.value) == ("role", "no_convention")
    conventions.validate_version(world.verifier, version)
    directory.assign_group_role(world.admin, world.social, world.roles["cdap-ass-cesf"])
    directory.add_group_member(world.admin, world.social, world.users[0])
    assert is_allowed(world.users[0], *SECTION)


def test_the_fund_admin_cannot_grant_a_profile_the_convention_does_not(world):
    world.partner.partner_type_id = world.roles["cdap-cd-controle"].doctrine_rules.first().partner_type_id
    world.partner.save(update_fields=["partner_type"])
    validated_convention(world, profiles=("cdap-instructeur-rsa-cpam",))
    with pytest.raises(ValidationError, match="n'est pas accordé par la convention") as refused:
        directory.assign_group_role(world.admin, world.social, world.roles["cdap-cd-controle"])
    assert refusal_of(refused.value) == ("role", "outside_convention")


def test_the_doctrine_is_still_checked_first(world):
    validated_convention(world)
    with pytest.raises(ValidationError, match="doctrine nationale") as refused:
        directory.assign_group_role(world.admin, world.social, world.roles["cdap-instructeur-rsa-cpam"])
    assert refusal_of(refused.value) == ("role", "outside_doctrine")


def test_the_user_limit_bounds_members_added_through_the_directory(world):
    validated_convention(world, max_users=1)
    directory.assign_group_role(world.admin, world.social, world.roles["cdap-ass-cesf"])
    directory.add_group_member(world.admin, world.social, world.users[0])
    with pytest.raises(ValidationError, match="limite le profil .* à 1 utilisateur") as refused:
        directory.add_group_member(world.admin, world.social, world.users[1])
    assert refusal_of(refused.value) == ("account", "user_limit")
    assert not is_allowed(world.users[1], *SECTION)


def test_the_user_limit_counts_a_full_group_receiving_the_profile(world):
    validated_convention(world, max_users=1)
    for user in world.users[:2]:
        directory.add_group_member(world.admin, world.reception, user)
    with pytest.raises(ValidationError, match="porterait le nombre à 2") as refused:
        directory.assign_group_role(world.admin, world.reception, world.roles["cdap-ass-cesf"])
    assert refusal_of(refused.value) == ("role", "user_limit")


def test_reactivating_a_group_cannot_exceed_the_user_limit(world):
    validated_convention(world, max_users=1)
    directory.assign_group_role(world.admin, world.social, world.roles["cdap-ass-cesf"])
    directory.add_group_member(world.admin, world.social, world.users[0])
    directory.set_group_status(world.admin, world.social, Status.SUSPENDED)
    # While the group is suspended its member holds nothing: the place is free for someone else.
    directory.assign_group_role(world.admin, world.reception, world.roles["cdap-ass-cesf"])
    directory.add_group_member(world.admin, world.reception, world.users[1])
    with pytest.raises(ValidationError, match="porterait le nombre à 2") as refused:
        directory.set_group_status(world.admin, world.social, Status.ACTIVE)
    assert refusal_of(refused.value) == (None, "user_limit")
    world.social.refresh_from_db()
    assert world.social.status == Status.SUSPENDED
    assert not is_allowed(world.users[0], *SECTION)


def test_the_group_page_shows_the_refusal_next_to_the_profile(world, client):
    client.force_login(world.admin)
    response = client.post(
        reverse("directory:group-profile-assign", args=[world.social.pk]),
        {"profil-role": world.roles["cdap-ass-cesf"].pk},
    )
    assert response.status_code == 200
    assert "pas de convention validée" in response.content.decode()
    assert not GroupRoleAssignment.objects.current().filter(group=world.social).exists()


def test_the_api_refuses_with_the_same_explanation(world, client):
    client.force_login(world.admin)
    response = client.post(
        f"/api/v1/groupes/{world.social.pk}/profils",
        {"role": "cdap-ass-cesf"},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert "pas de convention validée" in response.content.decode()
    assert not GroupRoleAssignment.objects.current().filter(group=world.social).exists()


def test_the_platform_network_holds_its_profiles_by_validated_conventions(world):
    for key in ("a", "b"):
        net = world.net
        version = getattr(net, f"convention_{key}").version_in_force()
        assert version.decided_by == getattr(net, f"verifier_{key}")
        assert version.entered_by == getattr(net, f"fund_admin_{key}")
        held = GroupRoleAssignment.objects.current().filter(group__partner=getattr(net, f"partner_{key}"))
        assert set(held.values_list("role_id", flat=True)) <= set(version.granted())
