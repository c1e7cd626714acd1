"""Menus come from engine decisions, never from role names (UI-1)."""

from django.urls import reverse

from habpps.authorization.menus import menu_for
from habpps.directory import services

DIRECTORY_ENTRIES = {"funds", "catalogue", "doctrine", "partners", "my-partner"}


def keys(account):
    """The directory's own entries (other apps add theirs) plus home and « Mes habilitations »."""
    return [
        e["key"] for e in menu_for(account) if e["key"] in DIRECTORY_ENTRIES | {"home", "my-habilitations"}
    ]


def test_each_role_sees_the_entries_its_permissions_allow(network):
    assert keys(network.national_admin) == [
        "home",
        "funds",
        "catalogue",
        "doctrine",
        "partners",
        "my-habilitations",
    ]
    assert keys(network.fund_admin_a) == ["home", "partners", "my-habilitations"]
    assert keys(network.partner_admin_a) == ["home", "my-partner", "my-habilitations"]
    assert keys(network.user_a) == ["home", "my-habilitations"]


def test_an_entry_follows_the_permission_not_the_role_name(network):
    fund_admin = network.roles["FundAdmin"]
    kept = [
        (p.operation, p.obj) for p in fund_admin.permissions.exclude(operation="consulter", obj="partenaires")
    ]
    services.set_role_permissions(network.national_admin, fund_admin, kept)
    assert "partners" not in keys(network.fund_admin_a)
    assert "partners" in keys(network.verifier_a)


def test_a_permission_held_in_a_fund_does_not_open_national_entries(network):
    verifier = network.roles["Verifier"]
    services.set_role_permissions(
        network.national_admin, verifier, [("gerer", "caisses"), ("gerer", "catalogue")]
    )
    assert keys(network.verifier_a) == ["home", "my-habilitations"]


def test_the_page_shows_the_same_menu(client, network):
    client.force_login(network.user_a)
    page = client.get(reverse("home")).content.decode()
    assert 'data-menu="my-habilitations"' in page
    assert 'data-menu="partners"' not in page
    assert "Mon Compte Partenaire" in page
