"""LISTEN/NOTIFY (ENG-11): a committed change wakes another process's listener, which replays it at once.

The "other process" is a second `PolicyCache` with its own listener thread and its own connections; its probe
period is an hour, so only the notification can bring it up to date within the test's bound.
"""

from __future__ import annotations

import time

import pytest

from habpps.authorization.policy_cache import PolicyCache, policy_cache
from habpps.authorization.policy_listener import PolicyListener
from habpps.directory import services

pytestmark = [pytest.mark.postgres]

CDAP_DOSSIER = ("consulter", "cdap.section.dossier")
BOUND_SECONDS = 1.0
MARGIN_SECONDS = 1.0  # a loaded CI machine; the figure printed is what counts


@pytest.fixture
def listening_cache(network_committed, settings):
    # Started once the network exists: rows seeded outside policy changes (the fixture's reference data) are in
    # its first build.
    settings.HABPPS_POLICY_PROBE_SECONDS = 3600
    cache = PolicyCache()
    listener = PolicyListener(cache)
    listener.start()
    assert listener.connected.wait(10), "le thread d'écoute ne s'est pas connecté"
    yield cache, listener
    listener.stop()
    listener.join(timeout=WAIT_JOIN_SECONDS)
    assert not listener.is_alive()


WAIT_JOIN_SECONDS = 60


def test_a_notification_brings_another_process_up_to_date(listening_cache, network_committed):
    cache, listener = listening_cache
    network = network_committed
    cache.refresh()
    unit = f"partner:{network.partner_a.pk}"
    assert cache.current().snapshot.check(network.user_a.login, *CDAP_DOSSIER, org=unit)

    services.unassign_group_role(None, network.group_a, network.roles["cdap-ass-cesf"])
    committed = time.monotonic()
    target = policy_cache.current().number
    while cache._current.number < target:
        assert time.monotonic() - committed < BOUND_SECONDS + MARGIN_SECONDS, "la notification n'a pas été traitée à temps"
        time.sleep(0.01)
    elapsed = time.monotonic() - committed
    print(f"\nautre processus à jour {elapsed * 1000:.0f} ms après la validation (notification)")
    assert listener.notifications >= 1
    assert cache.full_builds == 1 and cache.replayed >= 1
    assert not cache.current().snapshot.check(network.user_a.login, *CDAP_DOSSIER, org=unit)


@pytest.fixture
def network_committed(transactional_db):
    from conftest import make_network

    return make_network()
