"""Amendments as a fund administrator and a verifier meet them (issue 17 §9): before validation, who loses which
profile (computed by the engine on a copy of the policy); an amendment that changes nothing or ends everything
is refused in French; its author may give it up or take it back from the verifiers, journalled."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conventions import test_amendments_and_end
from habpps.authorization.decisions import is_allowed
from habpps.conventions import services
from habpps.conventions.delegation import services as delegation
from habpps.conventions.impact import amendment_impact
from habpps.conventions.workflow import VersionState
from habpps.directory.models import GroupRoleAssignment
from habpps.journal.models import JournalEntry

council = test_amendments_and_end.council  # the partner holding two profiles, each given to a group
INSTRUCTOR, CONTROL = "cdap-instructeur-rsa-cpam", "cdap-cd-controle"


def drop(world, convention, *codes, author=None):
    """An amendment of ``convention`` that keeps every granted profile except ``codes``."""
    author = author or world.admin
    amendment = services.amend(author, convention)
    kept = {
        world.roles[code]: None for code in (INSTRUCTOR, CONTROL) if code not in codes
    }
    services.set_bulletin(author, amendment, world.cdap, kept)
    return amendment


def test_impact_counts_who_loses_which_profile_as_the_engine_does(world, council):
    # users[0] holds the instructor profile through « Travailleurs sociaux »; users[1] through both groups.
    delegation.add_member(world.partner_admin, world.social, world.users[1])
    delegation.add_member(world.partner_admin, world.reception, world.users[1])
    amendment = drop(world, council, INSTRUCTOR)
    impact = amendment_impact(amendment)
    assert not impact.unchanged and not impact.ends_everything
    [loss] = impact.losses
    assert loss.code == INSTRUCTOR and loss.groups == ["Travailleurs sociaux"]
    assert sorted(loss.people) == sorted([world.users[0].full_name, world.users[1].full_name])
    assert impact.people_count == 2
    # Nothing was applied: both still hold the profile until a verifier validates.
    assert GroupRoleAssignment.objects.current().filter(group=world.social).exists()
    assert is_allowed(world.users[0], "consulter", "cdap.section.rsa")
    # What the page announced is what validation does.
    services.submit(world.admin, amendment)
    services.validate_version(world.verifier, amendment)
    assert not is_allowed(world.users[0], "consulter", "cdap.section.rsa")
    assert JournalEntry.objects.filter(kind="convention.access.withdraw").count() == 1


def test_someone_keeping_the_profile_elsewhere_is_not_counted(world, council):
    # The reception group also receives the instructor profile: users[0], member of both, keeps it.
    delegation.assign_profile(world.partner_admin, world.reception, world.roles[INSTRUCTOR])
    delegation.add_member(world.partner_admin, world.reception, world.users[0])
    amendment = services.amend(world.admin, council)
    services.set_bulletin(world.admin, amendment, world.cdap, {world.roles[INSTRUCTOR]: None})
    [loss] = amendment_impact(amendment).losses
    assert loss.code == CONTROL and loss.groups == ["Accueil"]
    assert world.users[0].full_name in loss.people  # loses the control profile held only through Accueil
    impact = amendment_impact(amendment)
    assert all(INSTRUCTOR not in person.lost_roles for person in impact.people)


def test_a_lowered_limit_under_the_holders_is_announced(world, council):
    delegation.add_member(world.partner_admin, world.social, world.users[1])
    amendment = services.amend(world.admin, council)
    services.set_bulletin(
        world.admin, amendment, world.cdap, {world.roles[INSTRUCTOR]: 1, world.roles[CONTROL]: None}
    )
    impact = amendment_impact(amendment)
    assert impact.losses == [] and impact.people_count == 0
    [excess] = impact.excesses
    assert (excess.limit, excess.holders) == (1, 2)


def test_an_amendment_that_changes_nothing_is_refused(world, council):
    amendment = services.amend(world.admin, council)
    assert amendment_impact(amendment).unchanged
    with pytest.raises(ValidationError, match="ne change rien à la version en vigueur"):
        services.submit(world.admin, amendment)
    # A changed expiry date is a change.
    services.update_version(world.admin, amendment, ends_on=None, service_contract="CS-2025-002")
    services.submit(world.admin, amendment)


def test_an_amendment_removing_every_profile_points_to_termination(world, council):
    amendment = services.amend(world.admin, council)
    services.set_bulletin(world.admin, amendment, world.cdap, {})
    impact = amendment_impact(amendment)
    assert impact.ends_everything
    with pytest.raises(ValidationError, match="Résilier la convention") as refused:
        services.submit(world.admin, amendment)
    assert refused.value.code == "amendment_ends_everything"


def test_the_author_cancels_a_draft_amendment_journalled(world, council):
    amendment = drop(world, council, CONTROL)
    with pytest.raises(ValidationError, match="Seul l'auteur"):
        services.cancel(world.admin_verifier, amendment)
    services.cancel(world.admin, amendment)
    amendment.refresh_from_db()
    assert amendment.state == VersionState.CANCELLED
    assert council.version_in_force().number == 1 and council.open_version() is None
    entry = JournalEntry.objects.get(kind="convention.version.cancel")
    assert entry.before["state"] == "draft" and entry.after["state"] == "cancelled"
    # A new amendment may start, numbered after the abandoned one.
    assert services.amend(world.admin, council).number == 3


def test_the_author_withdraws_a_submitted_amendment(world, council):
    amendment = drop(world, council, CONTROL)
    services.submit(world.admin, amendment)
    with pytest.raises(ValidationError, match="Seul l'auteur"):
        services.withdraw(world.admin_verifier, amendment)
    services.withdraw(world.admin, amendment)
    amendment.refresh_from_db()
    assert amendment.state == VersionState.DRAFT
    entry = JournalEntry.objects.get(kind="convention.version.withdraw")
    assert (entry.before["state"], entry.after["state"]) == ("submitted", "draft")
    # Withdrawn, it can be neither validated nor cancelled by the verifier.
    with pytest.raises(ValidationError):
        services.validate_version(world.verifier, amendment)


def test_a_first_version_is_terminated_not_cancelled(world):
    convention = services.create_convention(
        world.admin, world.partner, reference="CAF751-2025-077", service_contract="CS-77"
    )
    with pytest.raises(ValidationError, match="résiliez la convention"):
        services.cancel(world.admin, convention.versions.get())


def test_the_page_shows_the_impact_and_the_author_actions(client, world, council):
    delegation.add_member(world.partner_admin, world.social, world.users[1])
    amendment = drop(world, council, INSTRUCTOR)
    client.force_login(world.admin)
    url = reverse("conventions:detail", args=[council.pk])
    page = client.get(url).content.decode()
    assert 'data-impact-count="2"' in page and "2 personnes perdront au moins un profil" in page
    assert world.users[1].full_name in page and "Abandonner l'avenant" in page
    assert INSTRUCTOR not in page  # the profile by its label, never its code
    client.post(reverse("conventions:version-action", args=[council.pk, "submit"]))
    page = client.get(url).content.decode()
    assert "Retirer de la vérification" in page
    # The verifier reads the same figures beside the validate button, without the author's actions.
    client.force_login(world.verifier)
    page = client.get(url).content.decode()
    assert 'data-impact-count="2"' in page and "Valider la saisie" in page
    assert "Retirer de la vérification" not in page
    client.force_login(world.admin)
    response = client.post(reverse("conventions:version-action", args=[council.pk, "withdraw"]))
    assert response.status_code == 302
    amendment.refresh_from_db()
    assert amendment.state == VersionState.DRAFT


def test_the_page_refuses_a_no_op_and_points_an_empty_amendment_to_termination(client, world, council):
    amendment = services.amend(world.admin, council)
    client.force_login(world.admin)
    url = reverse("conventions:detail", args=[council.pk])
    assert 'data-impact="unchanged"' in client.get(url).content.decode()
    refused = client.post(reverse("conventions:version-action", args=[council.pk, "submit"]))
    assert refused.status_code == 200 and "ne change rien" in refused.content.decode()
    services.set_bulletin(world.admin, amendment, world.cdap, {})
    page = client.get(url).content.decode()
    assert 'data-impact="ends-everything"' in page and 'href="#resilier"' in page and 'id="resilier"' in page


def test_the_api_gives_the_impact_and_cancels(client, world, council):
    drop(world, council, INSTRUCTOR)
    client.force_login(world.admin)
    body = client.get(f"/api/v1/conventions/{council.pk}/impact").json()
    assert body["people_losing_access"] == 1 and body["unchanged"] is False
    assert body["profiles_removed"][0]["profile"] == INSTRUCTOR
    assert body["profiles_removed"][0]["people"] == [world.users[0].full_name]
    response = client.post(
        f"/api/v1/conventions/{council.pk}/transitions", {"action": "cancel"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert client.get(f"/api/v1/conventions/{council.pk}/impact").status_code == 409


def test_the_partner_administrator_is_mailed_when_the_amendment_is_validated(world, council, mailoutbox, settings):
    from habpps.accounts.models import OutgoingMail, OutgoingMailKind
    from habpps.accounts.outbox import retry_due

    settings.HABPPS_PORTAL_URL = "https://partenaires.exemple.fr/"
    # The first version's validation told him already that he may give its profiles.
    [first] = OutgoingMail.objects.filter(kind=OutgoingMailKind.NOTICE)
    assert first.account == world.partner_admin and "convention CAF751-2025-001 validée" in first.subject
    retry_due()
    amendment = drop(world, council, INSTRUCTOR)
    services.submit(world.admin, amendment)
    services.validate_version(world.verifier, amendment)
    # Queued with the validation (durable), to the partner administrator only — not to his delegate.
    [queued] = OutgoingMail.objects.filter(kind=OutgoingMailKind.NOTICE, sent_at__isnull=True)
    assert queued.account == world.partner_admin and "avenant" in queued.subject
    entry = JournalEntry.objects.get(kind="convention.version.validate", target__endswith=":v2")
    assert entry.data["notified"] == [world.partner_admin.login]
    mailoutbox.clear()
    assert retry_due().sent == 1
    [mail] = mailoutbox
    assert mail.to == [world.partner_admin.email]
    assert "avenant à la convention CAF751-2025-001 validé" in mail.subject
    assert "Travailleurs sociaux" in mail.body and world.users[0].full_name in mail.body
    assert "https://partenaires.exemple.fr/" in mail.body
    assert INSTRUCTOR not in mail.body  # the profile by its label


def test_no_mail_leaves_when_the_validation_is_refused(world, council):
    from habpps.accounts.models import OutgoingMail, OutgoingMailKind

    amendment = drop(world, council, INSTRUCTOR)
    services.submit(world.admin, amendment)
    before = OutgoingMail.objects.filter(kind=OutgoingMailKind.NOTICE).count()
    with pytest.raises(ValidationError):
        services.validate_version(world.admin, amendment)  # the author: four eyes
    assert OutgoingMail.objects.filter(kind=OutgoingMailKind.NOTICE).count() == before


def test_the_partner_administrator_sees_a_submitted_amendment_coming(client, world, council):
    amendment = drop(world, council, INSTRUCTOR)
    client.force_login(world.partner_admin)
    home = reverse("delegation:home")
    assert "data-coming-amendment" not in client.get(home).content.decode()  # a draft is the fund's business
    services.submit(world.admin, amendment)
    page = client.get(home).content.decode()
    assert "data-coming-amendment" in page and "« Instructeur RSA et CPAM » (1)" in page
    assert reverse("conventions:detail", args=[council.pk]) + "#effet" in page
