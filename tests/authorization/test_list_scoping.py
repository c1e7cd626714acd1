"""Every list filters through the engine's population (ENG-8, issue 16 §1): on a seeded world, for each role,
each list page and list API operation shows exactly the rows the hand-written filter it replaced showed; a
changed population rule changes the lists; the translation to a ``Q`` is exact for every kind of filter."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from api.conftest import ApiClient
from conftest import DEMO_SIRETS
from habpps.accounts.models import Account, OrgLevel
from habpps.api import tokens
from habpps.authorization import scope_services
from habpps.authorization.explanations import holders_of
from habpps.authorization.models import PopulationRule
from habpps.authorization.orgs import NATIONAL_UNIT, fund_unit, partner_unit
from habpps.authorization.policy_build import accounts_in_force
from habpps.authorization.scoping import (
    ACCOUNT_COLUMNS,
    CONVENTION_COLUMNS,
    JOURNAL,
    JOURNAL_COLUMNS,
    PARTNER_COLUMNS,
    Units,
    filter_q,
    visible_accounts,
    visible_conventions,
    visible_funds,
    visible_partners,
)
from habpps.conventions.models import Convention, ConventionVersion
from habpps.conventions.views.access import may_read
from habpps.directory import services
from habpps.directory.models import Fund, GroupMembership, Partner, PartnerType, Status
from habpps.engine.scoping import AnyOf, Everything, FieldIn, Nothing
from habpps.journal.csv_export import DELIMITER
from habpps.journal.models import JournalEntry
from habpps.journal.scoping import journal_population
from habpps.supervision.models import (
    DailyHabilitationCount,
    Finding,
    ItemDecision,
    Level,
    RecertificationCampaign,
    RecertificationItem,
)
from habpps.supervision.recertification import campaigns_in_scope, open_campaign
from habpps.supervision.supervised import supervised_by
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


def old_report_funds(viewer):
    """The CDAP consultations report's choice of fund: every fund for a national auditor, else the viewer's."""
    if viewer.org_level == OrgLevel.NATIONAL:
        return Fund.objects.all()
    return Fund.objects.filter(pk=viewer.home_fund.pk)


def old_convention_partners(viewer):
    """« Saisir une convention »'s choice of partner: the fund's partners in force without a convention in force."""
    return Partner.objects.filter(fund_id=viewer.fund_id, status=Status.ACTIVE).exclude(
        conventions__ended_at__isnull=True, conventions__isnull=False)


def options(html: str, name: str) -> set[int]:
    """The values of the options of the select ``name`` of a page."""
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S)
    return {int(pk) for pk in re.findall(r'<option value="(\d+)"', select.group(0))} if select else set()


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

        page = client.get(reverse("cdap:report"))
        if page.status_code == 200:
            reached.add(("caisses du rapport", name))
            assert pks(visible_funds(actor, JOURNAL)) == pks(old_report_funds(actor)), name
            shown = options(page.content.decode(), "fund")  # no choice at all when there is only one fund
            assert shown == (pks(old_report_funds(actor)) if shown else set()), name
            assert shown or old_report_funds(actor).count() == 1, name

        page = client.get(reverse("conventions:create"))
        if page.status_code == 200:
            expected = pks(old_convention_partners(actor))
            assert options(page.content.decode(), "partner") == expected, name
            if expected:
                reached.add(("saisie de convention", name))
    # Every list was reached by the roles that use it (a sweep reaching nothing would prove nothing).
    assert {("partenaires", "national_admin"), ("partenaires", "fund_admin_a"), ("partenaires", "verifier_b"),
            ("titulaires", "national_admin"), ("titulaires", "fund_admin_a"), ("titulaires", "partner_admin_b"),
            ("titulaires", "delegate_a"), ("conventions", "national_admin"), ("conventions", "fund_admin_a"),
            ("caisse", "fund_admin_b"), ("caisses du rapport", "national_admin"),
            ("caisses du rapport", "fund_admin_a"), ("saisie de convention", "fund_admin_b"), ("réseau", "national_admin"), ("à vérifier", "verifier_a"), ("journal", "national_admin"), ("journal", "fund_admin_a"),
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


# -- the supervision (SUP-1..7, ADM-8): the hand-written scope the dashboards had, restated as the oracle ----------
def old_rows(viewer, fund: str = "fund", partner: str = "partner") -> Q:
    if viewer.org_level == OrgLevel.FUND:
        return Q(**{f"{fund}_id": viewer.fund_id})
    if viewer.org_level == OrgLevel.PARTNER:
        return Q(**{f"{partner}_id": viewer.partner_id})
    return Q()


def old_supervised_accounts(viewer, prefix: str = "") -> Q:
    if viewer.org_level == OrgLevel.FUND:
        return Q(**{f"{prefix}fund_id": viewer.fund_id}) | Q(**{f"{prefix}partner__fund_id": viewer.fund_id})
    if viewer.org_level == OrgLevel.PARTNER:
        return Q(**{f"{prefix}partner_id": viewer.partner_id})
    return Q()


def old_rolled_up(viewer) -> Q:
    if viewer.org_level == OrgLevel.FUND:
        return Q(level=Level.FUND, fund_id=viewer.fund_id)
    if viewer.org_level == OrgLevel.PARTNER:
        return Q(level=Level.PARTNER, partner_id=viewer.partner_id)
    return Q(level=Level.NATIONAL)


def old_campaigns(viewer):
    campaigns = RecertificationCampaign.objects.all()
    if viewer.org_level == OrgLevel.NATIONAL:
        return campaigns
    fund_id = viewer.fund_id if viewer.org_level == OrgLevel.FUND else viewer.partner.fund_id
    return campaigns.filter(Q(fund__isnull=True) | Q(fund_id=fund_id))


def csv_column(response, index: int) -> set[str]:
    """One column of a dashboard's CSV answer (header left out)."""
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return {line.split(DELIMITER)[index] for line in text.splitlines()[1:] if line}


