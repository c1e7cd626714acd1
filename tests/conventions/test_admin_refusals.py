"""One refusal, wherever it is asked (issue 16 §2): the convention's perimeter and user limit (CNV-1, CNV-2), a
delegate's sub-perimeter (ADM-4) and the four-eyes rule (CNV-3) are refused by the engine with the same reason and
the same French sentence — the engine's explanation in names, never its identifiers — on the page, through the
administration API and when the question is put to ``POST /api/v1/decisions``; each refusal is one
``access.decision.denied`` entry of the journal of refusals, with the question as the decision API takes it."""

from __future__ import annotations

import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conventions.conftest import validated_convention
from habpps.api import tokens
from habpps.authorization.orgs import fund_unit, group_name, partner_unit
from habpps.authorization.refusal_journal import DENIAL_KIND
from habpps.conventions import services as conventions
from habpps.conventions.delegation import services as delegation
from habpps.conventions.policy_rules import FOUR_EYES_RULE
from habpps.directory.models import GroupMembership, GroupRoleAssignment, PartnerType
from habpps.journal.models import JournalEntry

ENGINE_CODES = re.compile(r"partner:\d|fund:\d|group:\d|delegation:\d|administration:|quatre-yeux-convention|"
                          r"versions-convention|outside_perimeter|perimeter_limit|out_of|_scope|cdap-")


@pytest.fixture(autouse=True)
def _immediate(settings):
    settings.HABPPS_API_DENIAL_JOURNAL = "immediate"
    tokens.forget_recognised_tokens()


def denials(**data) -> list[JournalEntry]:
    entries = JournalEntry.objects.filter(kind=DENIAL_KIND).order_by("sequence")
    return [e for e in entries if all(e.data.get(key) == value for key, value in data.items())]


def page_errors(response) -> str:
    return html.unescape(response.content.decode())


