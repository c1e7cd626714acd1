"""Each dashboard's content on a small fixture, at each level, scoped to its viewer (SUP-1..7)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from habpps.accounts.models import Account
from habpps.authorization.policy_build import build_rbac
from habpps.directory.models import GroupMembership, GroupRoleAssignment
from habpps.supervision.aggregation import aggregate
from habpps.supervision.dashboards.activity import top_business_actions, top_freezes
from habpps.supervision.dashboards.habilitations import habilitation_series
from habpps.supervision.dashboards.inactivity import inactive_users
from habpps.supervision.dashboards.least_privilege import reported_violations, unused_habilitations
from habpps.supervision.dashboards.partner import partner_indicators
from habpps.supervision.dashboards.sections import section_consultations
from habpps.supervision.supervised import Supervised, supervised_by
from supervision.conftest import consult, freeze, today


def scopes(net):
    """What each administrator supervises: the engine's population of « supervision » (seeded rules)."""
    return {
        "national": supervised_by(net.national_admin),
        "fund_a": supervised_by(net.fund_admin_a),
        "partner_b": supervised_by(net.partner_admin_b),
    }


def test_each_administrator_supervises_their_own_organisation(net):
    supervised = scopes(net)
    assert supervised["national"] == Supervised.everything()
    assert supervised["national"].label() == "tout le réseau"
    fund_a = supervised["fund_a"].population.units
    assert fund_a.fund_trees == {net.fund_a.pk} and not (fund_a.national or fund_a.funds or fund_a.partners)
    assert supervised["fund_a"].label() == f"la caisse « {net.fund_a.name} »"
    assert supervised["partner_b"].only_partner == net.partner_b.pk
    assert supervised["partner_b"].label() == f"l'organisme « {net.partner_b.name} »"


def test_a_verifier_and_a_partner_user_may_not_supervise(net):
    assert supervised_by(net.verifier_a) is None
    assert supervised_by(net.user_a) is None


def test_sup1_lists_active_users_silent_for_six_months_at_each_level(net):
    long_ago = timezone.now() - timedelta(days=200)
    Account.objects.filter(pk__in=[net.user_a.pk, net.user_b.pk]).update(
        last_login=long_ago, created_at=long_ago
    )
    Account.objects.exclude(pk__in=[net.user_a.pk, net.user_b.pk]).update(last_login=timezone.now())
    cutoff = timezone.now() - timedelta(days=180)
    found = {name: set(inactive_users(scope, cutoff)) for name, scope in scopes(net).items()}
    assert found["national"] == {net.user_a, net.user_b}
    assert found["fund_a"] == {net.user_a}
    assert found["partner_b"] == {net.user_b}


def test_sup1_counts_an_account_that_never_logged_in_from_its_creation(net):
    Account.objects.update(last_login=timezone.now())
    Account.objects.filter(pk=net.user_a.pk).update(
        last_login=None, created_at=timezone.now() - timedelta(days=400)
    )
    assert list(inactive_users(Supervised.everything(), timezone.now() - timedelta(days=180))) == [
        net.user_a
    ]


def test_sup2_ranks_users_by_business_actions_within_the_scope(net):
    consult(net.user_a, times=3)
    consult(net.user_b, times=5)
    aggregate(until=today())
    since = today() - timedelta(days=180)
    national = top_business_actions(Supervised.everything(), "cdap", since, 10)
    assert [(r.account, r.total) for r in national] == [(net.user_b, 5), (net.user_a, 3)]
    assert [r.account for r in top_business_actions(scopes(net)["fund_a"], "cdap", since, 10)] == [net.user_a]
    assert top_business_actions(Supervised.everything(), "cdap", since, 1)[0].account == net.user_b


def test_sup3_ranks_users_by_freezes_and_leaves_out_suspended_accounts(net):
    freeze(net.user_a, times=2)
    freeze(net.user_b, times=1)
    aggregate(until=today())
    since = today() - timedelta(days=180)
    assert [(r.account, r.total) for r in top_freezes(Supervised.everything(), since, 10)] == [
        (net.user_a, 2),
        (net.user_b, 1),
    ]
    assert [r.account for r in top_freezes(scopes(net)["partner_b"], since, 10)] == [net.user_b]
    Account.objects.filter(pk=net.user_a.pk).update(status="suspended")
    assert [r.account for r in top_freezes(Supervised.everything(), since, 10)] == [net.user_b]


def test_sup4_series_of_habilitations_per_profile_at_each_level(net):
    aggregate(until=today(), since=today())
    national = habilitation_series(Supervised.everything(), today(), today())
    assert national == {"cdap-ass-cesf": [(today(), 2)]}
    assert habilitation_series(scopes(net)["fund_a"], today(), today()) == {"cdap-ass-cesf": [(today(), 1)]}
    assert habilitation_series(Supervised.everything(), today(), today(), ["autre"]) == {}