def _rolled_up_rows(world) -> None:
    """A day of SUP-4 counts at every level, as the job stores them (a row per level and unit)."""
    today = timezone.localdate()
    rows = [DailyHabilitationCount(day=today, level=Level.NATIONAL, role="cdap-ass-cesf", count=9)]
    for partner in Partner.objects.all():
        rows.append(DailyHabilitationCount(day=today, level=Level.PARTNER, fund_id=partner.fund_id,
                                           partner=partner, role="cdap-ass-cesf", count=1))
    for key in SIDES:
        rows.append(DailyHabilitationCount(day=today, level=Level.FUND, fund=world.sides[key].fund,
                                           role="cdap-ass-cesf", count=4))
    DailyHabilitationCount.objects.bulk_create(rows)


def test_each_supervisor_sees_in_each_dashboard_what_the_old_scope_showed(scoped_world, client):
    """The supervision's dashboards and campaigns filter through the engine's population of « supervision »:
    role by role, every kind of row they read, then the pages themselves, are what the old scope gave."""
    long_ago = timezone.now() - timedelta(days=400)
    Account.objects.update(last_login=None, created_at=long_ago)  # every account is a SUP-1 row
    _rolled_up_rows(scoped_world)
    supervisors = set()
    for name, actor in actors(scoped_world):
        actor = Account.objects.get(pk=actor.pk)
        client.force_login(actor)
        supervised = supervised_by(actor)
        if supervised is None:
            assert client.get(reverse("supervision:home")).status_code == 404, name
            continue
        supervisors.add(name)
        assert client.get(reverse("supervision:home")).status_code == 200, name
        # Each kind of row, as the dashboards' queries filter it.
        assert pks(Finding.objects.filter(supervised.rows())) == pks(Finding.objects.filter(old_rows(actor))), name
        assert pks(Account.objects.filter(supervised.accounts())) == pks(
            Account.objects.filter(old_supervised_accounts(actor))), name
        memberships = GroupMembership.objects.all()
        assert pks(memberships.filter(supervised.accounts("account__"))) == pks(
            memberships.filter(old_supervised_accounts(actor, "account__"))), name
        assert pks(Partner.objects.exclude(status=Status.REMOVED).filter(supervised.partners())) == pks(
            old_partners(actor)), name
        assert pks(DailyHabilitationCount.objects.filter(supervised.rolled_up())) == pks(
            DailyHabilitationCount.objects.filter(old_rolled_up(actor))), name
        items = RecertificationItem.objects.all()
        assert pks(items.filter(supervised.rows())) == pks(items.filter(old_rows(actor))), name
        assert pks(campaigns_in_scope(supervised)) == pks(old_campaigns(actor)), name
        # The pages: SUP-6's partners (a partner's administrator goes straight to their own), SUP-1's accounts,
        # the campaigns and each campaign's items.
        page = client.get(reverse("supervision:partners"))
        if actor.org_level == OrgLevel.PARTNER:
            assert page.url == reverse("supervision:partner", args=[actor.partner_id]), name
        else:
            assert linked(page.content.decode(), "/supervision/organismes/") == pks(old_partners(actor)), name
        inactive = csv_column(client.get(reverse("supervision:inactive"), {"format": "csv"}), 0)
        silent = accounts_in_force().filter(old_supervised_accounts(actor)).filter(last_login__isnull=True)
        expected = set(silent.values_list("login", flat=True))  # all but those logged in by this test
        assert expected and inactive == expected, name
        page = client.get(reverse("supervision:campaigns"))
        assert linked(page.content.decode(), "/supervision/recertification/") == pks(old_campaigns(actor)), name
        for campaign in old_campaigns(actor):
            answer = client.get(reverse("supervision:campaign", args=[campaign.pk]),
                                {"format": "csv", "decision": ItemDecision.PENDING})
            logins = set(campaign.items.filter(old_rows(actor)).values_list("account__login", flat=True))
            assert csv_column(answer, 1) == logins, name
    assert supervisors == {"national_admin", "fund_admin_a", "fund_admin_b", "partner_admin_a", "partner_admin_b"}
    # « Habilitations à recertifier »: the certifiers' own partner's pending items, as the old filter gave them.
    certifiers = set()
    for name, actor in actors(scoped_world):
        client.force_login(actor)
        page = client.get(reverse("supervision:recertification-todo"))
        if page.status_code == 404:
            continue
        certifiers.add(name)
        pending = RecertificationItem.objects.filter(partner_id=actor.partner_id, decision=ItemDecision.PENDING,
                                                     campaign__status="open")
        shown = {int(pk) for pk in re.findall(r'/supervision/recertification/habilitations/(\d+)/confirmer/',
                                              page.content.decode())}
        assert pending.exists() and shown == pks(pending), name
    assert certifiers == {"partner_admin_a", "partner_admin_b"}