def ask(user, operation: str, obj: str, org: str, **extra) -> dict:
    """The question put to the decision API by a portal service, explained."""
    from django.test import Client

    secret = tokens.register_service("portail-admin").secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    body = {"user": user.login, "operation": operation, "object": obj, "org": org, "explain": True, **extra}
    response = client.post("/api/v1/decisions", body, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def api_post(client, account, path: str, body: dict):
    client.force_login(account)
    return client.post(path, body, content_type="application/json")


def assert_french(message: str) -> None:
    assert message and not ENGINE_CODES.search(message), message


def assert_same_everywhere(question: tuple[str, str, str], answer: dict, shown: str, reason: str) -> None:
    """The page's message, the decision API's explanation and the journal's entries say one thing."""
    operation, obj, org = question
    assert answer["granted"] is False
    assert answer["explanation"]["reason"] == reason
    assert answer["explanation"]["message"] == shown
    entries = denials(operation=operation, object=obj, org=org)
    services = {entry.data["service"] for entry in entries}
    assert {"pages", "portail-admin"} <= services, services
    for entry in entries:
        assert entry.data["reason"] == reason and entry.data["message"] == shown
        assert entry.org_scope.endswith(org)


# CNV-1: a profile outside the convention's perimeter -----------------------------------------------------------------


def test_a_profile_outside_the_convention_refused_alike_on_the_page_the_api_and_the_decision_api(world, client):
    world.partner.partner_type = PartnerType.objects.get(code="conseil-departemental")
    world.partner.save(update_fields=["partner_type"])
    validated_convention(world, profiles=("cdap-instructeur-rsa-cpam",))
    role = world.roles["cdap-cd-controle"]
    client.force_login(world.partner_admin)
    page = client.post(reverse("delegation:group-action", args=[world.social.pk, "attribuer-profil"]),
                       {"profil-role": role.pk})
    assert page.status_code == 200
    (entry,) = denials(service="pages")
    shown = entry.data["message"]
    assert "n'est pas accordé par la convention" in shown and shown in page_errors(page)
    # The engine's explanation, in names: the partner's, the profiles'.
    assert "n'est pas dans le périmètre de « CCAS de Vincennes »" in shown
    assert f"« {world.roles['cdap-instructeur-rsa-cpam'].name} »" in shown
    assert_french(shown)
    assert entry.data["code"] == "outside_convention" and entry.data["user"] == world.partner_admin.login

    api = api_post(client, world.partner_admin, f"/api/v1/groupes/{world.social.pk}/profils", {"role": role.code})
    assert api.status_code == 422 and api.json()["errors"][0]["message"] == shown
    assert denials(service="api")[0].data["message"] == shown

    question = ("attribuer-profil", f"{group_name(world.social.pk)}/{role.code}", partner_unit(world.partner.pk))
    assert_same_everywhere(question, ask(world.partner_admin, *question), shown, "outside_perimeter")
    assert not GroupRoleAssignment.objects.current().filter(group=world.social).exists()


def test_the_fund_administrator_and_the_system_are_refused_and_journalled_too(world, client):
    """Whoever acts — the fund's administrator on the directory's group page, the system — the same rule."""
    from django.core.exceptions import ValidationError

    from habpps.directory import services as directory

    client.force_login(world.admin)
    role = world.roles["cdap-ass-cesf"]
    page = client.post(reverse("directory:group-profile-assign", args=[world.social.pk]), {"profil-role": role.pk})
    assert "pas de convention validée" in page_errors(page)
    with pytest.raises(ValidationError):
        directory.assign_group_role(None, world.social, role)
    (by_page,) = denials(service="pages")
    (by_system,) = denials(service="systeme")
    assert by_page.data["message"] == by_system.data["message"]
    assert by_page.data["reason"] == by_system.data["reason"] == "outside_perimeter"
    assert by_system.data["user"] is None and by_page.data["user"] == world.admin.login
    question = ("attribuer-profil", f"{group_name(world.social.pk)}/{role.code}", partner_unit(world.partner.pk))
    assert ask(world.admin, *question)["explanation"]["message"] == by_page.data["message"]


# CNV-2: the convention's user limit ----------------------------------------------------------------------------------


def test_the_user_limit_refused_alike_everywhere(world, client):
    validated_convention(world, max_users=1)
    delegation.assign_profile(world.partner_admin, world.social, world.roles["cdap-ass-cesf"])
    delegation.add_member(world.partner_admin, world.social, world.users[0])
    newcomer = world.users[1]
    client.force_login(world.partner_admin)
    page = client.post(reverse("delegation:group-action", args=[world.social.pk, "ajouter-membre"]),
                       {"membre-account": newcomer.pk})
    assert page.status_code == 200
    (entry,) = denials(service="pages")
    shown = entry.data["message"]
    assert "limite le profil" in shown and "porterait le nombre à 2" in shown and shown in page_errors(page)
    assert "la limite est 1" in shown and "« CCAS de Vincennes »" in shown  # the engine's explanation, in names
    assert_french(shown)

    api = api_post(client, world.partner_admin, f"/api/v1/groupes/{world.social.pk}/membres",
                   {"account": newcomer.login})
    assert api.status_code == 422, api.content
    assert api.json()["errors"][0]["message"] == shown

    question = ("ajouter-membre", f"{group_name(world.social.pk)}/{newcomer.login}", partner_unit(world.partner.pk))
    assert_same_everywhere(question, ask(world.partner_admin, *question), shown, "perimeter_limit")
    assert not GroupMembership.objects.current().filter(group=world.social, account=newcomer).exists()


# ADM-4: a delegate outside his sub-perimeter -------------------------------------------------------------------------


def test_a_delegate_outside_his_sub_perimeter_refused_alike_everywhere(world, client):
    validated_convention(world, max_users=None)
    role = world.roles["cdap-ass-cesf"]
    delegation.delegate_perimeter(world.partner_admin, world.delegate, groups=[world.social], roles=[])
    client.force_login(world.delegate)
    # The directory's group page offers the profile; the delegation refuses it.
    page = client.post(reverse("directory:group-profile-assign", args=[world.social.pk]), {"profil-role": role.pk})
    assert page.status_code == 200
    (entry,) = denials(service="pages")
    shown = entry.data["message"]
    assert "n'est pas dans le périmètre qui vous a été délégué" in shown and shown in page_errors(page)
    assert "« Pauline Admin »" in shown or "délégation de" in shown  # the engine's reason, with names
    assert_french(shown)
    question = ("attribuer-profil", f"{group_name(world.social.pk)}/{role.code}", partner_unit(world.partner.pk))
    answer = ask(world.delegate, *question)
    assert_same_everywhere(question, answer, shown, answer["explanation"]["reason"])
    assert answer["explanation"]["reason"] not in ("outside_perimeter", "perimeter_limit", "not_authorized")


def test_a_delegate_adding_an_account_of_another_group_on_gestion_deleguee(world, client):
    validated_convention(world, max_users=None)
    delegation.add_member(world.partner_admin, world.reception, world.users[1])
    delegation.delegate_perimeter(world.partner_admin, world.delegate, groups=[world.social],
                                  roles=[world.roles["cdap-ass-cesf"]])
    client.force_login(world.delegate)
    page = client.post(reverse("delegation:group-action", args=[world.social.pk, "ajouter-membre"]),
                       {"membre-account": world.users[1].pk})
    assert page.status_code == 200
    (entry,) = denials(service="pages")
    shown = entry.data["message"]
    assert "membre du groupe « Accueil », hors du périmètre qui vous a été délégué" in shown
    assert shown in page_errors(page)
    assert_french(shown)

    api = api_post(client, world.delegate, f"/api/v1/groupes/{world.social.pk}/membres",
                   {"account": world.users[1].login})
    assert api.status_code == 422 and api.json()["errors"][0]["message"] == shown

    question = ("ajouter-membre", f"{group_name(world.social.pk)}/{world.users[1].login}",
                partner_unit(world.partner.pk))
    answer = ask(world.delegate, *question)
    assert_same_everywhere(question, answer, shown, entry.data["reason"])


def test_a_granted_administrative_question_is_granted(world):
    validated_convention(world, max_users=None)
    delegation.delegate_perimeter(world.partner_admin, world.delegate, groups=[world.social],
                                  roles=[world.roles["cdap-ass-cesf"]])
    obj = f"{group_name(world.social.pk)}/cdap-ass-cesf"
    assert ask(world.delegate, "attribuer-profil", obj, partner_unit(world.partner.pk))["granted"] is True
    assert ask(world.delegate, "attribuer-profil", "group:999999/x", partner_unit(world.partner.pk))[
        "explanation"]["reason"] == "unknown_object"
    assert not denials(service="pages")


# CNV-3: the four-eyes rule -------------------------------------------------------------------------------------------


def submitted_by(world, author):
    convention = conventions.create_convention(
        author, world.partner, reference="CAF751-2025-044", service_contract="CS-44"
    )
    version = convention.versions.get()
    conventions.set_bulletin(author, version, world.cdap, {world.roles["cdap-ass-cesf"]: 2})
    conventions.submit(author, version)
    return convention


def test_the_four_eyes_rule_refused_alike_everywhere(world, client):
    convention = submitted_by(world, world.admin_verifier)
    client.force_login(world.admin_verifier)
    page = client.post(reverse("conventions:version-action", args=[convention.pk, "validate"]))
    (entry,) = denials(service="pages")
    shown = entry.data["message"]
    assert shown.startswith("Règle des quatre yeux : vous avez saisi la version 1") and shown in page_errors(page)
    assert "règle des quatre yeux des conventions" in shown and "« Denis Double »" in shown
    assert_french(shown)
    assert entry.data["code"] == "four_eyes_author"

    api = api_post(client, world.admin_verifier, f"/api/v1/conventions/{convention.pk}/transitions",
                   {"action": "validate"})
    assert api.status_code == 422 and api.json()["detail"] == shown

    question = ("valider-version", f"convention:{convention.pk}", fund_unit(world.fund.pk))
    assert_same_everywhere(question, ask(world.admin_verifier, *question), shown, "condition_failed")
    # Another verifier of the fund may: the same question granted.
    assert ask(world.verifier, *question)["granted"] is True


def test_the_four_eyes_rule_is_the_engine_permission_with_the_versions_history(world):
    """Asked as the plain permission it is, with the version's history in the context: the same exclusion."""
    convention = submitted_by(world, world.admin_verifier)
    history = [{"user": world.admin_verifier.login, "operation": "saisir"},
               {"user": world.admin_verifier.login, "operation": "modifier"}]
    answer = ask(world.admin_verifier, "valider", "versions-convention", fund_unit(world.fund.pk),
                 context={"history": history})
    assert answer["granted"] is False and answer["explanation"]["reason"] == "condition_failed"
    assert answer["explanation"]["failed_constraints"][0]["exclusion"] == FOUR_EYES_RULE
    assert convention.open_version() is not None


# ADM-4: what only the partner administrator does — create a group, give an administrative role, delegate ----------


def delegate_of_social_workers(world):
    validated_convention(world, max_users=None)
    delegation.delegate_perimeter(world.partner_admin, world.delegate, groups=[world.social],
                                  roles=[world.roles["cdap-ass-cesf"]])


def test_a_delegate_creating_a_group_is_refused_by_the_engine_alike_everywhere(world, client):
    """The engine's can_create_group: a delegate's authority lists its groups, a new group is outside the list."""
    delegate_of_social_workers(world)
    client.force_login(world.delegate)
    home = client.get(reverse("delegation:home"))
    assert "Seul l'administrateur partenaire crée des groupes." in page_errors(home)  # told why, no form
    assert 'action="/annuaire/delegation/groupes/nouveau/"' not in home.content.decode()
    page = client.post(reverse("delegation:group-create"), {"groupe-name": "Les miens"})
    assert page.status_code == 200
    (entry,) = denials(service="pages")
    shown = entry.data["message"]
    assert shown.startswith("Seul l'administrateur partenaire crée des groupes. (Refusé : ")
    assert "délégation de « Pauline Admin » est limitée à des groupes désignés" in shown, shown
    assert shown in page_errors(page)
    assert_french(shown)
    assert entry.data["code"] == "cannot_create_group" and entry.data["reason"] == "groups_limited"

    api = api_post(client, world.delegate, f"/api/v1/partenaires/{world.partner.pk}/groupes", {"name": "Les miens"})
    assert api.status_code == 422, api.content
    assert shown in str(api.json())

    unit = partner_unit(world.partner.pk)
    question = ("creer-groupe", unit, unit)
    assert_same_everywhere(question, ask(world.delegate, *question), shown, "groups_limited")
    assert ask(world.partner_admin, *question)["granted"] is True
    assert not world.partner.groups.filter(name="Les miens").exists()


def test_a_delegate_giving_an_administrative_role_is_refused_by_the_engine_alike_everywhere(world, client):
    """The engine's can_assign_admin: giving authority is delegating it, and a delegate holds no delegate ability."""
    from habpps.directory.models import ServiceRole

    delegate_of_social_workers(world)
    delegation.add_member(world.partner_admin, world.social, world.users[0])
    admin_role = ServiceRole.objects.get(code="PartnerAdmin")
    client.force_login(world.delegate)
    page = client.post(reverse("directory:account-role-grant", args=[world.users[0].pk]), {"role-role": admin_role.pk})
    assert page.status_code == 200
    (entry,) = denials(service="pages")
    shown = entry.data["message"]
    assert shown.startswith("Seul l'administrateur partenaire attribue les rôles d'administration. (Refusé : ")
    assert "ne permet pas de déléguer" in shown and "« Pauline Admin »" in shown, shown
    assert shown in page_errors(page)
    assert_french(shown)
    assert entry.data["code"] == "cannot_grant_role" and entry.data["reason"] == "missing_ability"

    api = api_post(client, world.delegate, f"/api/v1/comptes/{world.users[0].pk}/roles", {"role": admin_role.code})
    assert api.status_code == 422, api.content
    assert shown in str(api.json())

    question = ("attribuer-role", f"{world.users[0].login}/PartnerAdmin", partner_unit(world.partner.pk))
    assert_same_everywhere(question, ask(world.delegate, *question), shown, "missing_ability")
    assert ask(world.partner_admin, *question)["granted"] is True
    # Creating an account holding the role: the same engine decision, the same sentence.
    unit = partner_unit(world.partner.pk)
    created = ask(world.delegate, "creer-compte", f"{unit}/PartnerAdmin", unit)
    assert created["explanation"]["message"] == shown
    assert ask(world.delegate, "creer-compte", unit, unit)["granted"] is True


def test_a_delegate_delegating_is_refused_by_the_engine_alike_everywhere(world, client):
    """The engine's can_delegate: the delegate's delegation carries no delegate ability."""
    from django.core.exceptions import ValidationError

    delegate_of_social_workers(world)
    with pytest.raises(ValidationError) as refused:
        delegation.delegate_perimeter(world.delegate, world.users[0], groups=[world.social], roles=[])
    (entry,) = denials(service="systeme")
    shown = entry.data["message"]
    assert shown in refused.value.messages
    assert shown.startswith("Seul l'administrateur partenaire délègue un périmètre. (Refusé : ")
    assert "ne peut pas déléguer" in shown and "« Pauline Admin »" in shown, shown
    assert_french(shown)
    assert entry.data["code"] == "cannot_delegate" and entry.data["reason"] == "missing_ability"
    question = ("deleguer-perimetre", world.users[0].login, partner_unit(world.partner.pk))
    answer = ask(world.delegate, *question)
    assert answer["explanation"]["message"] == shown and answer["explanation"]["reason"] == "missing_ability"
    assert ask(world.partner_admin, *question)["granted"] is True


def test_an_account_of_another_partner_put_in_a_group_is_journalled_and_answered_alike(world):
    """A plain fact, not a rule — refused before any perimeter, but journalled as every refusal is, and the decision
    API answers the same sentence. (The pages and the administration API look the account up among the partner's own:
    the directory's service, as the command line and imports call it, is where it is met.)"""
    from django.core.exceptions import ValidationError

    from habpps.directory import services as directory

    validated_convention(world, max_users=None)
    stranger = directory.create_account(None, world.net.partner_a, first_name="Ernest", last_name="Étranger",
                                        email="e@exemple.fr", password="Motdepasse#2025")
    with pytest.raises(ValidationError) as refused:
        directory.add_group_member(world.admin, world.social, stranger)
    shown = "Ce compte n'appartient pas à l'organisme du groupe."
    assert refused.value.message_dict == {"account": [shown]}
    (entry,) = denials(service="systeme")
    assert entry.data["message"] == shown and entry.data["reason"] == "membership_partner"
    assert entry.data["user"] == world.admin.login
    question = ("ajouter-membre", f"{group_name(world.social.pk)}/{stranger.login}", partner_unit(world.partner.pk))
    assert (entry.data["operation"], entry.data["object"], entry.data["org"]) == question
    answer = ask(world.admin, *question)
    assert answer["granted"] is False
    assert answer["explanation"] == {**answer["explanation"], "reason": "membership_partner", "message": shown}
    assert len(denials(operation="ajouter-membre")) == 2  # the service's, then the decision API's: once each


# CNV-4: only the author gives an amendment up or takes it back — the engine's author rule ---------------------------


def test_the_author_rule_refused_alike_everywhere(world, client):
    """A colleague of the fund giving up the administrator's amendment: refused by the engine's history rule
    (``required``), in names, the same on the page, the API and the decision API, journalled once per attempt."""
    convention = validated_convention(world)
    amendment = conventions.amend(world.admin, convention)
    colleague, author = world.admin_verifier, world.admin.full_name
    client.force_login(colleague)
    detail = client.get(reverse("conventions:detail", args=[convention.pk]))
    assert "Confirmer l'abandon" not in detail.content.decode()
    page = client.post(reverse("conventions:version-action", args=[convention.pk, "cancel"]))
    (entry,) = denials(service="pages")
    shown = entry.data["message"]
    assert shown.startswith(f"Seul l'auteur de la version, {author}, peut « abandonner l'avenant ». (")
    assert "« règle de l'auteur des versions de convention »" in shown and f"(« {author} ») ;" in shown
    assert "« Denis Double » ne l'a pas fait" in shown and shown in page_errors(page)
    assert shown in page_errors(detail)  # the page says why before anyone tries
    assert_french(shown)
    assert colleague.login not in shown and world.admin.login not in shown
    assert entry.data["code"] == "not_author" and entry.data["operation"] == "abandonner-version"

    api = api_post(client, colleague, f"/api/v1/conventions/{convention.pk}/transitions", {"action": "cancel"})
    assert api.status_code == 422 and api.json()["detail"] == shown
    assert len(denials(service="api")) == 1

    question = ("abandonner-version", f"convention:{convention.pk}", fund_unit(world.fund.pk))
    assert_same_everywhere(question, ask(colleague, *question), shown, "condition_failed")
    assert ask(world.admin, *question)["granted"] is True
    amendment.refresh_from_db()
    assert amendment.state == "draft"

    # Submitted, the same rule keeps it with its author: « retirer-version ».
    conventions.set_bulletin(world.admin, amendment, world.cdap, {world.roles["cdap-ass-cesf"]: 3})
    conventions.submit(world.admin, amendment)
    page = client.post(reverse("conventions:version-action", args=[convention.pk, "withdraw"]))
    (entry,) = denials(service="pages", operation="retirer-version")
    shown = entry.data["message"]
    assert shown.startswith(f"Seul l'auteur de la version, {author}, peut « retirer de la vérification ».")
    assert shown in page_errors(page)
    question = ("retirer-version", f"convention:{convention.pk}", fund_unit(world.fund.pk))
    assert_same_everywhere(question, ask(colleague, *question), shown, "condition_failed")
    assert ask(world.admin, *question)["granted"] is True
    # Nothing submitted to give up: a plain fact, not a refusal of the engine.
    nothing = ask(world.admin, "abandonner-version", f"convention:{convention.pk}", fund_unit(world.fund.pk))
    assert nothing["granted"] is False and nothing["explanation"]["reason"] == "nothing_to_take_back"


def test_the_author_rule_is_the_engine_permission_with_the_versions_history(world):
    """Asked as the plain permission, with the version's history: the engine's ``required`` history rule; a first
    version is not given up, whoever asks (the workflow's fact, not a refusal of the engine: the service journals nothing)."""
    from habpps.conventions.policy_rules import AUTHOR_RULE

    convention = conventions.create_convention(
        world.admin, world.partner, reference="CAF751-2025-045", service_contract="CS-45"
    )
    history = [{"user": world.admin.login, "operation": "saisir"}]
    unit = fund_unit(world.fund.pk)
    answer = ask(world.admin_verifier, "reprendre", "versions-convention", unit, context={"history": history})
    assert answer["granted"] is False and answer["explanation"]["reason"] == "condition_failed"
    assert answer["explanation"]["failed_constraints"][0]["exclusion"] == AUTHOR_RULE
    assert ask(world.admin, "reprendre", "versions-convention", unit, context={"history": history})["granted"]
    first = ask(world.admin, "abandonner-version", f"convention:{convention.pk}", unit)
    assert first["granted"] is False and first["explanation"]["message"].startswith(
        "La première version d'une convention ne s'abandonne pas")
    with pytest.raises(ValidationError) as refused:
        conventions.cancel(world.admin, convention.versions.get())
    assert refused.value.code == "first_version"
    assert not denials(operation="abandonner-version", service="systeme")