def test_sup5_consultation_of_each_section_filtered_by_profile(net):
    consult(net.user_a, sections=["dossier", "droits"], times=2)
    consult(net.user_b, sections=["dossier"], profiles=["cdap-instructeur-rsa-cpam"])
    aggregate(until=today())
    assert section_consultations(Supervised.everything(), today(), today()) == {"dossier": 3, "droits": 2}
    assert section_consultations(
        Supervised.everything(), today(), today(), "cdap-instructeur-rsa-cpam"
    ) == {"dossier": 1}
    assert section_consultations(scopes(net)["partner_b"], today(), today()) == {"dossier": 1}


def test_sup6_key_indicators_of_a_partner(net):
    consult(net.user_a, times=4)
    freeze(net.user_a)
    aggregate(until=today())
    indicators = {
        indicator.label: indicator.value
        for indicator in partner_indicators(
            net.partner_a,
            since=today() - timedelta(days=180),
            inactivity_cutoff=timezone.now() - timedelta(days=180),
            now=timezone.now(),
        )
    }
    assert indicators["Comptes actifs"] == 2  # the user and the partner administrator
    assert indicators["Groupes"] == 1
    assert indicators["Habilitations en cours"] == 1
    assert indicators["Actions métier sur la période"] == 4
    assert indicators["Gels de compte sur la période"] == 1


def test_sup7_unused_habilitations_are_the_profiles_held_without_any_action_since_the_cutoff(net):
    long_ago = timezone.now() - timedelta(days=400)
    GroupMembership.objects.update(started_at=long_ago)
    GroupRoleAssignment.objects.update(started_at=long_ago)
    consult(net.user_a)
    aggregate(until=today())
    cutoff = today() - timedelta(days=180)
    national = list(unused_habilitations(Supervised.everything(), cutoff))
    assert [(row["account_id"], row["group__role_assignments__role__code"]) for row in national] == [
        (net.user_b.pk, "cdap-ass-cesf")
    ]
    assert list(unused_habilitations(scopes(net)["fund_a"], cutoff)) == []


def test_sup7_a_profile_given_after_the_cutoff_is_not_yet_a_candidate(net):
    assert list(unused_habilitations(Supervised.everything(), today() - timedelta(days=180))) == []


def test_sup7_reported_exclusions_broken_by_users_of_the_scope(net):
    rbac = build_rbac()
    rbac.create_exclusion("consultation-et-administration", ["cdap-ass-cesf", "PartnerAdmin"], risk="report")
    rbac.assign_user(net.user_b.login, "PartnerAdmin", org=f"partner:{net.partner_b.pk}")
    national = reported_violations(Supervised.everything(), rbac)
    assert [(v.rule, v.account) for v in national] == [("consultation-et-administration", net.user_b)]
    assert reported_violations(scopes(net)["fund_a"], rbac) == []


def _random_activity(net, seed: int, through, late_days: int = 1) -> None:
    """Daily business actions of every account over 200 days up to ``through``, and after it (today's live
    rows), with ties; written as the job writes them."""
    import random

    from habpps.supervision.aggregation import AccountDirectory
    from habpps.supervision.models import DailyServiceActivity

    rng = random.Random(seed)
    directory = AccountDirectory.load()
    rows = []
    for account_id in Account.objects.values_list("id", flat=True):
        fund_id, partner_id = directory.organisation(account_id)
        for offset in range(-200, late_days + 1):
            if rng.random() < 0.3:
                for service in ("cdap", "cafpro"):
                    if rng.random() < 0.6:
                        rows.append(
                            DailyServiceActivity(
                                day=through + timedelta(days=offset), account_id=account_id, fund_id=fund_id,
                                partner_id=partner_id, service=service, actions=rng.randint(1, 3),
                            )
                        )
    DailyServiceActivity.objects.bulk_create(rows)


def test_sup2_and_sup7_read_the_jobs_window_sums_with_the_same_results(net):
    """Issue 19: the observed window summed by the job (``WindowServiceActivity``) plus the days after it give
    the rankings and the unused rights that summing the daily rows gives — at every level, every limit."""
    from habpps.supervision.aggregation import refresh_windows
    from habpps.supervision.models import ActivityWindow
    from habpps.supervision.periods import months_before

    long_ago = timezone.now() - timedelta(days=400)
    GroupMembership.objects.update(started_at=long_ago)
    GroupRoleAssignment.objects.update(started_at=long_ago)
    through = today() - timedelta(days=1)
    since = months_before(today(), 6)
    for seed in range(3):
        from habpps.supervision.models import DailyServiceActivity, WindowServiceActivity

        DailyServiceActivity.objects.all().delete()
        WindowServiceActivity.objects.all().delete()
        ActivityWindow.objects.all().delete()
        _random_activity(net, seed, through)
        # A few accounts idle over the window, one of them active again today only (the late rows).
        members = GroupMembership.objects.current().order_by("account_id").values_list("account_id", flat=True)
        idle = sorted(set(members))[:3]
        DailyServiceActivity.objects.filter(account_id__in=idle, day__gte=since, day__lte=through).delete()
        DailyServiceActivity.objects.filter(account_id__in=idle[1:], day__gt=through).delete()

        def figures():
            ranked = {
                (name, service, limit): [
                    (row.account.pk, row.total, row.days, row.last_day)
                    for row in top_business_actions(scope, service, since, limit)
                ]
                for name, scope in scopes(net).items()
                for service in ("cdap", "cafpro")
                for limit in (1, 2, 5, 50)
            }
            unused = {name: list(unused_habilitations(scope, since)) for name, scope in scopes(net).items()}
            # The pages read by key, concatenated: the same list, with the window sums as without them.
            for name, scope in scopes(net).items():
                for size in (1, 3):
                    pages = _pages(scope, since, size, (1, None))
                    assert [row for page in pages for row in page] == unused[name]
            return ranked, unused

        from_days = figures()
        assert refresh_windows(through) > 0
        assert ActivityWindow.objects.filter(since=since, through=through).exists()
        assert figures() == from_days
        assert from_days[0][("national", "cdap", 50)]  # the comparison is not between two empty results
        assert from_days[1]["national"]  # some unused rights: the idle members


