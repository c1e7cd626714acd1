"""Decisions come from the in-memory snapshot: no query per decision, one tiny probe per period (ENG-11)."""

from habpps.authorization.decisions import is_allowed
from habpps.authorization.policy_build import build_rbac
from habpps.authorization.policy_cache import PolicyCache
from habpps.directory import services

CDAP_DOSSIER = ("consulter", "cdap.section.dossier")


def test_decisions_make_no_query_between_probes(
    transactional_db, network, settings, django_assert_num_queries
):
    # Committed data (transactional_db): the process-wide snapshot is shared and kept between probes.
    settings.HABPPS_POLICY_PROBE_SECONDS = 3600
    assert is_allowed(network.user_a, *CDAP_DOSSIER)  # builds the snapshot
    with django_assert_num_queries(0):
        for _ in range(100):
            assert is_allowed(network.user_a, *CDAP_DOSSIER)
            assert not is_allowed(network.user_b, "gerer", "caisses")


def test_a_probe_is_one_query_when_nothing_changed(network, settings, django_assert_num_queries):
    settings.HABPPS_POLICY_PROBE_SECONDS = 0
    assert is_allowed(network.user_a, *CDAP_DOSSIER)
    with django_assert_num_queries(1):
        assert is_allowed(network.user_a, *CDAP_DOSSIER)


def test_a_change_is_seen_by_the_next_decision(network):
    services.unassign_group_role(network.partner_admin_a, network.group_a, network.roles["cdap-ass-cesf"])
    assert not is_allowed(network.user_a, *CDAP_DOSSIER)


def test_snapshot_matches_the_directory(network):
    rbac = build_rbac()
    group_unit = f"partner:{network.partner_a.pk}"
    assert rbac.compile().check(network.user_a.login, *CDAP_DOSSIER, org=group_unit)
    assert not rbac.compile().check(
        network.user_a.login, *CDAP_DOSSIER, org=f"partner:{network.partner_b.pk}"
    )
    assert network.user_a.login in rbac.authorized_users("cdap-ass-cesf")


def test_a_fresh_cache_builds_from_the_database(network):
    cache = PolicyCache()
    compiled = cache.current()
    assert compiled.snapshot.check(
        network.fund_admin_b.login, "gerer", "partenaires", org=f"fund:{network.fund_b.pk}"
    )
