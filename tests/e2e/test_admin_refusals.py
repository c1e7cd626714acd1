"""A delegate outside his sub-perimeter, in the browser (ADM-4, issue 16 §2): on the directory's group page and on
« Gestion déléguée » the engine refuses, and the page says why in names — the group's, the profile's, the partner
administrator's — never the engine's identifiers; the fund's administrator then finds both refusals in the journal,
labelled as refusals of the engine. Creating a group and giving an administrative role are the engine's refusals
too (issue 16 §1): « Gestion déléguée » and the account page say why instead of offering them. Pages audited with
axe-core and photographed at three widths."""

from __future__ import annotations

import re

import pytest

from e2e.browser import audit, log_in, new_page, visit
from e2e.test_approvals import shoot

pytestmark = pytest.mark.e2e

ENGINE_CODES = re.compile(r"partner:\d|group:\d|delegation:\d|administration:|cdap-ass|_scope|out_of")


def test_a_delegate_is_refused_outside_his_perimeter_with_the_engines_reasons(browser, site):
    from habpps.conventions.delegation import services as delegation
    from habpps.directory import services
    from habpps.directory.models import GroupMembership, GroupRoleAssignment

    base, net = site
    partner = net.partner_a
    delegate = services.create_account(None, partner, first_name="Damien", last_name="Délégué",
                                       email="damien.delegue@exemple.fr", roles=[net.roles["PartnerDelegate"]],
                                       password="Motdepasse#2025")
    reception = services.create_group(None, partner, name="Accueil")
    delegation.delegate_perimeter(net.partner_admin_a, delegate, groups=[reception], roles=[])

    page = new_page(browser)
    page.set_default_timeout(60_000)
    log_in(page, base, delegate.login)

    # The directory's group page offers the social workers' profile; the delegation does not cover it.
    visit(page, f"{base}/annuaire/groupes/{reception.pk}/")
    page.select_option("#id_profil-role", str(net.roles["cdap-ass-cesf"].pk))
    page.click("button:has-text('Attribuer le profil')")
    page.wait_for_selector("text=n'est pas dans le périmètre qui vous a été délégué")
    audit(page)
    text = page.inner_text("main")
    assert "« Assistant de service social – CESF »" in text and not ENGINE_CODES.search(text), text
    shoot(page, "delegation-refus-profil")
    assert not GroupRoleAssignment.objects.current().filter(group=reception).exists()

    # « Gestion déléguée »: the member of a group outside his perimeter cannot be added to his own group.
    visit(page, f"{base}/annuaire/delegation/groupes/{reception.pk}/")
    page.select_option("#id_membre-account", str(net.user_a.pk))
    page.click("button:has-text('Ajouter au groupe')")
    page.wait_for_selector("text=hors du périmètre qui vous a été délégué")
    audit(page)
    text = page.inner_text("main")
    assert "membre du groupe « Travailleurs sociaux »" in text and not ENGINE_CODES.search(text), text
    shoot(page, "delegation-refus-membre")
    assert not GroupMembership.objects.current().filter(group=reception, account=net.user_a).exists()

    # What only the partner administrator does — create a group, give an administrative role — the engine refuses
    # the delegate (can_create_group, can_assign_admin), and the pages say why instead of offering the form.
    visit(page, f"{base}/annuaire/delegation/")
    callout = page.inner_text("#creation-groupe-refusee")
    assert "Seul l'administrateur partenaire crée des groupes." in callout, callout
    assert "limitée à des groupes désignés" in callout, callout
    assert not ENGINE_CODES.search(callout), callout
    assert page.locator("button:has-text('Créer le groupe')").count() == 0
    audit(page)
    shoot(page, "delegation-refus-creation-groupe")

    plain = services.create_account(None, partner, first_name="Paul", last_name="Simple",
                                    email="paul.simple@exemple.fr", password="Motdepasse#2025")
    delegation.add_member(net.partner_admin_a, reception, plain)
    visit(page, f"{base}/annuaire/comptes/{plain.pk}/")
    callout = page.inner_text(".roles-refuses")
    assert "Seul l'administrateur partenaire attribue les rôles d'administration." in callout, callout
    assert "ne permet pas de déléguer" in callout and not ENGINE_CODES.search(callout), callout
    audit(page)
    shoot(page, "delegation-refus-role-administration")

    # The fund's administrator reads both in the journal, as refusals of the engine.
    auditor = new_page(browser)
    auditor.set_default_timeout(60_000)
    log_in(auditor, base, net.fund_admin_a.login)
    visit(auditor, f"{base}/journal/?kind=access.decision.denied")
    text = auditor.inner_text("main")
    assert text.count("Refusé par le moteur d'habilitation") >= 2, text
    assert "Damien Délégué" in text  # the person refused, by name
    shoot(auditor, "journal-refus-delegation")