def test_a_changed_population_rule_changes_the_supervision(scoped_world, client):
    """The national administrator narrows what fund administrators supervise to one partner of the other fund:
    the dashboards' partner list, SUP-1's accounts and the campaigns follow at once; a campaign opened then
    covers that partner only."""
    national, side_a, side_b = scoped_world.national_admin, scoped_world.sides["a"], scoped_world.sides["b"]
    fund_admin = side_a.actors["fund_admin"]
    role = scoped_world.roles["FundAdmin"]
    Account.objects.update(last_login=None, created_at=timezone.now() - timedelta(days=400))
    client.force_login(fund_admin)
    partners = reverse("supervision:partners")
    assert linked(client.get(partners).content.decode(), "/supervision/organismes/") == {
        side_a.partner.pk, scoped_world.extra["a"].pk}

    scope_services.delete_population(national, PopulationRule.objects.get(role=role, resource="supervision"))
    assert linked(client.get(partners).content.decode(), "/supervision/organismes/") == set()
    assert "aucune partie du réseau" in client.get(reverse("supervision:home")).content.decode()
    scope_services.add_population(national, role, resource="supervision", name="un organisme", kind="explicit",
                                  field="org", values=[partner_unit(side_b.partner.pk)], is_default=True)
    page = client.get(partners)  # exactly one partner: straight to its indicators
    assert page.url == reverse("supervision:partner", args=[side_b.partner.pk])
    assert client.get(page.url).status_code == 200
    assert client.get(reverse("supervision:partner", args=[side_a.partner.pk])).status_code == 404
    inactive = csv_column(client.get(reverse("supervision:inactive"), {"format": "csv"}), 0)
    assert inactive == set(accounts_in_force().filter(partner=side_b.partner).values_list("login", flat=True))
    assert inactive
    campaigns = linked(client.get(reverse("supervision:campaigns")).content.decode(), "/supervision/recertification/")
    assert campaigns == {side_b.campaign.pk}  # fund B's, which covers partner B
    opened = open_campaign(fund_admin, name="Campagne resserrée")
    assert set(opened.items.values_list("partner_id", flat=True)) == {side_b.partner.pk}
    assert opened.fund_id == side_a.fund.pk  # it belongs to the level that opened it, listed as covering partner B
    campaigns = linked(client.get(reverse("supervision:campaigns")).content.decode(), "/supervision/recertification/")
    assert campaigns == {side_b.campaign.pk, opened.pk}
