"""ENG-11 compiled snapshots: immutable, versioned, agreeing with the live engine."""

import threading

import pytest

from habpps.engine import RBAC, Snapshot


def test_compile_is_cached_per_version_and_a_change_gives_a_newer_snapshot(rbac):
    first = rbac.compile()
    assert isinstance(first, Snapshot)
    assert rbac.compile() is first
    rbac.assign_user(user="carol", role="redacteur")
    second = rbac.compile()
    assert second.version > first.version
    assert not first.check("carol", "ecrire", "dossier")  # the old snapshot is not affected
    assert second.check("carol", "ecrire", "dossier")


def test_check_with_all_roles_or_only_given_active_roles(rbac):
    snapshot = rbac.compile()
    assert snapshot.check("alice", "lire", "dossier")
    assert snapshot.check("alice", "lire", "dossier", active_roles={"lecteur"})
    assert not snapshot.check("alice", "lire", "dossier", active_roles=set())
    assert not snapshot.check("alice", "lire", "dossier", active_roles={"redacteur"})  # not authorized
    assert not snapshot.check("nobody", "lire", "dossier")


def test_snapshot_is_read_only_and_shared_between_threads():
    rbac = RBAC()
    rbac.add_role("r")
    rbac.grant_permission(operation="op", obj="ob", role="r")
    for i in range(200):
        rbac.add_user(f"u{i}")
        if i % 2:
            rbac.assign_user(user=f"u{i}", role="r")
    snapshot = rbac.compile()
    results: list[bool] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.extend(snapshot.check(f"u{i}", "op", "ob") for i in range(200))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == [bool(i % 2) for i in range(200)] * 4
    with pytest.raises(TypeError):
        snapshot.users["intrus"] = ()  # type: ignore[index]
    assert snapshot.users["u1"][0].role == "r"
