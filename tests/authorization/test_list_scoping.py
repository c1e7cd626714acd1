"""Every list filters through the engine's population (ENG-8, issue 16 §1): on a seeded world, for each role,
each list page and list API operation shows exactly the rows the hand-written filter it replaced showed; a
changed population rule changes the lists; the translation to a ``Q`` is exact for every kind of filter."""

from __future__ import annotations

import re

import pytest
from django.db.models import Q
from django.urls import reverse

from api.conftest import ApiClient
from conftest import DEMO_SIRETS
from habpps.accounts.models import Account, OrgLevel
from habpps.api import tokens
from habpps.authorization import scope_services
from habpps.authorization.explanations import holders_of
from habpps.authorization.models import PopulationRule
from habpps.authorization.orgs import NATIONAL_UNIT, fund_unit, partner_unit
from habpps.authorization.scoping import (
    ACCOUNT_COLUMNS,
    CONVENTION_COLUMNS,
    JOURNAL_COLUMNS,
    PARTNER_COLUMNS,
    Units,
    filter_q,
    visible_accounts,
    visible_conventions,
    visible_partners,
)
from habpps.conventions.models import Convention, ConventionVersion
from habpps.conventions.views.access import may_read
from habpps.directory import services
from habpps.directory.models import Partner, PartnerType, Status
from habpps.engine.scoping import AnyOf, Everything, FieldIn, Nothing
from habpps.journal.models import JournalEntry
from habpps.journal.scoping import journal_population
from security.world import SIDES, build_world


# -- the hand-written filters the lists had (restated as the oracle; the code no longer has them) -------------------
def old_accounts(viewer):
    accounts = Account.objects.exclude(status="removed")
    if viewer.org_level == OrgLevel.FUND:
        return accounts.filter(Q(fund_id=viewer.fund_id) | Q(partner__fund_id=viewer.fund_id))
    if viewer.org_level == OrgLevel.PARTNER:
        return accounts.filter(partner_id=viewer.partner_id)
    return accounts


def old_partners(viewer):
    partners = Partner.objects.exclude(status=Status.REMOVED)
    if viewer.org_level == OrgLevel.NATIONAL:
        return partners
    if viewer.org_level == OrgLevel.FUND:
        return partners.filter(fund_id=viewer.fund_id)
    return partners.filter(pk=viewer.partner_id)


def old_conventions(viewer):
    conventions = Convention.objects.all()
    if viewer.org_level == OrgLevel.FUND:
        return conventions.filter(fund_id=viewer.fund_id)
    if viewer.org_level == OrgLevel.PARTNER:
        return conventions.filter(partner_id=viewer.partner_id)
    return conventions


def old_journal(viewer):
    return JournalEntry.objects.within_scope(viewer.org_scope)


def pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def linked(html: str, prefix: str) -> set[int]:
    """The primary keys of the objects a page links to under ``prefix`` (``/annuaire/partenaires/``…)."""
    return {int(pk) for pk in re.findall(rf'href="{re.escape(prefix)}(\d+)/"', html)}


@pytest.fixture
def scoped_world(db, settings):
    """The access sweep's world (two funds, every kind of actor), widened so the filters have something to tell
    apart: a second partner in fund A and one in fund B, a suspended partner, a removed account."""
    settings.HABPPS_PAGE_SIZE = 1000
    world = build_world()
    ccas = PartnerType.objects.get(code="ccas")
    extra = {}
    for key, siret in (("a", DEMO_SIRETS[1]), ("b", DEMO_SIRETS[3])):
        extra[key] = services.create_partner(
            None, world.sides[key].fund, name=f"Mairie {key.upper()}", siret=siret, partner_type=ccas,
            street="2 rue Haute", postal_code="75002", city="Ville",
        )
        services.create_account(None, extra[key], first_name="Marie", last_name=f"Mairie{key.upper()}",
                                email=f"marie.{key}@exemple.fr", password="Motdepasse#2025")
    services.set_partner_status(None, extra["a"], Status.SUSPENDED)
    services.set_account_status(None, world.sides["b"].spare_user, "removed")
    world.extra = extra
    return world


def actors(world):
    yield "national_admin", world.national_admin
    for key in SIDES:
        for kind, account in world.sides[key].actors.items():
            yield f"{kind}_{key}", account


