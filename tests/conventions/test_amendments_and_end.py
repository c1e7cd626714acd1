"""Amendments (CNV-4), termination and expiry (CNV-6): the version in force governs until a new one is
validated; what is withdrawn is lost at once, journalled."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from conventions.conftest import validated_convention
from habpps.authorization.decisions import is_allowed
from habpps.cli import main as habpps
from habpps.conventions import services
from habpps.conventions.delegation import services as delegation
from habpps.conventions.models import DelegatedPerimeter, EndKind
from habpps.conventions.workflow import VersionState
from habpps.directory.models import GroupRoleAssignment, PartnerType
from habpps.journal.models import JournalEntry

SECTION = ("consulter", "cdap.section.rsa")


@pytest.fixture
def council(world):
    """The world's partner as a departmental council holding two granted profiles, each given to a group."""
    world.partner.partner_type = PartnerType.objects.get(code="conseil-departemental")
    world.partner.save(update_fields=["partner_type"])
    convention = validated_convention(
        world, max_users=None, profiles=("cdap-instructeur-rsa-cpam", "cdap-cd-controle")
    )
    delegation.assign_profile(world.partner_admin, world.social, world.roles["cdap-instructeur-rsa-cpam"])
    delegation.assign_profile(world.partner_admin, world.reception, world.roles["cdap-cd-controle"])
    delegation.add_member(world.partner_admin, world.social, world.users[0])
    return convention


def test_the_version_in_force_stays_until_the_amendment_is_validated(world, council):
    amendment = services.amend(world.admin, council)
    services.set_bulletin(world.admin, amendment, world.cdap, {world.roles["cdap-cd-controle"]: None})
    services.submit(world.admin, amendment)
    assert council.version_in_force().number == 1
    assert is_allowed(world.users[0], *SECTION)


def test_an_amendment_removing_a_profile_withdraws_it_at_once(world, council):
    user = world.users[0]
    assert is_allowed(user, *SECTION)
    amendment = services.amend(world.admin, council)
    services.set_bulletin(world.admin, amendment, world.cdap, {world.roles["cdap-cd-controle"]: None})
    services.submit(world.admin, amendment)
    services.validate_version(world.verifier, amendment)
    assert not is_allowed(user, *SECTION)
    assert council.version_in_force().number == 2
    assert council.versions.get(number=1).state == VersionState.SUPERSEDED
    withdrawn = JournalEntry.objects.get(kind="convention.access.withdraw")
    assert withdrawn.before == {"group": "Travailleurs sociaux", "role": "cdap-instructeur-rsa-cpam"}
    assert withdrawn.data["cause"] == "amendment"
    # The profile kept by the amendment is untouched.
    assert GroupRoleAssignment.objects.current().filter(group=world.reception).exists()


def test_only_one_amendment_at_a_time_and_only_of_a_validated_convention(world, council):
    services.amend(world.admin, council)
    with pytest.raises(ValidationError, match="déjà en cours"):
        services.amend(world.admin, council)


def test_termination_removes_every_access_at_once(world, council):
    delegation.delegate_perimeter(world.partner_admin, world.delegate, groups=[world.social], roles=[])
    services.terminate(world.admin, council, "Fin du partenariat demandée par le conseil départemental.")
    assert not is_allowed(world.users[0], *SECTION)
    assert not GroupRoleAssignment.objects.current().filter(group__partner=world.partner).exists()
    assert not DelegatedPerimeter.objects.filter(ended_at__isnull=True).exists()
    with pytest.raises(ValidationError, match="pas de convention validée"):
        delegation.assign_profile(world.partner_admin, world.social, world.roles["cdap-cd-controle"])
    entry = JournalEntry.objects.get(kind="convention.terminate")
    assert entry.before["ended_at"] is None and entry.after["end_kind"] == "terminated"


def test_expiry_job_ends_conventions_past_their_date(world, council, capsys):
    version = council.version_in_force()
    version.ends_on = date.today() - timedelta(days=1)
    version.save(update_fields=["ends_on"])
    assert habpps(["conventions", "expire"]) == 0
    assert "1 convention(s) échue(s)." in capsys.readouterr().out
    council.refresh_from_db()
    assert council.end_kind == EndKind.EXPIRED
    assert not is_allowed(world.users[0], *SECTION)
    assert services.expire_due() == []


def test_expiry_leaves_conventions_still_valid(world, council):
    version = council.version_in_force()
    version.ends_on = date.today()
    version.save(update_fields=["ends_on"])
    assert services.expire_due() == []
    assert is_allowed(world.users[0], *SECTION)


def test_demo_conventions_cover_what_the_demo_groups_hold(world, monkeypatch):
    from habpps.authorization import perimeters
    from habpps.conventions.demo import seed_demo_conventions
    from habpps.conventions.models import Convention
    from habpps.directory import services as directory

    # A database seeded before conventions existed: a group holds a profile its partner has no convention for.
    monkeypatch.delitem(perimeters._registry, "convention")
    directory.assign_group_role(None, world.social, world.roles["cdap-ass-cesf"])
    monkeypatch.undo()
    assert seed_demo_conventions() == 1
    convention = Convention.objects.get(partner=world.partner)
    assert set(convention.version_in_force().granted()) == {world.roles["cdap-ass-cesf"].pk}
    assert seed_demo_conventions() == 0
