"""CDP-2/3: which sections a profile sees comes from the engine; a section not granted is absent everywhere and
its URL answers 404; the national administrator edits the doctrine table, journalled, and it applies at once."""

from __future__ import annotations

import re

import pytest

from cdap.conftest import DOCTRINE, KNOWN_NUMBER
from habpps.cdap import doctrine
from habpps.cdap.models import Consultation, Section
from habpps.cdap.sections import granted_sections
from habpps.conventions.demo import seed_validated_convention
from habpps.directory import services
from habpps.directory.models import PartnerType, PolicyVersion, ServiceRole
from habpps.journal.models import JournalEntry

ALL_SECTIONS = [code for codes in DOCTRINE.values() for code in codes] + ["qf", "enfants"]


def section_links(html: str) -> set[str]:
    return set(re.findall(r"/cdap/dossier/rubriques/([a-z0-9-]+)/", html))


def open_file(client, number=KNOWN_NUMBER):
    response = client.post("/cdap/", {"number": number})
    assert response.status_code == 302, response.content.decode()


@pytest.mark.parametrize("profile", sorted(DOCTRINE))
def test_each_profile_is_granted_exactly_its_sections_by_the_engine(cdap_network, profile):
    user = cdap_network.cdap_users[profile]
    assert [section.code for section in granted_sections(user)] == DOCTRINE[profile]


@pytest.mark.parametrize("profile", sorted(DOCTRINE))
def test_a_section_not_granted_is_absent_everywhere_and_its_url_is_404(cdap_network, login, profile):
    client = login(cdap_network.cdap_users[profile])
    open_file(client)
    summary = client.get("/cdap/dossier/").content.decode()
    assert section_links(summary) == set(DOCTRINE[profile])
    assert set(re.findall(r'data-card="([a-z0-9-]+)"', summary)) == set(DOCTRINE[profile])
    for code in DOCTRINE[profile]:
        page = client.get(f"/cdap/dossier/rubriques/{code}/")
        assert page.status_code == 200
        assert section_links(page.content.decode()) == set(DOCTRINE[profile])
    for code in set(ALL_SECTIONS) - set(DOCTRINE[profile]):
        assert client.get(f"/cdap/dossier/rubriques/{code}/").status_code == 404
        assert client.get(f"/cdap/dossier/rubriques/{code}/document.pdf").status_code == 404


def test_a_refused_section_is_404_even_without_an_open_file(cdap_network, login):
    client = login(cdap_network.cdap_users["cdap-prestataire-action-sociale"])
    assert client.get("/cdap/dossier/rubriques/droits/").status_code == 404
    assert client.get("/cdap/dossier/rubriques/inexistante/").status_code == 404
    assert client.get("/cdap/dossier/rubriques/qf/").status_code == 302  # granted: back to the lookup form


def test_without_cdap_access_the_service_does_not_exist(cdap_network, login):
    client = login(cdap_network.fund_admin_a)
    for url in ("/cdap/", "/cdap/dossier/", "/cdap/dossier/rubriques/droits/"):
        assert client.get(url).status_code == 404
    assert 'data-menu="cdap"' not in client.get("/").content.decode()
    assert 'data-menu="cdap"' in login(cdap_network.user_a).get("/").content.decode()


