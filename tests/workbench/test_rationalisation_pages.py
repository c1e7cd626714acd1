"""Rationalisation pages (RE-2b): decompose a step, generalise proposed scenarios, traced, journalled, diffed."""

from __future__ import annotations

import yaml

from habpps.journal.models import JournalEntry
from habpps.roleeng.loading import parse_model
from habpps.workbench.models import Rationalisation
from workbench.test_models_pages import deposit


def base(stored) -> str:
    return f"/atelier-roles/modeles/{stored.pk}/rationalisation/"


def test_the_overview_lists_steps_proposals_and_is_for_workbench_users_only(net, login):
    client = login(net.national_admin)
    stored = deposit(client)
    detail = client.get(f"/atelier-roles/modeles/{stored.pk}/").content.decode()
    assert f'href="{base(stored)}"' in detail
    assert "1 groupe de scénarios similaires pourrait être généralisé." in detail
    page = client.get(base(stored)).content.decode()
    assert "L&#x27;assistant consulte la situation du foyer" in page
    assert f"{base(stored)}decomposer/?scenario=SC-CDAP-SUIVI-SOCIAL&amp;etape=1" in page
    assert "scenario=SC-CDAP-ACTION-SOCIALE&amp;scenario=SC-CDAP-RSA" in page
    other = login(net.fund_admin_a)
    for url in (
        base(stored),
        f"{base(stored)}decomposer/?scenario=SC-CDAP-RSA&etape=1",
        f"{base(stored)}generaliser/",
    ):
        assert other.get(url).status_code == 404


def test_decomposing_a_step_rewrites_the_model_traces_journals_and_shows_the_effect(net, login):
    client = login(net.national_admin)
    stored = deposit(client)
    url = f"{base(stored)}decomposer/?scenario=SC-CDAP-SUIVI-SOCIAL&etape=1"
    form = client.get(url).content.decode()
    assert "Rubrique Dossier | P-DOSSIER" in form  # the abstract permission unfolded as a starting point

    response = client.post(
        url,
        {
            "steps": "L'assistant consulte le dossier et les droits | P-DOSSIER, P-DROITS\n"
            "Il consulte l'adresse, la famille et le logement | P-ADRESSE, P-FAMILLE, P-LOGEMENT",
            "reason": "trop grossière",
        },
    )
    assert response.status_code == 302
    row = Rationalisation.objects.get()
    assert response["Location"] == f"{base(stored)}{row.pk}/"
    stored.refresh_from_db()
    model = parse_model(stored.text)[0]
    assert [s.text for s in model.scenario("SC-CDAP-SUIVI-SOCIAL").steps][:2] == [
        "L'assistant consulte le dossier et les droits",
        "Il consulte l'adresse, la famille et le logement",
    ]
    assert model.rationalisations[0].step.permissions == ("P-SITUATION",)
    assert row.text_before != row.text_after and row.kind == "decomposition"
    entry = JournalEntry.objects.get(kind="workbench.model.rationalise")
    assert entry.target == f"modele-roles:{stored.pk}" and entry.data["trace"]["id"] == "RAT-1"

    effect = client.get(response["Location"]).content.decode()
    assert "devient 2 étapes plus fines" in effect
    assert "aucun profil ni aucun rôle ne gagne ou ne perd" in effect  # same permissions, finer steps
    assert "Motif : trop grossière" in effect
    detail = client.get(f"/atelier-roles/modeles/{stored.pk}/").content.decode()
    assert "RAT-1" in detail and "devient 2 étapes plus fines" in detail
    assert (
        "rationalisations:" in client.get(f"/atelier-roles/modeles/{stored.pk}/modele.yaml").content.decode()
    )


def test_decomposition_errors_are_french_and_change_nothing(net, login):
    client = login(net.national_admin)
    stored = deposit(client)
    text = stored.text
    url = f"{base(stored)}decomposer/?scenario=SC-CDAP-SUIVI-SOCIAL&etape=1"
    one_line = client.post(url, {"steps": "une seule étape | P-DOSSIER"})
    assert one_line.status_code == 200
    assert "Une étape se décompose en au moins deux étapes plus fines" in one_line.content.decode()
    unknown = client.post(url, {"steps": "a | P-DOSSIER\nb | P-INEXISTANTE"})
    assert "nomme une permission absente du catalogue : « P-INEXISTANTE »" in unknown.content.decode()
    empty_text = client.post(url, {"steps": "a | P-DOSSIER\n | P-DROITS"})
    assert "Ligne 2 : le texte de l&#x27;étape est vide." in empty_text.content.decode()
    missing = client.get(f"{base(stored)}decomposer/?scenario=SC-CDAP-SUIVI-SOCIAL&etape=9", follow=True)
    assert "le scénario « SC-CDAP-SUIVI-SOCIAL » n&#x27;a pas d&#x27;étape n° 9" in missing.content.decode()
    stored.refresh_from_db()
    assert stored.text == text and not Rationalisation.objects.exists()


