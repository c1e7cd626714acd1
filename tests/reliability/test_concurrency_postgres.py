"""100 concurrent administrative writes through the API on the same objects, on PostgreSQL (issue 13, ADM-4,
CNV-2, AUD-2): no lost update, no user limit exceeded, one decision per convention version, the journal agreeing
with the tables and its chain intact (``habpps journal verify``).

Each request runs in its own thread and database connection, released together by a barrier, so that they
meet in the database's locks as the requests of several server processes would.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from django.db import connection
from django.test import Client

from conftest import DEMO_SIRETS, make_network
from habpps.api import tokens
from habpps.cli import main
from habpps.conventions import services as conventions
from habpps.conventions.demo import seed_validated_convention
from habpps.directory import services
from habpps.directory.models import GroupMembership, PartnerType, Service
from habpps.journal.models import JournalEntry
from habpps.journal.verification import verify_journal

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITES = 100
LIMIT = 30


def race(requests: list) -> tuple[list[int], float]:
    """Send every ``(token, method, path, body)`` at once; their status codes in order, and the seconds taken."""
    barrier = threading.Barrier(len(requests))
    statuses = [0] * len(requests)

    def send(index: int, token: str, method: str, path: str, body) -> None:
        client = Client(raise_request_exception=False, headers={"Authorization": f"Bearer {token}"})
        try:
            barrier.wait()
            statuses[index] = getattr(client, method)(path, body, content_type="application/json").status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return statuses, time.monotonic() - started


def limited_partner(net):
    """A partner of fund A whose validated convention grants the CDAP profile to at most ``LIMIT`` users, a group
    holding it, and ``WRITES`` accounts waiting to join."""
    role = net.roles["cdap-ass-cesf"]
    partner = services.create_partner(
        None,
        net.fund_a,
        name="CCAS concurrent",
        siret=DEMO_SIRETS[3],
        partner_type=PartnerType.objects.get(code="ccas"),
        street="2 rue",
        postal_code="75002",
        city="Paris",
    )
    seed_validated_convention(partner, {role: LIMIT}, admin=net.fund_admin_a, verifier=net.verifier_a)
    group = services.create_group(None, partner, name="Limité")
    services.assign_group_role(None, group, role)
    admin = services.create_account(
        None,
        partner,
        first_name="Pia",
        last_name="Admin",
        email="pia@exemple.fr",
        roles=[net.roles["PartnerAdmin"]],
        password="Motdepasse#2025",
    )
    people = [
        services.create_account(
            None,
            partner,
            first_name="Ugo",
            last_name=f"Candidat{i:03}",
            email=f"u{i}@exemple.fr",
            password="Motdepasse#2025",
        )
        for i in range(WRITES)
    ]
    return partner, group, admin, people


def journal_additions(group):
    return JournalEntry.objects.filter(
        kind="admin.group.member.add", org_scope__endswith=f"partner:{group.partner_id}"
    )


def journal_is_intact() -> None:
    assert verify_journal().intact
    assert main(["journal", "verify"]) == 0


def test_a_hundred_concurrent_additions_never_exceed_the_conventions_user_limit():
    net = make_network()
    _partner, group, admin, people = limited_partner(net)
    partner_token = tokens.create_personal_token(admin, "course").secret
    fund_token = tokens.create_personal_token(net.fund_admin_a, "course").secret
    requests = [
        (
            partner_token if i % 2 else fund_token,
            "post",
            f"/api/v1/groupes/{group.pk}/membres",
            {"account": p.login},
        )
        for i, p in enumerate(people)
    ]
    statuses, seconds = race(requests)
    print(f"{WRITES} ajouts simultanés en {seconds:.1f} s : {Counter(statuses)}")

    members = GroupMembership.objects.current().filter(group=group)
    assert statuses.count(201) == members.count() == LIMIT, Counter(statuses)
    assert all(status in (201, 400, 403, 409, 422) for status in statuses), Counter(statuses)
    added = JournalEntry.objects.filter(kind="admin.group.member.add", target__endswith=f":{group.pk}")
    assert (
        added.count() == LIMIT or JournalEntry.objects.filter(kind="admin.group.member.add").count() >= LIMIT
    )
    journal_is_intact()


def test_a_hundred_concurrent_additions_and_removals_lose_no_update():
    """Fifty accounts join and fifty already there leave, all at once: every request that succeeded is in the
    table and in the journal, and nothing else is."""
    net = make_network()
    _partner, group, admin, people = limited_partner(net)
    leaving, joining = people[:25], people[25:75]
    for person in leaving:
        services.add_group_member(None, group, person)
    token = tokens.create_personal_token(admin, "course").secret
    requests = [(token, "post", f"/api/v1/groupes/{group.pk}/membres", {"account": p.login}) for p in joining]
    requests += [(token, "delete", f"/api/v1/groupes/{group.pk}/membres/{p.login}", None) for p in leaving]
    requests += [(token, "delete", f"/api/v1/groupes/{group.pk}/membres/{p.login}", None) for p in leaving]
    statuses, seconds = race(requests)
    print(f"{len(requests)} ajouts et retraits simultanés en {seconds:.1f} s : {Counter(statuses)}")

    current = set(
        GroupMembership.objects.current().filter(group=group).values_list("account__login", flat=True)
    )
    added = sum(1 for s in statuses[: len(joining)] if s == 201)
    removed = sum(1 for s in statuses[len(joining) :] if s == 200)
    assert removed == len(leaving), "chaque compte ne quitte le groupe qu'une fois"
    assert current == {p.login for p, s in zip(joining, statuses, strict=False) if s == 201}
    assert added <= LIMIT and len(current) == added
    journal_is_intact()


def test_a_hundred_concurrent_decisions_on_one_convention_version_leave_exactly_one():
    net = make_network()
    fund = net.fund_a
    verifiers = [
        services.create_account(
            None,
            fund,
            first_name="Val",
            last_name=f"Verif{i:02}",
            email=f"v{i}@exemple.fr",
            roles=[net.roles["Verifier"]],
            password="Motdepasse#2025",
        )
        for i in range(10)
    ]
    partner = services.create_partner(
        None,
        fund,
        name="CCAS décidé",
        siret=DEMO_SIRETS[3],
        partner_type=PartnerType.objects.get(code="ccas"),
        street="3 rue",
        postal_code="75003",
        city="Paris",
    )
    convention = conventions.create_convention(
        net.fund_admin_a, partner, reference="CAF-R-1", service_contract="CS-R-1"
    )
    version = convention.versions.get()
    conventions.set_bulletin(
        net.fund_admin_a, version, Service.objects.get(code="cdap"), {net.roles["cdap-ass-cesf"]: None}
    )
    conventions.submit(net.fund_admin_a, version)
    verifier_tokens = [tokens.create_personal_token(v, "course").secret for v in verifiers]
    requests = [
        (
            verifier_tokens[i % len(verifier_tokens)],
            "post",
            f"/api/v1/conventions/{convention.pk}/transitions",
            {"action": "validate" if i % 2 else "reject", "reason": "Pièce manquante."},
        )
        for i in range(WRITES)
    ]
    statuses, seconds = race(requests)
    print(f"{WRITES} décisions simultanées en {seconds:.1f} s : {Counter(statuses)}")

    assert sum(1 for s in statuses if s == 200) == 1, Counter(statuses)
    assert all(s < 500 for s in statuses), Counter(statuses)
    decisions = JournalEntry.objects.filter(
        kind__in=["convention.version.validate", "convention.version.reject"],
        target=f"convention:{convention.pk}:v{version.number}",
    )
    assert decisions.count() == 1
    version.refresh_from_db()
    assert version.state in ("validated", "rejected")
    journal_is_intact()
