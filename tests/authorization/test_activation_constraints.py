"""Conditions of a profile's activation (ENG-5, thesis 4.5.9; policy section ``activation_constraints``): stored
by the profile's page, the API and ``habpps policy import``, journalled, replayed into the engine (the change
log's engine is the full build's), exported back identical — and enforced when a web login opens the engine
session, when the role switcher activates a role and for a decision's ``active_roles``, in the request's context,
with the engine's explanation in French."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from conventions.conftest import make_convention_world
from habpps.authorization import clock, scope_services, sessions
from habpps.authorization.decisions import AccessRefused, is_allowed
from habpps.authorization.models import ActivationConstraint, ContextConstraint
from habpps.authorization.policy_build import build_rbac
from habpps.authorization.policy_cache import current_policy
from habpps.authorization.policy_sections import export_document, import_document
from habpps.authorization.sessions import ACTIVE_ROLES_KEY
from habpps.authorization.stored import ServiceRole
from habpps.journal.models import JournalEntry

SOCIAL = "cdap-ass-cesf"
DAY = "en journée"


def day_rule(actor=None) -> ContextConstraint:
    """« heure » (the time of the request) between 07:00 and 20:00."""
    scope_services.save_attribute(actor, None, name="heure", function="current_time")
    return scope_services.save_constraint(actor, None, name=DAY, conditions=[
        {"operator": "between", "operands": [{"attribute": "heure"}, "07:00", "20:00"]}])


def at(monkeypatch, hour: int) -> None:
    moment = timezone.make_aware(datetime.combine(date(2030, 3, 4), time(hour)))
    monkeypatch.setattr(clock, "now", lambda: moment)


def cdap_permission(network) -> tuple[str, str]:
    first = network.roles[SOCIAL].permissions.order_by("obj", "operation").first()
    return first.operation, first.obj


def test_the_service_stores_journals_and_replays_them_nationally(network):
    rule = day_rule(network.national_admin)
    profile = network.roles[SOCIAL]
    with pytest.raises(AccessRefused):
        scope_services.add_activation_constraint(network.fund_admin_a, profile, rule)
    scope_services.add_activation_constraint(network.national_admin, profile, rule)
    assert ActivationConstraint.objects.get().constraint == rule
    rbac = current_policy().rbac
    assert rbac.activation_constraints(SOCIAL) == {DAY}
    assert rbac.export() == build_rbac().export()  # the change log's engine is the full build's
    entry = JournalEntry.objects.filter(kind="admin.context.activation.set").latest("sequence")
    assert entry.before == {"profile": SOCIAL, "constraints": []}
    assert entry.after == {"profile": SOCIAL, "constraints": [DAY]}
    assert {"role": SOCIAL, "constraint": DAY} in export_document()["activation_constraints"]
    with pytest.raises(ValidationError, match="dépend déjà"):
        scope_services.add_activation_constraint(network.national_admin, profile, rule)

    # The constraint's conditions replaced: the link stays, in the engine too.
    scope_services.save_constraint(network.national_admin, rule, name=DAY, conditions=[
        {"operator": "between", "operands": [{"attribute": "heure"}, "08:00", "18:00"]}])
    assert current_policy().rbac.activation_constraints(SOCIAL) == {DAY}
    assert current_policy().rbac.export() == build_rbac().export()

    scope_services.remove_activation_constraint(network.national_admin, ActivationConstraint.objects.get())
    assert not ActivationConstraint.objects.exists()
    assert current_policy().rbac.activation_constraints(SOCIAL) == set()
    assert current_policy().rbac.export() == build_rbac().export()


def test_the_section_round_trips_and_an_import_without_it_removes_it(network):
    day_rule(network.national_admin)
    before = export_document()
    document = {**before, "activation_constraints": [{"role": "Verifier", "constraint": DAY},
                                                     {"role": SOCIAL, "constraint": DAY}]}
    import_document(document, actor=network.national_admin)
    assert sorted(ActivationConstraint.objects.values_list("role__code", flat=True)) == ["Verifier", SOCIAL]
    assert current_policy().rbac.activation_constraints("Verifier") == {DAY}
    assert current_policy().rbac.export() == build_rbac().export()
    exported = export_document()
    assert exported["activation_constraints"] == document["activation_constraints"]
    import_document(exported, actor=network.national_admin)
    assert export_document() == exported
    assert JournalEntry.objects.filter(kind="admin.context.activation.import").count() == 2

    del exported["activation_constraints"]
    import_document(exported, actor=network.national_admin)
    assert not ActivationConstraint.objects.exists()
    assert current_policy().rbac.activation_constraints(SOCIAL) == set()
    assert export_document() == before

    # Deleting the constraint removes what refers to it (rows and engine alike).
    import_document(document, actor=network.national_admin)
    scope_services.delete_constraint(network.national_admin, ContextConstraint.objects.get(name=DAY))
    assert not ActivationConstraint.objects.exists()
    assert current_policy().rbac.export() == build_rbac().export()


def test_an_unknown_profile_is_refused_in_french(network):
    from habpps.authorization.policy_sections import PolicyImportError

    day_rule(network.national_admin)
    document = export_document()
    document["roles"] = [*document["roles"], {"id": "inconnu"}]
    document["activation_constraints"] = [{"role": "inconnu", "constraint": DAY}]
    with pytest.raises(PolicyImportError) as refused:
        import_document(document)
    assert any("profil inconnu de l'annuaire : « inconnu »" in e for e in refused.value.errors)
    assert not ActivationConstraint.objects.exists()


def test_a_login_outside_the_conditions_leaves_the_profile_inactive_and_says_why(network, client, monkeypatch):
    rule = day_rule(network.national_admin)
    profile = network.roles[SOCIAL]
    scope_services.add_activation_constraint(network.national_admin, profile, rule)
    account = network.user_a

    at(monkeypatch, 22)
    request = RequestFactory().get("/")
    request.session = {}
    refusals = sessions.open_session(request, account)
    assert refusals == [f"le profil « {profile.name} » ne peut pas être activé : contrainte contextuelle "
                        f"« {DAY} » : « heure » entre 07:00 et 20:00 (valeur : 22:00)"]
    assert SOCIAL not in request.session[ACTIVE_ROLES_KEY]

    client.force_login(account)
    active = client.session[ACTIVE_ROLES_KEY]
    assert SOCIAL not in active
    account.active_roles = frozenset(active)
    assert not is_allowed(account, *cdap_permission(network))  # the session lacks the profile all night

    # By day every condition holds: the fast path, no restriction stored, every authorised role decides.
    at(monkeypatch, 10)
    client.force_login(account)
    assert ACTIVE_ROLES_KEY not in client.session
    del account.active_roles
    assert is_allowed(account, *cdap_permission(network))


def test_the_role_switcher_refuses_a_profile_outside_its_conditions(db, client, monkeypatch):
    world = make_convention_world()
    rule = day_rule()
    verifier = ServiceRole.objects.get(code="Verifier")
    scope_services.add_activation_constraint(None, verifier, rule)
    dsd = "caf-administration-verification"
    current_policy().rbac.create_dsd_set(dsd, ["FundAdmin", "Verifier"], 2)

    at(monkeypatch, 22)
    client.force_login(world.admin_verifier)
    assert client.session[ACTIVE_ROLES_KEY] == ["FundAdmin"]
    response = client.post(reverse("accounts:active-roles"), {f"ensemble:{dsd}": "Verifier", "next": "/"},
                           follow=True)
    assert client.session[ACTIVE_ROLES_KEY] == ["FundAdmin"]
    said = [str(m) for m in response.context["messages"]]
    assert (f"Ce changement de rôle est refusé : le profil « {verifier.name} » ne peut pas être activé : "
            f"contrainte contextuelle « {DAY} » : « heure » entre 07:00 et 20:00 (valeur : 22:00)") in said

    at(monkeypatch, 10)
    client.post(reverse("accounts:active-roles"), {f"ensemble:{dsd}": "Verifier", "next": "/"})
    assert client.session[ACTIVE_ROLES_KEY] == ["Verifier"]


def test_the_profile_page_adds_and_removes_them(network, client):
    """The block « Conditions d'activation » of the profile's « Conditions » page, without JavaScript; bad input
    is said in French or ignored, never a 500; other administrators get a 404."""
    rule = day_rule(network.national_admin)
    profile = network.roles[SOCIAL]
    url = f"/annuaire/profils/{profile.pk}/conditions/"
    client.force_login(network.national_admin)
    page = client.get(url).content.decode()
    assert "Conditions d'activation</h2>" in page and "Aucune : le profil est activé sans condition." in page
    wrong = client.post(url, {"activation-constraint": "999999"})
    assert wrong.status_code == 200 and "Sélectionnez un choix valide" in wrong.content.decode()
    assert client.post(url, {"activation-constraint": rule.pk}).status_code == 302
    page = client.get(url).content.decode()
    assert f"« {DAY} »" in page and "« heure » entre 07:00 et 20:00" in page
    assert "Condition d&#x27;activation enregistrée." in page
    assert current_policy().rbac.activation_constraints(SOCIAL) == {DAY}
    client.force_login(network.partner_admin_a)  # the member's account page says it to its administrators
    account_page = client.get(f"/annuaire/comptes/{network.user_a.pk}/").content.decode()
    assert (f"{profile.name} : actif dans une session seulement si « {DAY} » (« heure » entre 07:00 et 20:00)"
            in account_page)
    who_holds_what = client.get("/annuaire/delegation/").content.decode()
    assert f"Activation sous condition — {profile.name} : actif dans une session seulement si « {DAY} »" in who_holds_what
    client.force_login(network.national_admin)
    assert client.post(url, {"activation-constraint": rule.pk}).status_code == 200  # already: said, not a 500
    assert client.post(url, {"retirer-activation": "abc"}).status_code == 302
    assert client.post(url, {"retirer-activation": "999999"}).status_code == 404
    link = ActivationConstraint.objects.get()
    client.force_login(network.fund_admin_a)
    assert client.get(url).status_code == 404
    assert client.post(url, {"retirer-activation": link.pk}).status_code == 404
    client.force_login(network.national_admin)
    assert client.post(url, {"retirer-activation": link.pk}).status_code == 302
    assert not ActivationConstraint.objects.exists()
    assert current_policy().rbac.activation_constraints(SOCIAL) == set()


def test_a_juniors_condition_keeps_its_senior_inactive_and_says_why(network, monkeypatch):
    """ENG-5 with ENG-2: the senior brings the junior's permissions, so outside the junior's activation
    conditions the senior is not activated either — at login, and for the decision API's ``active_roles``."""
    from habpps.authorization import model_services

    senior, junior = network.roles["PartnerAdmin"], network.roles["PartnerDelegate"]
    model_services.add_inheritance(network.national_admin, senior, junior)
    scope_services.add_activation_constraint(network.national_admin, junior, day_rule(network.national_admin))
    account = network.partner_admin_a

    at(monkeypatch, 22)
    request = RequestFactory().get("/")
    request.session = {}
    refusals = sessions.open_session(request, account)
    assert (f"le profil « {senior.name} » ne peut pas être activé : il comprend le profil « {junior.name} », "
            f"dont la condition d'activation n'est pas remplie (contrainte contextuelle « {DAY} » : « heure » "
            f"entre 07:00 et 20:00 (valeur : 22:00))") in refusals
    assert not {"PartnerAdmin", "PartnerDelegate"} & set(request.session[ACTIVE_ROLES_KEY])
    context = {"now": timezone.make_aware(datetime(2030, 3, 4, 22))}
    with pytest.raises(Exception, match="hérite du rôle « PartnerDelegate »"):
        sessions.validate_activation(account.login, ["PartnerAdmin"], context)

    # The account page says the senior depends on its inherited profile's condition.
    client = Client()
    client.force_login(network.national_admin)
    page = client.get(reverse("directory:account-detail", args=[account.pk])).content.decode()
    assert f"condition de son profil hérité « {junior.name} »" in page

    at(monkeypatch, 10)
    request.session = {}
    assert sessions.open_session(request, account) == []
    sessions.validate_activation(account.login, ["PartnerAdmin"], {"now": timezone.make_aware(datetime(2030, 3, 4, 10))})