def test_each_role_sees_in_each_list_what_the_old_filter_showed(scoped_world, client):
    """The functions every list calls, then the pages and API operations themselves, role by role."""
    holders_role = scoped_world.roles["cdap-ass-cesf"]
    reached = set()
    for name, actor in actors(scoped_world):
        actor = Account.objects.get(pk=actor.pk)
        administers = actor.login not in {scoped_world.sides[k].actors["user"].login for k in SIDES}
        if administers:  # every administrative profile has its populations; a plain user reaches no list
            assert pks(visible_accounts(actor)) == pks(old_accounts(actor)), name
            assert pks(visible_partners(actor)) == pks(old_partners(actor)), name
            assert pks(visible_conventions(actor)) == pks(old_conventions(actor)), name
        client.force_login(actor)
        api = ApiClient(tokens.create_personal_token(actor, "tests").secret)
        last = JournalEntry.objects.order_by("-sequence").values_list("sequence", flat=True).first()

        page = client.get(reverse("directory:partner-list"))
        if page.status_code == 200:
            reached.add(("partenaires", name))
            assert linked(page.content.decode(), "/annuaire/partenaires/") == pks(old_partners(actor)), name
            items = api.get("/api/v1/partenaires").json()["items"]
            assert {item["id"] for item in items} == pks(old_partners(actor)), name

        page = client.get(reverse("directory:role-holders", args=[holders_role.pk]))
        if page.status_code == 200:
            reached.add(("titulaires", name))
            holders = holders_of(holders_role)
            expected = {a.pk for a in old_accounts(actor) if a.login in holders}
            assert expected, name
            assert linked(page.content.decode(), "/annuaire/comptes/") == expected, name
            items = api.get(f"/api/v1/profils/{holders_role.code}/titulaires").json()["items"]
            assert {item["id"] for item in items} == expected, name

        response = api.get("/api/v1/conventions")
        if response.status_code == 200:
            reached.add(("conventions", name))
            readable = {item["id"] for item in response.json()["items"]}
            assert readable == {c.pk for c in old_conventions(actor) if may_read(actor, c)}, name
        page = client.get(reverse("conventions:fund-queue"))
        if page.status_code == 200:
            reached.add(("caisse", name))
            assert linked(page.content.decode(), "/conventions/") == pks(old_conventions(actor)), name

        page = client.get(reverse("conventions:verifier-queue"))
        if page.status_code == 200:
            reached.add(("à vérifier", name))
            submitted = ConventionVersion.objects.filter(convention__in=old_conventions(actor), state="submitted",
                                                         convention__ended_at__isnull=True)
            expected = set(submitted.values_list("convention_id", flat=True))
            assert expected and linked(page.content.decode(), "/conventions/") == expected, name

        page = client.get(reverse("conventions:network"))
        if page.status_code == 200:
            reached.add(("réseau", name))
            assert linked(page.content.decode(), "/conventions/") == pks(old_conventions(actor)), name

        page = client.get(reverse("journal:search"))
        if page.status_code == 200:
            reached.add(("journal", name))
            expected = set(old_journal(actor).filter(sequence__lte=last).values_list("sequence", flat=True))
            shown = {seq for seq in linked(page.content.decode(), "/journal/entrees/") if seq <= last}
            assert shown == expected, name
            assert set(JournalEntry.objects.filter(journal_population(actor), sequence__lte=last)
                       .values_list("sequence", flat=True)) == expected, name
    # Every list was reached by the roles that use it (a sweep reaching nothing would prove nothing).
    assert {("partenaires", "national_admin"), ("partenaires", "fund_admin_a"), ("partenaires", "verifier_b"),
            ("titulaires", "national_admin"), ("titulaires", "fund_admin_a"), ("titulaires", "partner_admin_b"),
            ("titulaires", "delegate_a"), ("conventions", "national_admin"), ("conventions", "fund_admin_a"),
            ("caisse", "fund_admin_b"), ("réseau", "national_admin"), ("à vérifier", "verifier_a"), ("journal", "national_admin"), ("journal", "fund_admin_a"),
            ("journal", "partner_admin_b")} <= reached


