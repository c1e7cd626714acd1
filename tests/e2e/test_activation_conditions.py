"""A condition of a profile's activation (ENG-5, thesis 4.5.9), in the browser: the national administrator makes
the social workers' CDAP profile activable only from the fund's network (10.0.0.0/8); the member, logging in from
elsewhere (the live server's clients come from 127.0.0.1), is connected without the profile, told which condition
failed, and refused CDAP; once the condition says 127.0.0.0/8, a new login activates it. Pages audited,
photographed at three widths."""

from __future__ import annotations

import pytest

from e2e.browser import audit, log_in, new_page, visit
from e2e.test_approvals import shoot

pytestmark = pytest.mark.e2e

RULE = "depuis le réseau de la caisse"


def test_a_login_outside_the_activation_condition_leaves_the_profile_inactive(browser, site):
    from habpps.authorization import scope_services
    from habpps.authorization.models import ActivationConstraint, ContextConstraint

    base, net = site
    national = net.national_admin
    scope_services.save_attribute(national, None, name="poste", function="client_ip")
    scope_services.save_constraint(national, None, name=RULE, conditions=[
        {"operator": "within-network", "operands": [{"attribute": "poste"}, "10.0.0.0/8"]}])
    role = net.roles["cdap-ass-cesf"]

    admin = new_page(browser)
    admin.set_default_timeout(60_000)
    log_in(admin, base, national.login)
    visit(admin, f"{base}/annuaire/profils/{role.pk}/conditions/")
    admin.wait_for_selector("h2:has-text(\"Conditions d'activation\")")
    admin.select_option("#id_activation-constraint", label=RULE)
    admin.click("button:has-text(\"Ajouter la condition d'activation\")")
    admin.wait_for_selector("text=Condition d'activation enregistrée.")
    audit(admin)
    assert "« poste » dans le réseau 10.0.0.0/8" in admin.inner_text("main")
    shoot(admin, "profil-conditions-activation")
    assert ActivationConstraint.objects.get().role == role

    member = new_page(browser)
    member.set_default_timeout(60_000)
    log_in(member, base, net.user_a.login)
    text = member.inner_text("body")
    assert f"Session ouverte sans un de vos profils : le profil « {role.name} » ne peut pas être activé" in text
    assert "(valeur : 127.0.0.1)" in text
    audit(member)
    shoot(member, "connexion-profil-non-active")
    assert member.goto(f"{base}/cdap/").status in (403, 404)

    # The condition now names the network the member is on: a new login activates the profile.
    scope_services.save_constraint(national, ContextConstraint.objects.get(name=RULE), name=RULE, conditions=[
        {"operator": "within-network", "operands": [{"attribute": "poste"}, "127.0.0.0/8"]}])
    visit(member, f"{base}/")
    member.click("button:has-text('Se déconnecter')")
    member.wait_for_selector("#id_username")
    log_in(member, base, net.user_a.login)
    assert "Session ouverte sans un de vos profils" not in member.inner_text("body")
    assert member.goto(f"{base}/cdap/").status == 200


def test_a_juniors_activation_condition_keeps_its_senior_inactive(browser, site):
    """A senior brings its inherited profile's permissions: outside the inherited profile's condition the senior
    is not activated either, and the person is told which profile's condition failed (ENG-5 with ENG-2)."""
    from habpps.authorization import model_services, scope_services

    base, net = site
    national = net.national_admin
    senior, junior = net.roles["PartnerAdmin"], net.roles["PartnerDelegate"]
    model_services.add_inheritance(national, senior, junior)
    scope_services.save_attribute(national, None, name="poste", function="client_ip")
    scope_services.save_constraint(national, None, name=RULE, conditions=[
        {"operator": "within-network", "operands": [{"attribute": "poste"}, "10.0.0.0/8"]}])

    admin = new_page(browser)
    admin.set_default_timeout(60_000)
    log_in(admin, base, national.login)
    visit(admin, f"{base}/annuaire/profils/{junior.pk}/conditions/")
    admin.select_option("#id_activation-constraint", label=RULE)
    admin.click("button:has-text(\"Ajouter la condition d'activation\")")
    admin.wait_for_selector("text=Condition d'activation enregistrée.")

    person = new_page(browser)
    person.set_default_timeout(60_000)
    log_in(person, base, net.partner_admin_a.login)
    text = person.inner_text("body")
    assert (f"le profil « {senior.name} » ne peut pas être activé : il comprend le profil « {junior.name} », "
            "dont la condition d'activation n'est pas remplie") in text
    assert "(valeur : 127.0.0.1)" in text
    audit(person)
    shoot(person, "connexion-profil-herite-non-active")

    visit(admin, f"{base}/annuaire/comptes/{net.partner_admin_a.pk}/")
    assert f"condition de son profil hérité « {junior.name} »" in admin.inner_text("main")
