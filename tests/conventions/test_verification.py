"""Entry, verification and the four-eyes rule (CNV-1, CNV-2, CNV-3), each refusal with its explanation."""

import pytest
from django.core.exceptions import ValidationError

from conventions.conftest import validated_convention
from habpps.authorization.decisions import AccessRefused
from habpps.conventions import services
from habpps.conventions.workflow import VersionState
from habpps.directory.models import PolicyVersion
from habpps.journal.models import JournalEntry


def entered(world, author=None, profiles=("cdap-ass-cesf",)):
    author = author or world.admin
    convention = services.create_convention(
        author, world.partner, reference="CAF751-2025-001", service_contract="CS-2025-001"
    )
    version = convention.versions.get()
    services.set_bulletin(author, version, world.cdap, {world.roles[code]: None for code in profiles})
    services.submit(author, version)
    version.refresh_from_db()
    return version


def test_a_verifier_of_the_same_fund_validates_and_the_version_takes_effect(world):
    version = entered(world)
    before = PolicyVersion.objects.get().number
    services.validate_version(world.verifier, version)
    version.refresh_from_db()
    assert version.state == VersionState.VALIDATED and version.decided_by == world.verifier
    assert version.convention.version_in_force() == version
    assert PolicyVersion.objects.get().number > before
    entry = JournalEntry.objects.filter(
        kind="convention.version.validate", target=f"convention:{version.convention_id}:v{version.number}"
    ).get()
    assert entry.before["state"] == "submitted" and entry.after["state"] == "validated"
    assert entry.after["granted"] == {"cdap": {"cdap-ass-cesf": None}}


def test_verifier_cannot_validate_his_own_entry(world):
    version = entered(world, author=world.admin_verifier)
    with pytest.raises(services.VerificationRefused, match="vous avez saisi la version 1") as refused:
        services.validate_version(world.admin_verifier, version)
    assert refused.value.decision.code == "four_eyes_author"
    version.refresh_from_db()
    assert version.state == VersionState.SUBMITTED
    assert JournalEntry.objects.filter(kind="convention.verification.refused").exists()


def test_verifier_cannot_validate_a_version_he_changed_last(world):
    convention = services.create_convention(
        world.admin, world.partner, reference="CAF751-2025-002", service_contract="CS-1"
    )
    version = convention.versions.get()
    services.set_bulletin(world.admin_verifier, version, world.cdap, {world.roles["cdap-ass-cesf"]: 3})
    services.submit(world.admin, version)
    with pytest.raises(services.VerificationRefused, match="modifié en dernier"):
        services.validate_version(world.admin_verifier, version)


def test_verifier_of_another_fund_is_refused_with_the_engine_explanation(world):
    version = entered(world)
    with pytest.raises(services.VerificationRefused, match="Seul un vérificateur de la caisse") as refused:
        services.validate_version(world.other_verifier, version)
    assert refused.value.decision.code == "not_verifier_of_fund"
    # The engine's own explanation, in names: the verifier's role applies in his fund only.
    assert f"« {world.net.fund_b.name} »" in refused.value.decision.message
    assert f"fund:{world.net.fund_b.pk}" not in refused.value.decision.message


def test_a_fund_admin_without_the_verifier_role_cannot_validate(world):
    version = entered(world, author=world.admin_verifier)
    with pytest.raises(services.VerificationRefused) as refused:
        services.validate_version(world.admin, version)
    assert refused.value.decision.code == "not_verifier_of_fund"


def test_rejection_needs_a_reason_and_sends_the_entry_back(world):
    version = entered(world)
    with pytest.raises(ValidationError, match="motif"):
        services.reject_version(world.verifier, version, "  ")
    services.reject_version(world.verifier, version, "Le SIRET ne correspond pas à la convention papier.")
    version.refresh_from_db()
    assert version.state == VersionState.REJECTED and "SIRET" in version.rejection_reason
    assert version.convention.version_in_force() is None
    services.resume(world.admin, version)
    services.submit(world.admin, version)
    services.validate_version(world.verifier, version)
    version.refresh_from_db()
    assert version.state == VersionState.VALIDATED


def test_a_decided_version_cannot_be_decided_again(world):
    version = entered(world)
    services.validate_version(world.verifier, version)
    with pytest.raises(ValidationError, match="déjà été traitée") as refused:
        services.reject_version(world.admin_verifier, version, "trop tard")
    assert refused.value.code == "already_decided"


def test_profile_outside_doctrine_is_refused_at_entry(world):
    convention = services.create_convention(world.admin, world.partner, reference="R", service_contract="C")
    with pytest.raises(ValidationError, match="doctrine nationale n'autorise pas") as refused:
        services.set_bulletin(
            world.admin,
            convention.versions.get(),
            world.cdap,
            {world.roles["cdap-instructeur-rsa-cpam"]: None},
        )
    assert refused.value.error_dict["profiles"][0].code == "outside_doctrine"


def test_a_fund_admin_of_another_fund_cannot_enter_a_convention(world):
    with pytest.raises(AccessRefused):
        services.create_convention(world.net.fund_admin_b, world.partner, reference="R", service_contract="C")


def test_a_version_without_profile_cannot_be_submitted(world):
    convention = services.create_convention(world.admin, world.partner, reference="R", service_contract="C")
    with pytest.raises(ValidationError, match="aucun profil"):
        services.submit(world.admin, convention.versions.get())


def test_missing_documents_hold_the_entry(world):
    convention = services.create_convention(
        world.admin,
        world.partner,
        reference="R",
        service_contract="C",
        documents_complete=False,
        documents_note="Bulletin d'adhésion CDAP non signé",
    )
    version = convention.versions.get()
    assert version.state == VersionState.DOCUMENTS_REQUESTED
    with pytest.raises(ValidationError, match="plus modifiable"):
        services.set_bulletin(world.admin, version, world.cdap, {world.roles["cdap-ass-cesf"]: None})
    services.receive_documents(world.admin, version)
    services.set_bulletin(world.admin, version, world.cdap, {world.roles["cdap-ass-cesf"]: None})
    assert version.convention.versions.get().state == VersionState.DRAFT


def test_a_partner_has_one_open_convention(world):
    validated_convention(world)
    with pytest.raises(ValidationError, match="déjà une convention"):
        services.create_convention(world.admin, world.partner, reference="R2", service_contract="C")


def test_the_engine_policy_declaring_the_rule_refuses_the_author_itself(world):
    from habpps.authorization.orgs import fund_unit
    from habpps.authorization.policy_build import build_rbac
    from habpps.conventions.four_eyes import FOUR_EYES_RULE, history_of

    version = entered(world, author=world.admin_verifier)
    rbac = build_rbac()  # the policy build compiles the four-eyes rule from the conventions app
    assert FOUR_EYES_RULE in rbac.history_exclusions()
    snapshot = rbac.compile()
    unit, context = fund_unit(world.fund.pk), {"history": history_of(version)}
    refused = snapshot.explain(
        world.admin_verifier.login, "valider", "versions-convention", unit, context=context
    )
    assert not refused.granted and refused.failed_constraints[0]["exclusion"] == FOUR_EYES_RULE
    assert snapshot.explain(
        world.verifier.login, "valider", "versions-convention", unit, context=context
    ).granted
