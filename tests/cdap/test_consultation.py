"""CDP-1, 4, 5, 7: lookup by number only, the summary sheet, period views, and a journal entry for every look."""

from __future__ import annotations

import re

from cdap.conftest import DOCTRINE, KNOWN_NUMBER, UNKNOWN_NUMBER
from habpps.cdap.models import Consultation, ConsultationKind, ConsultationOutcome
from habpps.journal.models import JournalEntry
from habpps.journal.verification import verify_journal


def test_an_invalid_number_is_refused_next_to_the_field_and_nothing_is_looked_up(cdap_network, login):
    client = login(cdap_network.user_a)
    page = client.post("/cdap/", {"number": "Dupont"}).content.decode()
    assert "Le numéro d&#x27;allocataire comporte 7 chiffres" in page
    assert not Consultation.objects.exists()


def test_an_unknown_number_gets_a_clear_message_and_is_journalled_as_an_attempt(cdap_network, login):
    user = cdap_network.user_a
    response = login(user).post("/cdap/", {"number": UNKNOWN_NUMBER})
    assert response.status_code == 200
    assert "Aucun dossier ne porte ce numéro" in response.content.decode()
    attempt = Consultation.objects.get()
    assert (attempt.kind, attempt.outcome, attempt.beneficiary_number) == (
        "lookup",
        "unknown",
        UNKNOWN_NUMBER,
    )
    entry = JournalEntry.objects.get(kind="cdap.consultation.unknown")
    assert entry.actor_identifier == user.login
    assert entry.data["beneficiary_number"] == UNKNOWN_NUMBER
    assert entry.data["partner"] == user.partner_id
    assert entry.org_scope == user.org_scope
    assert attempt.journal_sequence == entry.sequence


def test_the_number_never_appears_in_a_url(cdap_network, login):
    client = login(cdap_network.user_a)
    response = client.post("/cdap/", {"number": KNOWN_NUMBER})
    assert response.url == "/cdap/dossier/"
    page = client.get("/cdap/dossier/").content.decode()
    assert KNOWN_NUMBER not in " ".join(re.findall(r'href="([^"]*)"', page))


def test_without_an_open_file_the_pages_send_back_to_the_lookup(cdap_network, login):
    client = login(cdap_network.user_a)
    assert client.get("/cdap/dossier/").url == "/cdap/"
    assert client.get("/cdap/dossier/rubriques/droits/").url == "/cdap/"


def test_the_summary_sheet_holds_the_key_data_of_every_granted_section_and_is_journalled(cdap_network, login):
    user = cdap_network.user_a
    client = login(user)
    client.post("/cdap/", {"number": KNOWN_NUMBER})
    response = client.get("/cdap/dossier/")
    page = response.content.decode()
    assert "Fiche de synthèse" in page and ("Madame" in page or "Monsieur" in page)
    assert "Droits ouverts" in page and "Dernier paiement" in page and "Reste dû" in page
    assert "Quotient familial du mois" not in page  # QF is not granted to this profile
    assert "no-store" in response["Cache-Control"]
    consultation = Consultation.objects.get(kind=ConsultationKind.SUMMARY)
    assert consultation.sections == DOCTRINE["cdap-ass-cesf"]
    assert consultation.outcome == ConsultationOutcome.SHOWN
    assert consultation.profiles == ["cdap-ass-cesf"]
    entry = JournalEntry.objects.get(kind="cdap.consultation")
    assert entry.data["sections"] == DOCTRINE["cdap-ass-cesf"]
    assert entry.data["beneficiary_number"] == KNOWN_NUMBER
    assert entry.data["partner_name"] == user.partner.name
    assert entry.target == f"dossier:{user.partner.fund.code}:{KNOWN_NUMBER}"
    assert verify_journal().intact


def test_every_page_of_the_file_is_journalled_with_the_sections_it_showed(cdap_network, login):
    user = cdap_network.cdap_users["cdap-instructeur-rsa-cpam"]
    client = login(user)
    client.post("/cdap/", {"number": KNOWN_NUMBER})
    client.get("/cdap/dossier/")
    client.get("/cdap/dossier/rubriques/rsa/")
    client.get("/cdap/dossier/rubriques/ressources/?du=2025-01-01&au=2025-12-31")
    shown = list(
        Consultation.objects.order_by("id").values_list("kind", "sections", "period_start", "period_end")
    )
    assert [(kind, sections) for kind, sections, *_ in shown] == [
        ("summary", ["rsa", "ressources"]),
        ("section", ["rsa"]),
        ("section", ["ressources"]),
    ]
    assert str(shown[2][2]) == "2025-01-01" and str(shown[2][3]) == "2025-12-31"
    assert JournalEntry.objects.filter(kind="cdap.consultation", actor_identifier=user.login).count() == 3