def _more_unused_rights(net) -> None:
    """More partners of both funds whose groups hold profiles since long ago, and members who never acted: two
    partners named like « CCAS A », members with the same names, a group holding two profiles (two rows per
    membership) — ties at every level of the list's order."""
    from habpps.directory.models import Group, Partner

    long_ago = timezone.now() - timedelta(days=400)
    GroupMembership.objects.update(started_at=long_ago)
    GroupRoleAssignment.objects.update(started_at=long_ago)
    for index in range(6):
        fund = net.fund_a if index % 2 == 0 else net.fund_b
        partner = Partner.objects.create(
            fund=fund, name="CCAS A" if index < 2 else f"CCAS {'ZYXWVU'[index]}", siret=f"{index + 1:014d}",
            partner_type=net.partner_a.partner_type, street="1 rue", postal_code="75000", city="Ville",
        )
        group = Group.objects.create(partner=partner, name="Agents")
        GroupRoleAssignment.objects.create(group=group, role=net.roles["cdap-ass-cesf"], started_at=long_ago)
        if index == 0:
            GroupRoleAssignment.objects.create(
                group=group, role=net.roles["cdap-instructeur-rsa-cpam"], started_at=long_ago
            )
        for member in range(index + 2):
            account = Account.objects.create(
                login=f"lp{index}x{member}", password="!", first_name="Jean" if member < 3 else f"J{member}",
                last_name="Martin" if member < 3 else f"Nom{member % 2}", email=f"lp{index}x{member}@exemple.fr",
                org_level="partner", partner=partner,
            )
            GroupMembership.objects.create(group=group, account=account, started_at=long_ago)


def _pages(scope, since, size: int, batches, forward: bool = True) -> list[list[dict]]:
    """Every page of SUP-7's list read by key, following « page suivante » (or « précédente » from the end)."""
    from habpps.supervision.dashboards.least_privilege import SORT_KEY, unused_habilitations_page

    def key(row):
        names = {"group__partner__name": row["group__partner__name"], "account__last_name": row["account__last_name"],
                 "account__first_name": row["account__first_name"], "id": row["id"],
                 "group__role_assignments__id": row["group__role_assignments__id"]}
        return tuple(names[field] for field, _alias in SORT_KEY)

    pages = []
    position = None
    while True:
        if forward:
            page = unused_habilitations_page(scope, since, after=position, size=size, batches=batches)
        elif position is None:  # the end: the last page, read backwards from after every row
            page = unused_habilitations_page(scope, since, last=True, size=size, batches=batches)
        else:
            page = unused_habilitations_page(scope, since, before=position, size=size, batches=batches)
        assert len(page.rows) <= size
        if page.rows:
            pages.append(page.rows)
        more = page.has_next if forward else page.has_previous
        if not more:
            return pages if forward else pages[::-1]
        assert len(page.rows) == size  # only the last page is short
        position = key(page.rows[-1] if forward else page.rows[0])
        assert len(pages) < 1000


def test_sup7_pages_read_by_key_concatenated_are_the_whole_ordered_list(net):
    """Issue 19: the page read after a key, round by round over ranges of partners, never counted; every page
    in turn, forwards and backwards, at every level, is the whole list in its order — with ties on partner and
    member names and two profiles held by one group."""
    from habpps.supervision.dashboards.least_privilege import BATCHES

    _more_unused_rights(net)
    since = today() - timedelta(days=180)
    for name, scope in scopes(net).items():
        whole = list(unused_habilitations(scope, since))
        identities = [(row["id"], row["group__role_assignments__id"]) for row in whole]
        assert len(set(identities)) == len(identities)
        for size in (1, 2, 3, 7, 50):
            for batches in ((1, 2, None), (1,), BATCHES, (None,)):
                for forward in (True, False):
                    pages = _pages(scope, since, size, batches, forward)
                    assert [row for page in pages for row in page] == whole, (name, size, batches, forward)
                    if whole:
                        assert all(len(page) == size for page in (pages[1:] if not forward else pages[:-1]))
    national = list(unused_habilitations(Supervised.everything(), since))
    assert len(national) >= 29  # ties and several rounds were exercised
    assert len({row["group__partner_id"] for row in national if row["group__partner__name"] == "CCAS A"}) == 3