def test_generalising_the_proposed_scenarios_keeps_every_right_and_the_diff_shows_the_trace(net, login):
    client = login(net.national_admin)
    stored = deposit(client)
    url = f"{base(stored)}generaliser/?scenario=SC-CDAP-ACTION-SOCIALE&scenario=SC-CDAP-RSA"
    form = client.get(url).content.decode()
    assert 'value="SC-CDAP-RSA" id="source-' in form and "checked" in form
    response = client.post(
        url,
        {
            "sources": ["SC-CDAP-ACTION-SOCIALE", "SC-CDAP-RSA"],
            "valeur_SC-CDAP-ACTION-SOCIALE": "action sociale",
            "valeur_SC-CDAP-RSA": "RSA",
            "scenario_id": "SC-CDAP-BENEFICIAIRE",
            "object": "consulter le dossier d'un bénéficiaire de type X",
            "parameter": "type de bénéficiaire",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    effect = client.get(response["Location"]).content.decode()
    assert "deviennent le scénario générique « SC-CDAP-BENEFICIAIRE »" in effect
    assert "0 rôle(s) changent" in effect
    assert "type de bénéficiaire : RSA" in effect  # the instance gained by the RSA profile, in words
    stored.refresh_from_db()
    document = yaml.safe_load(stored.text)
    assert document["rationalisations"][0]["sources"][1] == {
        "scenario": "SC-CDAP-RSA",
        "object": "instruire et suivre un dossier RSA",
        "value": "RSA",
    }
    detail = client.get(f"/atelier-roles/modeles/{stored.pk}/").content.decode()
    assert "SC-CDAP-BENEFICIAIRE (RSA)" in detail


def test_generalisation_errors_are_french_and_shown_at_the_field(net, login):
    client = login(net.national_admin)
    stored = deposit(client)
    url = f"{base(stored)}generaliser/"
    fields = {"scenario_id": "SC-CDAP-RECHERCHE", "object": "o", "parameter": "p"}
    one = client.post(url, {**fields, "sources": ["SC-CDAP-RSA"], "valeur_SC-CDAP-RSA": "RSA"})
    assert "Cochez au moins deux scénarios à généraliser." in one.content.decode()
    no_value = client.post(
        url, {**fields, "sources": ["SC-CDAP-RSA", "SC-CDAP-PERIODE"], "valeur_SC-CDAP-RSA": "x"}
    )
    assert (
        "Donnez la valeur du paramètre pour le scénario coché « SC-CDAP-PERIODE »."
        in no_value.content.decode()
    )
    taken = client.post(
        url,
        {
            **fields,
            "sources": ["SC-CDAP-RSA", "SC-CDAP-PERIODE"],
            "valeur_SC-CDAP-RSA": "a",
            "valeur_SC-CDAP-PERIODE": "b",
        },
    )
    assert taken.status_code == 200
    assert (
        "L&#x27;identifiant « SC-CDAP-RECHERCHE » est déjà celui d&#x27;un autre scénario."
        in taken.content.decode()
    )
    assert not Rationalisation.objects.exists()


def test_the_model_diff_between_two_stored_versions_lists_the_rationalisation(net, login):
    client = login(net.national_admin)
    before = deposit(client)
    after = deposit(client)
    client.post(
        f"{base(after)}decomposer/?scenario=SC-CDAP-RSA&etape=1",
        {"steps": "L'instructeur ouvre la rubrique RSA | P-RSA\nIl relit le droit RSA"},
    )
    html = client.get(
        "/atelier-roles/modeles/comparer/", {"avant": before.pk, "apres": after.pk}
    ).content.decode()
    assert 'id="rationalisation"' in html
    assert "Décomposition : l&#x27;étape 1 « L&#x27;instructeur consulte la rubrique RSA »" in html


# The same operations through the API.


def api_client(account):
    from django.test import Client

    from habpps.api import tokens

    tokens.forget_recognised_tokens()
    return Client(HTTP_AUTHORIZATION=f"Bearer {tokens.create_personal_token(account, 'tests').secret}")


def test_the_api_proposes_decomposes_and_generalises_with_french_problems(net, login, settings):
    settings.HABPPS_API_DENIAL_JOURNAL = "immediate"
    stored = deposit(login(net.national_admin))
    api = api_client(net.national_admin)
    root = f"/api/v1/atelier-roles/modeles/{stored.pk}"

    [proposal] = api.get(f"{root}/scenarios-similaires").json()
    assert proposal["scenarios"] == ["SC-CDAP-ACTION-SOCIALE", "SC-CDAP-RSA"]

    refused = api.post(
        f"{root}/decompositions",
        {"scenario": "SC-CDAP-RSA", "position": 7, "steps": [{"text": "a"}, {"text": "b"}]},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["location"] == "body.position"
    assert "n'a pas d'étape n° 7" in refused.json()["detail"]

    done = api.post(
        f"{root}/decompositions",
        {
            "scenario": "SC-CDAP-RSA",
            "position": 1,
            "steps": [{"text": "ouvrir la rubrique RSA", "permissions": ["P-RSA"]}, {"text": "relire le droit"}],
        },
        content_type="application/json",
    )
    assert done.status_code == 201, done.content
    assert done.json()["kind"] == "decomposition" and done.json()["trace_id"] == "RAT-1"

    generalised = api.post(
        f"{root}/generalisations",
        {
            "sources": proposal["scenarios"],
            "scenario_id": "SC-CDAP-BENEFICIAIRE",
            "object": "consulter le dossier d'un bénéficiaire de type X",
            "parameter": "type de bénéficiaire",
            "values": {"SC-CDAP-ACTION-SOCIALE": "action sociale", "SC-CDAP-RSA": "RSA"},
        },
        content_type="application/json",
    )
    assert generalised.status_code == 201, generalised.content
    listed = api.get(f"{root}/rationalisations").json()
    assert [row["trace_id"] for row in listed] == ["RAT-2", "RAT-1"]
    assert listed[0]["trace"]["sources"][1]["value"] == "RSA"
    assert JournalEntry.objects.filter(kind="workbench.model.rationalise").count() == 2

    assert api.get("/api/v1/atelier-roles/modeles/999999/rationalisations").status_code == 404
    assert api_client(net.fund_admin_a).get(f"{root}/rationalisations").status_code == 403