def test_a_profile_seeded_without_sections_reaches_the_service_but_sees_nothing(cdap_network, login):
    """The contentieux and contrôle profiles of the slides are seeded empty: the national admin defines theirs."""
    partner = services.create_partner(
        None,
        cdap_network.fund_a,
        name="Conseil départemental — contentieux",
        siret="55208131766522",
        partner_type=PartnerType.objects.get(code="conseil-departemental"),
        street="1 quai de la Rapée",
        postal_code="75012",
        city="Paris",
    )
    contentieux = ServiceRole.objects.get(code="cdap-cd-contentieux")
    seed_validated_convention(partner, {contentieux: None})
    group = services.create_group(None, partner, name="Contentieux")
    services.assign_group_role(None, group, contentieux)
    agent = services.create_account(
        None, partner, first_name="Claire", last_name="Contentieux", email="c@cd.fr", roles=[], password="x"
    )
    services.add_group_member(None, group, agent)
    assert granted_sections(agent) == []
    client = login(agent)
    page = client.get("/cdap/").content.decode()
    # Said before a number is typed, with the profile's name; no form to type one in.
    assert "Aucune rubrique n'est encore ouverte à votre profil" in page
    assert "Conseil départemental – service contentieux" in page
    assert 'data-form="lookup"' not in page
    refused = client.post("/cdap/", {"number": KNOWN_NUMBER}).content.decode()
    assert "aucun dossier ne peut être consulté" in refused
    assert not Consultation.objects.filter(account=agent).exists()
    assert client.get("/cdap/dossier/").url == "/cdap/"
    assert all(client.get(f"/cdap/dossier/rubriques/{code}/").status_code == 404 for code in ALL_SECTIONS)


def test_editing_the_doctrine_applies_at_once_and_is_journalled(cdap_network, login):
    admin = cdap_network.national_admin
    provider = ServiceRole.objects.get(code="cdap-prestataire-action-sociale")
    user = cdap_network.cdap_users[provider.code]
    version = PolicyVersion.objects.get().number
    response = login(admin).post(
        "/cdap/doctrine/",
        {
            **{
                f"profil-{role.pk}": DOCTRINE[role.code]
                for role in ServiceRole.objects.filter(code__in=DOCTRINE)
            },
            f"profil-{provider.pk}": ["qf", "enfants", "adresse"],
        },
    )
    assert response.status_code == 302
    assert PolicyVersion.objects.get().number > version
    assert [s.code for s in granted_sections(user)] == ["adresse", "qf", "enfants"]
    entry = JournalEntry.objects.filter(kind="cdap.doctrine.update").get()
    assert entry.target == f"role:{provider.code}"
    assert entry.before == {"sections": ["enfants", "qf"]} and entry.after == {
        "sections": ["adresse", "enfants", "qf"]
    }
    assert entry.actor_identifier == admin.login


def test_the_doctrine_page_is_national_only(cdap_network, login):
    assert login(cdap_network.fund_admin_a).get("/cdap/doctrine/").status_code == 404
    assert login(cdap_network.user_a).post("/cdap/doctrine/", {}).status_code == 404
    page = login(cdap_network.national_admin).get("/cdap/doctrine/").content.decode()
    # One column per CDAP profile of the catalogue (five seeded), one row per section.
    assert page.count('name="profil-') == Section.objects.count() * 5


def test_a_new_section_is_shown_once_granted_and_the_source_provides_it(cdap_network, login):
    admin = cdap_network.national_admin
    response = login(admin).post(
        "/cdap/doctrine/rubriques/nouvelle/",
        {"code": "aides-locales", "name": "Aides locales", "position": 200},
    )
    assert response.status_code == 302
    user = cdap_network.user_a
    assert "aides-locales" not in [s.code for s in granted_sections(user)]
    role = ServiceRole.objects.get(code="cdap-ass-cesf")
    doctrine.set_section_grants(admin, {role: DOCTRINE[role.code] + ["aides-locales"]})
    assert granted_sections(user)[-1].code == "aides-locales"
    client = login(user)
    open_file(client)
    page = client.get("/cdap/dossier/rubriques/aides-locales/").content.decode()
    assert "pas fournie par le système d" in page


def test_a_section_taken_out_of_service_disappears(cdap_network):
    user = cdap_network.cdap_users["cdap-instructeur-rsa-cpam"]
    rsa = Section.objects.get(code="rsa")
    doctrine.set_section_in_service(cdap_network.national_admin, rsa, False)
    assert [s.code for s in granted_sections(user)] == ["ressources"]
    doctrine.set_section_in_service(cdap_network.national_admin, rsa, True)
    assert [s.code for s in granted_sections(user)] == ["rsa", "ressources"]
