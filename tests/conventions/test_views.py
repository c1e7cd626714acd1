"""The conventions pages with Django's test client: each actor sees only his queue and objects; the four-eyes
refusal is explained on the page; other funds' conventions are not even revealed (404)."""

import pytest
from django.urls import reverse

from conventions.conftest import validated_convention
from habpps.conventions import services
from habpps.conventions.workflow import VersionState


def client_for(client, account):
    client.force_login(account)
    return client


@pytest.fixture
def submitted(world):
    convention = services.create_convention(
        world.admin_verifier, world.partner, reference="CAF751-2025-009", service_contract="CS-9"
    )
    version = convention.versions.get()
    services.set_bulletin(world.admin_verifier, version, world.cdap, {world.roles["cdap-ass-cesf"]: 2})
    services.submit(world.admin_verifier, version)
    return convention


def test_fund_admin_queue_lists_his_fund_only(client, world, submitted):
    page = client_for(client, world.admin).get(reverse("conventions:fund-queue"))
    assert page.status_code == 200 and "CAF751-2025-009" in page.content.decode()
    other = client_for(client, world.net.fund_admin_b).get(reverse("conventions:fund-queue"))
    assert "CAF751-2025-009" not in other.content.decode()
    assert client.get(reverse("conventions:detail", args=[submitted.pk])).status_code == 404


def test_verifier_queue_explains_the_four_eyes_rule_to_the_author(client, world, submitted):
    page = client_for(client, world.admin_verifier).get(reverse("conventions:verifier-queue"))
    assert "vous avez saisi la version 1" in page.content.decode()
    detail = client.get(reverse("conventions:detail", args=[submitted.pk])).content.decode()
    assert "data-four-eyes" in detail and "Valider la saisie" not in detail
    refused = client.post(reverse("conventions:version-action", args=[submitted.pk, "validate"]))
    assert "Règle des quatre yeux" in refused.content.decode()
    assert submitted.versions.get().state == VersionState.SUBMITTED


def test_verifier_validates_from_the_page(client, world, submitted):
    client_for(client, world.verifier)
    response = client.post(reverse("conventions:version-action", args=[submitted.pk, "validate"]))
    assert response.status_code == 302
    assert submitted.versions.get().state == VersionState.VALIDATED


def test_a_plain_partner_user_sees_no_convention_page(client, world):
    convention = validated_convention(world)
    assert (
        client_for(client, world.users[0])
        .get(reverse("conventions:detail", args=[convention.pk]))
        .status_code
        == 404
    )
    assert (
        client_for(client, world.partner_admin)
        .get(reverse("conventions:detail", args=[convention.pk]))
        .status_code
        == 200
    )


def test_an_amendment_page_shows_what_it_adds_and_removes(client, world):
    from habpps.directory.models import PartnerType

    world.partner.partner_type = PartnerType.objects.get(code="conseil-departemental")
    world.partner.save(update_fields=["partner_type"])
    convention = validated_convention(world, profiles=("cdap-instructeur-rsa-cpam",))
    amendment = services.amend(world.admin, convention)
    services.set_bulletin(world.admin, amendment, world.cdap, {world.roles["cdap-cd-controle"]: None})
    page = (
        client_for(client, world.admin)
        .get(reverse("conventions:detail", args=[convention.pk]))
        .content.decode()
    )
    assert 'data-profile="Instructeur RSA et CPAM" data-change="removed"' in page
    assert 'data-profile="Conseil départemental – service contrôle" data-change="added"' in page


def test_paper_step_upload_refuses_a_non_pdf_next_to_the_field(client, world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    convention = validated_convention(world)
    client_for(client, world.admin)
    url = reverse("conventions:convention-action", args=[convention.pk, "etape-papier"])
    data = {"papier-kind": "signature", "papier-occurred_on": "2025-03-01", "papier-decision": "favourable"}
    fake = SimpleUploadedFile("convention.pdf", b"MZ not a pdf", content_type="application/pdf")
    page = client.post(url, {**data, "papier-document": fake}).content.decode()
    assert "n&#x27;est pas un PDF" in page or "n'est pas un PDF" in page
    pdf = SimpleUploadedFile("convention.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    assert client.post(url, {**data, "papier-document": pdf}).status_code == 302
    step = convention.paper_steps.get()
    document = client.get(reverse("conventions:paper-document", args=[step.pk]))
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"


def test_the_national_administrator_reads_every_convention_without_any_action(client, world, submitted):
    """Read only, as the engine grants it (« consulter conventions »): the page and the network's list, and no form
    that would act on the convention; a POST is refused like for anyone outside the fund."""
    national = world.net.national_admin
    client_for(client, national)
    listing = client.get(reverse("conventions:network")).content.decode()
    assert "CAF751-2025-009" in listing and world.fund.name in listing
    assert 'data-menu="network-conventions"' in listing
    page = client.get(reverse("conventions:detail", args=[submitted.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "CAF751-2025-009" in html and "Conventions du réseau" in html
    assert f"/conventions/{submitted.pk}/version/" not in html
    assert f"/conventions/{submitted.pk}/action/" not in html
    client.post(reverse("conventions:version-action", args=[submitted.pk, "validate"]))
    assert submitted.versions.get().state == VersionState.SUBMITTED


def test_the_network_list_is_not_for_fund_staff(client, world, submitted):
    for account in (world.admin, world.verifier, world.partner_admin):
        assert client_for(client, account).get(reverse("conventions:network")).status_code == 404