def test_ressources_shows_annual_and_quarterly_resources_on_one_page(cdap_network, login):
    client = login(cdap_network.user_a)
    client.post("/cdap/", {"number": KNOWN_NUMBER})
    page = client.get("/cdap/dossier/rubriques/ressources/?du=2023-01-01&au=2026-03-15").content.decode()
    assert "Ressources annuelles (déclaration fiscale)" in page
    assert "Ressources trimestrielles déclarées" in page
    assert 'type="date"' in page


def test_the_period_view_shows_only_the_rows_of_the_period(cdap_network, login):
    client = login(cdap_network.user_a)
    client.post("/cdap/", {"number": KNOWN_NUMBER})
    page = client.get("/cdap/dossier/rubriques/paiement/?du=2025-06-01&au=2025-06-30").content.decode()
    dates = re.findall(r"<td>(\d{2}/\d{2}/\d{4})</td>", page)
    assert dates and all(day.endswith("/06/2025") for day in dates)
    assert "Total de la période" in page
    default = client.get("/cdap/dossier/rubriques/paiement/").content.decode()
    assert 'value="2025-04-01"' in default and 'value="2026-03-15"' in default


def test_an_invalid_period_is_explained_next_to_the_field_and_shows_no_rows(cdap_network, login):
    client = login(cdap_network.user_a)
    client.post("/cdap/", {"number": KNOWN_NUMBER})
    page = client.get("/cdap/dossier/rubriques/droits/?du=2025-12-01&au=2025-01-01").content.decode()
    assert "La date de début doit précéder la date de fin." in page
    assert "<tbody>" not in page
    page = client.get("/cdap/dossier/rubriques/droits/?du=hier&au=").content.decode()
    assert "Saisissez une date valide." in page or "Ce champ est obligatoire." in page


def test_a_section_without_history_has_no_period_form(cdap_network, login):
    client = login(cdap_network.user_a)
    client.post("/cdap/", {"number": KNOWN_NUMBER})
    page = client.get("/cdap/dossier/rubriques/logement/").content.decode()
    assert 'data-form="period"' not in page
    shown = Consultation.objects.get(kind="section")
    assert shown.sections == ["logement"] and shown.period_start is None
    assert "Loyer mensuel" in page or "Propriétaire" in page or "Hébergé" in page


def test_closing_the_file_forgets_it(cdap_network, login):
    client = login(cdap_network.user_a)
    client.post("/cdap/", {"number": KNOWN_NUMBER})
    assert client.post("/cdap/dossier/fermer/").url == "/cdap/"
    assert client.get("/cdap/dossier/").url == "/cdap/"


def test_the_first_visit_of_a_section_shows_its_latest_lines_and_journals_the_period_shown(
    cdap_network, login, fixed_demo_calendar
):
    """Courrier's letters may all be older than the last twelve months: the first visit starts at the latest one
    rather than showing an empty table under a summary sheet that announced a letter."""
    user = cdap_network.user_a
    client = login(user)
    client.post("/cdap/", {"number": KNOWN_NUMBER})
    courrier = fixed_demo_calendar.fetch(user.partner.fund.code, KNOWN_NUMBER, ["courrier"]).section("courrier")
    last_letter = courrier.summary[0].value.split(" — ")[0]
    assert last_letter in client.get("/cdap/dossier/").content.decode()
    page = client.get("/cdap/dossier/rubriques/courrier/").content.decode()
    assert f"<td>{last_letter}</td>" in page
    shown = Consultation.objects.filter(kind="section").get()
    assert shown.period_end.isoformat() == "2026-03-15"
    assert shown.period_start.isoformat() in page  # the form shows the period the journal recorded
    ressources = client.get("/cdap/dossier/rubriques/ressources/").content.decode()
    assert "Revenus 2024" in ressources and "Droits 2026" in ressources
