"""Defects the security campaign found, each pinned by the smallest test that showed it."""

from __future__ import annotations

from django.urls import reverse

from security.world import build_world


def test_a_delegate_posting_the_group_creation_form_is_refused_not_a_server_error(
    db, client, settings, tmp_path
):
    """The delegation page's context popped its group form only for the partner administrator, so a delegate's
    POST (or the administrator's invalid one re-rendered) crashed with a 500. Since issue 16 the delegate's POST
    reaches the service, where the engine refuses it (``can_create_group``) with its sentence: no group, no 500."""
    from habpps.directory.models import Group

    settings.MEDIA_ROOT = tmp_path
    side = build_world().sides["a"]
    client.force_login(side.actors["delegate"])
    refused = client.post(reverse("delegation:group-create"), {"groupe-name": "Intrus"})
    assert refused.status_code == 200
    assert not Group.objects.filter(name="Intrus").exists()
    assert "administrateur partenaire crée des groupes" in refused.content.decode()

    client.force_login(side.actors["partner_admin"])
    response = client.post(reverse("delegation:group-create"), {"groupe-name": ""})
    assert response.status_code == 200 and response.context["group_form"].errors


def test_a_temporal_constraint_missing_the_name_it_is_on_is_a_document_error_not_a_crash():
    """Found by the policy-loader fuzzing: ``{"on": "user"}`` without ``user`` passed the schema and the loader
    died with a KeyError."""
    import pytest

    from habpps.engine import RBAC, PolicyDocumentError

    for item, missing in (
        ({"on": "user"}, "user"),
        ({"on": "role"}, "role"),
        ({"on": "assignment", "user": "u"}, "role"),
        ({"on": "group_assignment", "role": "r"}, "group"),
    ):
        document = {"format": "habpps-policy/1", "temporal_constraints": [{**item, "constraint": {}}]}
        with pytest.raises(PolicyDocumentError) as error:
            RBAC.load(document)
        assert error.value.errors[0]["path"] == "/temporal_constraints/0"
        assert missing in error.value.errors[0]["message"]


def test_a_payment_certificate_for_a_partner_named_in_any_script_is_produced():
    """Found by the content campaign: the certificate's core font only has Windows-1252, and a partner named
    « Association Łódź » (or with an emoji) made the PDF download fail with a 500."""
    import io
    from datetime import date

    import pypdf

    from habpps.cdap.certificate import DocumentHeading, section_document
    from habpps.cdap.content import Fact, SectionContent
    from habpps.cdap.periods import Period

    heading = DocumentHeading(
        title="Attestation de paiement",
        fund_name="Caf de Łódź",
        beneficiary_number="1234567",
        period=Period(date(2025, 1, 1), date(2025, 3, 31)),
        issued_on=date(2025, 4, 1),
        issued_by="Association Łódź Œuvre 😀 ‮ 社会",
    )
    pdf = section_document(heading, SectionContent(code="paiement", facts=(Fact("Montant", "12 €"),)))
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Association Lódz Œuvre" in text.replace("\n", " ") and "Caf de Lódz" in text
