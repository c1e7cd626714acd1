"""CDP-6: the payment certificate as a PDF — fund, beneficiary, payments of the period — read back with pypdf."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from pypdf import PdfReader

from cdap.conftest import KNOWN_NUMBER, TODAY
from habpps.cdap.formatting import euros
from habpps.cdap.models import Consultation
from habpps.cdap.sources.demo import DemoBeneficiaryFileSource

URL = "/cdap/dossier/rubriques/attestation-paiement/document.pdf"


def spaced(text: str) -> str:
    """French amounts use (narrow) no-break spaces; compare them as plain spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_certificate_states_the_fund_the_beneficiary_and_the_payments_of_the_period(cdap_network, login):
    user = cdap_network.user_a
    client = login(user)
    client.post("/cdap/", {"number": KNOWN_NUMBER})
    response = client.get(URL, {"du": "2025-01-01", "au": "2025-06-30"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)

    expected = DemoBeneficiaryFileSource(today=lambda: TODAY).fetch(
        user.partner.fund.code, KNOWN_NUMBER, ["attestation-paiement"]
    )
    certificate = expected.section("attestation-paiement")
    assert "Attestation de paiement" in text
    assert user.partner.fund.name in text
    assert certificate.facts[0].value in text  # the beneficiary
    assert f"Numéro d'allocataire {KNOWN_NUMBER}" in text
    assert "Période du 01/01/2025 au 30/06/2025" in text
    paid_on = re.findall(r"^(\d{2}/\d{2}/\d{4}) ", text, flags=re.MULTILINE)
    in_period = [
        row for row in certificate.tables[0].rows if "2025-01-01" <= row.start.isoformat() <= "2025-06-30"
    ]
    assert len(paid_on) == len(in_period) > 0
    assert all(day[3:] in {f"{m:02d}/2025" for m in range(1, 7)} for day in paid_on)
    total = sum((row.amount for row in in_period), Decimal(0))
    assert f"Total de la période : {spaced(euros(total))}" in spaced(text)
    consultation = Consultation.objects.get(kind="document")
    assert consultation.sections == ["attestation-paiement"]
    assert (str(consultation.period_start), str(consultation.period_end)) == ("2025-01-01", "2025-06-30")


def test_the_section_page_offers_the_certificate_for_the_period_shown(cdap_network, login):
    client = login(cdap_network.user_a)
    client.post("/cdap/", {"number": KNOWN_NUMBER})
    page = client.get(
        "/cdap/dossier/rubriques/attestation-paiement/?du=2025-01-01&au=2025-06-30"
    ).content.decode()
    assert f'href="{URL}?du=2025-01-01&amp;au=2025-06-30"' in page


def test_profiles_without_the_attestation_section_cannot_get_it(cdap_network, login):
    for profile in ("cdap-prestataire-action-sociale", "cdap-instructeur-rsa-cpam"):
        client = login(cdap_network.cdap_users[profile])
        client.post("/cdap/", {"number": KNOWN_NUMBER})
        assert client.get(URL, {"du": "2025-01-01", "au": "2025-06-30"}).status_code == 404
        assert client.get("/cdap/dossier/rubriques/ressources/document.pdf").status_code == 404


def test_sections_without_a_document_offer_none(cdap_network, login):
    client = login(cdap_network.user_a)
    client.post("/cdap/", {"number": KNOWN_NUMBER})
    assert client.get("/cdap/dossier/rubriques/paiement/document.pdf").status_code == 404


def test_an_invalid_period_gives_no_document(cdap_network, login):
    client = login(cdap_network.user_a)
    client.post("/cdap/", {"number": KNOWN_NUMBER})
    response = client.get(URL, {"du": "2025-06-30", "au": "2025-01-01"})
    assert response.status_code == 302 and response.url.endswith("/attestation-paiement/")
    assert not Consultation.objects.filter(kind="document").exists()
