"""RSA instructing bodies get their profile only after the instructor number is recorded and checked (CNV-1)."""

import pytest
from django.core.exceptions import ValidationError

from conventions.conftest import DEMO_SIRETS
from habpps.conventions import services
from habpps.conventions.workflow import VersionState
from habpps.directory import services as directory
from habpps.directory.models import PartnerType


@pytest.fixture
def rsa_version(world):
    partner = directory.create_partner(
        None,
        world.fund,
        name="Mission insertion RSA",
        siret=DEMO_SIRETS[3],
        partner_type=PartnerType.objects.get(code="instructeur-rsa"),
        street="2 rue du Port",
        postal_code="75011",
        city="Paris",
    )
    convention = services.create_convention(world.admin, partner, reference="RSA-1", service_contract="C")
    version = convention.versions.get()
    services.set_bulletin(world.admin, version, world.cdap, {world.roles["cdap-instructeur-rsa-cpam"]: None})
    return version


def test_submission_waits_for_a_checked_instructor_number(world, rsa_version):
    with pytest.raises(ValidationError, match="numéro instructeur RSA doit être renseigné et vérifié"):
        services.submit(world.admin, rsa_version)
    with pytest.raises(ValidationError, match="pas renseigné"):
        services.check_instructor_number(world.admin, rsa_version)
    services.update_version(world.admin, rsa_version, instructor_number="ri-75")
    with pytest.raises(ValidationError, match="forme attendue"):
        services.check_instructor_number(world.admin, rsa_version)
    services.update_version(world.admin, rsa_version, instructor_number="RSA75011")
    services.check_instructor_number(world.admin, rsa_version)
    services.submit(world.admin, rsa_version)
    rsa_version.refresh_from_db()
    assert rsa_version.state == VersionState.SUBMITTED and rsa_version.instructor_number_checked


def test_changing_the_number_requires_a_new_check(world, rsa_version):
    services.update_version(world.admin, rsa_version, instructor_number="RSA75011")
    services.check_instructor_number(world.admin, rsa_version)
    services.update_version(world.admin, rsa_version, instructor_number="RSA75012")
    rsa_version.refresh_from_db()
    assert not rsa_version.instructor_number_checked
