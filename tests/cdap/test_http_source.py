"""CDP-8: the HTTP/JSON adapter against a real server on loopback — and what the viewer sees when it fails:
a clear French message, never a stack trace or part of a file."""

from __future__ import annotations

import socket

import pytest

from cdap.backend import FakeBackend
from cdap.conftest import DOCTRINE, KNOWN_NUMBER, UNKNOWN_NUMBER
from habpps.cdap.models import Consultation
from habpps.cdap.sources import InvalidSourceAnswer, SourceTimeout, SourceUnavailable, UnknownBeneficiary
from habpps.cdap.sources.http import HttpBeneficiaryFileSource
from habpps.journal.models import JournalEntry


@pytest.fixture
def backend(fixed_demo_calendar):
    with FakeBackend(fixed_demo_calendar) as server:
        yield server


@pytest.fixture
def http_source(backend):
    return HttpBeneficiaryFileSource(backend.url, timeout=0.5, token="jeton-de-test")


def test_a_file_read_over_http_is_the_file_the_back_end_holds(backend, http_source, fixed_demo_calendar):
    sections = ["droits", "paiement", "ressources", "qf"]
    assert http_source.fetch("751", KNOWN_NUMBER, sections) == fixed_demo_calendar.fetch(
        "751", KNOWN_NUMBER, sections
    )
    assert backend.requests[-1]["path"] == f"/api/caisses/751/dossiers/{KNOWN_NUMBER}"
    assert backend.requests[-1]["sections"] == sections
    assert backend.requests[-1]["authorization"] == "Bearer jeton-de-test"


def test_sections_the_back_end_sends_unasked_are_dropped(backend, http_source):
    backend.behaviour = "extra-sections"
    assert set(http_source.fetch("751", KNOWN_NUMBER, ["qf"]).sections) == {"qf"}


def test_a_404_is_an_unknown_beneficiary(http_source):
    with pytest.raises(UnknownBeneficiary):
        http_source.fetch("751", UNKNOWN_NUMBER, ["droits"])


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        ("error", SourceUnavailable),
        ("garbage", InvalidSourceAnswer),
        ("schema", InvalidSourceAnswer),
        ("wrong-number", InvalidSourceAnswer),
    ],
)
def test_back_end_failures_become_source_errors(backend, http_source, behaviour, error):
    backend.behaviour = behaviour
    with pytest.raises(error):
        http_source.fetch("751", KNOWN_NUMBER, ["droits"])


def test_a_slow_back_end_times_out(backend, http_source):
    backend.delay = 2.0
    with pytest.raises(SourceTimeout):
        http_source.fetch("751", KNOWN_NUMBER, ["droits"])


def test_a_back_end_that_is_not_listening_is_unavailable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SourceUnavailable):
        HttpBeneficiaryFileSource(f"http://127.0.0.1:{port}", timeout=0.5).fetch(
            "751", KNOWN_NUMBER, ["droits"]
        )


@pytest.fixture
def over_http(monkeypatch, http_source):
    monkeypatch.setattr("habpps.cdap.consultations.configured_source", lambda: http_source)
    return http_source


def test_pages_ask_the_back_end_for_the_granted_sections_only(cdap_network, login, backend, over_http):
    client = login(cdap_network.cdap_users["cdap-instructeur-rsa-cpam"])
    assert client.post("/cdap/", {"number": KNOWN_NUMBER}).status_code == 302
    assert backend.requests[-1]["sections"] == []  # the lookup only checks that the file exists
    assert client.get("/cdap/dossier/").status_code == 200
    assert backend.requests[-1]["sections"] == DOCTRINE["cdap-instructeur-rsa-cpam"]
    client.get("/cdap/dossier/rubriques/rsa/")
    assert backend.requests[-1]["sections"] == ["rsa"]


def test_an_unknown_number_over_http_is_told_and_journalled(cdap_network, login, backend, over_http):
    page = login(cdap_network.user_a).post("/cdap/", {"number": UNKNOWN_NUMBER}).content.decode()
    assert "Aucun dossier ne porte ce numéro" in page
    assert JournalEntry.objects.filter(kind="cdap.consultation.unknown").count() == 1


@pytest.mark.parametrize(
    ("behaviour", "delay", "message"),
    [
        ("ok", 2.0, "n'a pas répondu à temps"),
        ("error", 0, "ne peut pas être consulté pour le moment"),
        ("schema", 0, "ne peut pas être consulté pour le moment"),
    ],
)
def test_a_failing_back_end_gives_a_french_message_and_no_part_of_the_file(
    cdap_network, login, backend, over_http, behaviour, delay, message
):
    client = login(cdap_network.user_a)
    client.post("/cdap/", {"number": KNOWN_NUMBER})
    backend.behaviour, backend.delay = behaviour, delay
    for url in ("/cdap/dossier/", "/cdap/dossier/rubriques/droits/"):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 503
        assert message in page.replace("&#x27;", "'")
        assert "data-card" not in page and "<table" not in page and "Traceback" not in page
    outcomes = set(Consultation.objects.exclude(kind="lookup").values_list("outcome", flat=True))
    assert outcomes == {"unavailable"}
    assert JournalEntry.objects.filter(kind="cdap.consultation.unavailable").count() == 2


def test_a_failing_back_end_at_lookup_opens_nothing(cdap_network, login, backend, over_http):
    backend.behaviour = "error"
    client = login(cdap_network.user_a)
    response = client.post("/cdap/", {"number": KNOWN_NUMBER})
    assert response.status_code == 503
    assert client.get("/cdap/dossier/").url == "/cdap/"