def test_the_role_switcher_refuses_a_senior_outside_its_juniors_conditions(db, client, monkeypatch):
    world = make_convention_world()
    rule = day_rule()
    verifier = ServiceRole.objects.get(code="Verifier")
    rbac = current_policy().rbac
    dsd = "caf-administration-verification"
    rbac.create_dsd_set(dsd, ["FundAdmin", "Verifier"], 2)
    rbac.add_role("relecture")
    rbac.add_inheritance("Verifier", "relecture")
    rbac.link_activation_constraint("relecture", rule.name)

    at(monkeypatch, 22)
    client.force_login(world.admin_verifier)
    response = client.post(reverse("accounts:active-roles"), {f"ensemble:{dsd}": "Verifier", "next": "/"},
                           follow=True)
    assert "Verifier" not in client.session[ACTIVE_ROLES_KEY]
    said = [str(m) for m in response.context["messages"]]
    assert (f"Ce changement de rôle est refusé : le profil « {verifier.name} » ne peut pas être activé : il "
            f"comprend le profil « relecture », dont la condition d'activation n'est pas remplie (contrainte "
            f"contextuelle « {DAY} » : « heure » entre 07:00 et 20:00 (valeur : 22:00))") in said
    at(monkeypatch, 10)
    client.post(reverse("accounts:active-roles"), {f"ensemble:{dsd}": "Verifier", "next": "/"})
    assert client.session[ACTIVE_ROLES_KEY] == ["Verifier"]
