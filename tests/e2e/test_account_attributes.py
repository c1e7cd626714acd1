"""An account attribute and a condition on a profile's permission (ENG-5), in the browser: the national
administrator makes « Accéder au service CDAP » of the social workers' profile hold only from the member's declared
network; the member is refused; the partner administrator, from « Qui détient quoi », gives the member a declared
network (a wrong value first: a French error) and the member is let in. Pages audited, photographed at three
widths."""

from __future__ import annotations

import pytest

from e2e.browser import audit, log_in, new_page, visit
from e2e.test_approvals import shoot

pytestmark = pytest.mark.e2e

RULE = "depuis le réseau déclaré"


def test_an_administrator_sets_a_condition_and_an_attribute_and_sees_the_effect(browser, site):
    from habpps.authorization import scope_services
    from habpps.authorization.models import AccountAttributes, GrantConstraint

    base, net = site
    national = net.national_admin
    # The national administrator's definitions of the contextual constraints page (tested on their own).
    scope_services.save_attribute(national, None, name="poste", function="client_ip")
    scope_services.save_attribute(national, None, name="réseau déclaré", function="subject_attribute",
                                  domain="ip_network", parameter="reseau")
    scope_services.save_constraint(national, None, name=RULE, conditions=[
        {"operator": "within-network", "operands": [{"attribute": "poste"}, {"attribute": "réseau déclaré"}]}])
    role = net.roles["cdap-ass-cesf"]

    member = new_page(browser)
    member.set_default_timeout(60_000)
    log_in(member, base, net.user_a.login)
    assert member.goto(f"{base}/cdap/").status == 200

    admin = new_page(browser)
    admin.set_default_timeout(60_000)
    log_in(admin, base, national.login)
    visit(admin, f"{base}/annuaire/services/")
    admin.click(f"a[href='/annuaire/profils/{role.pk}/conditions/']")
    admin.wait_for_selector("h1:has-text('Conditions du profil')")
    audit(admin)
    admin.select_option("#id_condition-permission", "acceder cdap")
    admin.select_option("#id_condition-constraint", label=RULE)
    admin.click("button:has-text('Ajouter la condition')")
    admin.wait_for_selector("text=Condition enregistrée.")
    audit(admin)
    assert "Accéder au service CDAP" in admin.inner_text("main") and f"« {RULE} »" in admin.inner_text("main")
    shoot(admin, "profil-conditions")
    assert GrantConstraint.objects.get().role == role

    # The member has no declared network yet: the condition fails, the access is refused, with the reason.
    assert member.goto(f"{base}/cdap/").status == 403
    audit(member)
    assert RULE in member.inner_text("main")
    shoot(member, "acces-refuse-condition")

    partner_admin = new_page(browser)
    partner_admin.set_default_timeout(60_000)
    log_in(partner_admin, base, net.partner_admin_a.login)
    visit(partner_admin, f"{base}/annuaire/delegation/")
    assert f"Accéder au service CDAP : seulement si « {RULE} »" in partner_admin.inner_text("main")
    partner_admin.click(f"a[href='/annuaire/comptes/{net.user_a.pk}/attributs/']")
    partner_admin.wait_for_selector("h1:has-text('Attributs du compte')")
    audit(partner_admin)
    partner_admin.select_option("#id_attribut-name", "reseau")
    partner_admin.fill("#id_attribut-value", "le bureau du premier")
    partner_admin.click("button:has-text(\"Enregistrer l'attribut\")")
    partner_admin.wait_for_selector("text=n'est pas un(e) réseau IP")
    audit(partner_admin)
    shoot(partner_admin, "compte-attributs-erreur")
    assert not AccountAttributes.objects.exists()
    partner_admin.fill("#id_attribut-value", "127.0.0.0/8")  # the live server's clients come from 127.0.0.1
    partner_admin.click("button:has-text(\"Enregistrer l'attribut\")")
    partner_admin.wait_for_selector("text=Attribut enregistré.")
    assert "127.0.0.0/8" in partner_admin.inner_text("main")
    shoot(partner_admin, "compte-attributs")

    # The member is let in from the declared network.
    assert member.goto(f"{base}/cdap/").status == 200

    # Where an administrator looks: the account page and « Qui détient quoi ».
    visit(partner_admin, f"{base}/annuaire/comptes/{net.user_a.pk}/")
    text = partner_admin.inner_text("main")
    assert "réseau déclaré : 127.0.0.0/8" in text
    assert f"Accéder au service CDAP : seulement si « {RULE} »" in text
    shoot(partner_admin, "compte-attributs-et-conditions")
    visit(partner_admin, f"{base}/annuaire/delegation/")
    assert "Attributs : réseau déclaré = 127.0.0.0/8" in partner_admin.inner_text("main")
    shoot(partner_admin, "qui-detient-quoi-attributs-conditions")

    # Removed: refused again.
    visit(partner_admin, f"{base}/annuaire/comptes/{net.user_a.pk}/attributs/")
    partner_admin.click("button:has-text('Retirer')")
    partner_admin.wait_for_selector("text=Attribut retiré.")
    assert member.goto(f"{base}/cdap/").status == 403
