"""Two verifiers validate (or one validates, one rejects) the same version at the same instant: exactly one
wins and nothing is lost (CNV-2, CNV-3). Needs PostgreSQL's row locks: skipped on SQLite, run by the test
script's PostgreSQL pass."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from conventions.conftest import make_convention_world
from habpps.conventions import services
from habpps.conventions.models import ConventionVersion
from habpps.conventions.workflow import VersionState
from habpps.journal.models import JournalEntry
from habpps.journal.verification import verify_journal

pytestmark = pytest.mark.postgres


def submitted_version(world) -> ConventionVersion:
    convention = services.create_convention(
        world.admin, world.partner, reference="CAF751-2025-100", service_contract="CS-100"
    )
    version = convention.versions.get()
    services.set_bulletin(world.admin, version, world.cdap, {world.roles["cdap-ass-cesf"]: None})
    services.submit(world.admin, version)
    return version


def race(*actions) -> list[object]:
    """Run the actions at once, each in its own thread and database connection; their outcomes in order."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[object] = [None] * len(actions)

    def run(index: int, action) -> None:
        try:
            barrier.wait()
            outcomes[index] = action()
        except Exception as error:  # the outcome under test: which one lost, and how
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_verifiers_validating_at_once_exactly_one_wins():
    world = make_convention_world()
    version = submitted_version(world)
    outcomes = race(
        lambda: services.validate_version(world.verifier, version),
        lambda: services.validate_version(world.admin_verifier, version),
    )
    winners = [o for o in outcomes if isinstance(o, ConventionVersion)]
    losers = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert losers[0].code == "already_decided"
    version.refresh_from_db()
    assert version.state == VersionState.VALIDATED and version.decided_by_id == winners[0].decided_by_id
    assert (
        JournalEntry.objects.filter(
            kind="convention.version.validate", target=f"convention:{version.convention_id}:v{version.number}"
        ).count()
        == 1
    )
    assert verify_journal().intact


@pytest.mark.django_db(transaction=True)
def test_a_validation_and_a_rejection_at_once_leave_one_decision():
    world = make_convention_world()
    version = submitted_version(world)
    outcomes = race(
        lambda: services.validate_version(world.verifier, version),
        lambda: services.reject_version(world.admin_verifier, version, "Pièce manquante."),
    )
    assert sum(isinstance(o, ConventionVersion) for o in outcomes) == 1, outcomes
    version.refresh_from_db()
    decided = JournalEntry.objects.filter(
        kind__in=["convention.version.validate", "convention.version.reject"],
        target=f"convention:{version.convention_id}:v{version.number}",
    )
    assert decided.count() == 1
    assert version.state == (
        VersionState.VALIDATED if decided.get().kind.endswith("validate") else VersionState.REJECTED
    )