def test_a_changed_population_rule_changes_the_lists(scoped_world, client):
    """The national administrator gives fund administrators an explicit list of partners, then only their own
    unit's accounts: the partner list and « Qui ? » follow at once — no filter lives in the views any more."""
    national, side_a, side_b = scoped_world.national_admin, scoped_world.sides["a"], scoped_world.sides["b"]
    fund_admin = side_a.actors["fund_admin"]
    fund_admin_role = scoped_world.roles["FundAdmin"]
    client.force_login(fund_admin)
    before = linked(client.get(reverse("directory:partner-list")).content.decode(), "/annuaire/partenaires/")
    assert before == {side_a.partner.pk, scoped_world.extra["a"].pk}

    scope_services.delete_population(national, PopulationRule.objects.get(role=fund_admin_role, resource="organismes"))
    assert linked(client.get(reverse("directory:partner-list")).content.decode(), "/annuaire/partenaires/") == set()
    scope_services.add_population(national, fund_admin_role, resource="organismes", name="liste", kind="explicit",
                                  field="org", values=[partner_unit(side_b.partner.pk)], is_default=True)
    after = linked(client.get(reverse("directory:partner-list")).content.decode(), "/annuaire/partenaires/")
    assert after == {side_b.partner.pk}
    api = ApiClient(tokens.create_personal_token(fund_admin, "tests").secret)
    assert [item["id"] for item in api.get("/api/v1/partenaires").json()["items"]] == [side_b.partner.pk]

    # Accounts: « son organisme seulement » — the fund's own staff, no longer its partners' users.
    holders = reverse("directory:role-holders", args=[scoped_world.roles["cdap-ass-cesf"].pk])
    assert side_a.actors["user"].login in client.get(holders).content.decode()
    rule = PopulationRule.objects.get(role=fund_admin_role, resource="comptes")
    scope_services.delete_population(national, rule)
    scope_services.add_population(national, fund_admin_role, resource="comptes", name="caisse", kind="org_unit",
                                  field="org", is_default=True)
    assert side_a.actors["user"].login not in client.get(holders).content.decode()
    assert set(visible_accounts(fund_admin).values_list("org_level", flat=True)) == {OrgLevel.FUND}


def test_the_translation_is_exact_for_every_kind_of_filter(scoped_world):
    side_a, side_b = scoped_world.sides["a"], scoped_world.sides["b"]
    fund_a = side_a.fund
    partners_a = set(Partner.objects.filter(fund_id=fund_a.pk).values_list("pk", flat=True))
    assert filter_q(Everything(), PARTNER_COLUMNS) == Q()
    assert not Partner.objects.filter(filter_q(Nothing(), PARTNER_COLUMNS)).exists()
    # A fund with all its partners is queried as a tree; a fund missing one is the fund alone plus its partners.
    whole = Units.of({fund_unit(fund_a.pk), *(partner_unit(p) for p in partners_a)})
    assert whole.fund_trees == {fund_a.pk} and not whole.partners
    part = Units.of({fund_unit(fund_a.pk), partner_unit(side_a.partner.pk)})
    assert part.funds == {fund_a.pk} and part.partners == {side_a.partner.pk}
    fund_staff_a = set(Account.objects.filter(fund_id=fund_a.pk).values_list("pk", flat=True))
    partner_a_users = set(Account.objects.filter(partner_id=side_a.partner.pk).values_list("pk", flat=True))
    population = FieldIn("org", frozenset({fund_unit(fund_a.pk), partner_unit(side_a.partner.pk)}))
    assert pks(Account.objects.filter(filter_q(population, ACCOUNT_COLUMNS))) == fund_staff_a | partner_a_users
    # Another field through its column, unions of parts, units that are not the network's select nothing.
    login = side_b.actors["user"].login
    mixed = AnyOf((FieldIn("org", frozenset({NATIONAL_UNIT, "group:1"})), FieldIn("login", frozenset({login}))))
    found = Account.objects.filter(filter_q(mixed, ACCOUNT_COLUMNS))
    assert set(found.values_list("login", flat=True)) == {scoped_world.national_admin.login, login}
    assert not Partner.objects.filter(filter_q(FieldIn("login", frozenset({login})), PARTNER_COLUMNS)).exists()
    # Conventions in their partner's unit; journal entries by their scope path, a partner's with what lies under.
    convention_a = side_a.convention
    only_a = FieldIn("org", frozenset({partner_unit(side_a.partner.pk)}))
    assert pks(Convention.objects.filter(filter_q(only_a, CONVENTION_COLUMNS))) == {convention_a.pk}
    journal_a = JournalEntry.objects.filter(filter_q(only_a, JOURNAL_COLUMNS))
    assert journal_a.exists()
    assert pks(journal_a) == pks(JournalEntry.objects.within_scope(f"national/fund:{fund_a.pk}/partner:{side_a.partner.pk}"))
