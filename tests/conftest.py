"""Fixtures shared by the platform's tests: fast hashing, fresh policy per test, and a small network.

The network is built through the same administrative services as the web pages, so every fixture row is
journalled and compiled into the engine exactly as in production.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from django.db.models import Model

from habpps.authorization.policy_cache import policy_cache
from habpps.http.rate_limits import forget_counts
from habpps.journal.denials import forget_floods

DEMO_SIRETS = ["73282932000074", "35600000000048", "44306184100047", "55208131766522"]


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    """Tests marked ``postgres`` need the server scripts/test.sh starts; elsewhere they are skipped."""
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("nécessite PostgreSQL (DATABASE_URL), lancé par scripts/test.sh")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path_factory, monkeypatch) -> None:
    # Argon2 is deliberately slow; tests of the hasher itself restore it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every decision probes the version, so a change made by a test is seen by its next request.
    settings.HABPPS_POLICY_PROBE_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Queued mail is sent by the tests themselves (``outbox.retry_due``), not by a thread racing the test.
    settings.HABPPS_MAIL_SENDER = "off"
    # Each test's journal gets its own anchor store (a fresh database must not meet another test's anchors).
    anchors = str(tmp_path_factory.mktemp("ancres"))
    settings.HABPPS_JOURNAL_ANCHOR_DIR = anchors
    monkeypatch.setenv("HABPPS_JOURNAL_ANCHOR_DIR", anchors)
    policy_cache.invalidate()
    forget_counts()
    forget_floods()


def ensure_reference_data() -> None:
    """Re-seed the migrations' reference data (the directory's catalogue and administrative roles, the
    permissions the conventions app adds to them): transactional tests flush every table when they end."""
    from django.apps import apps

    importlib.import_module("habpps.directory.migrations.0002_reference_data").seed(apps, None)
    importlib.import_module("habpps.conventions.migrations.0002_delegation_permission").seed(apps, None)
    importlib.import_module("habpps.authorization.migrations.0005_model_permissions_and_rules").seed(apps, None)
    importlib.import_module("habpps.authorization.migrations.0008_admin_population_rules").seed(apps, None)
    importlib.import_module("habpps.authorization.migrations.0009_supervision_population_rules").seed(apps, None)
    policy_cache.invalidate()


def make_network():
    """Two funds A and B, each with an administrator and a verifier, and a CCAS partner whose validated
    convention (``convention_a``, ``convention_b``: the CDAP social-worker profile, no user limit) lets its group
    hold that profile; a national administrator.

    As in production, the convention is entered by the fund's administrator and validated by its verifier before
    the group receives the profile: the directory's services refuse a profile no validated convention grants."""
    from habpps.conventions.demo import seed_validated_convention
    from habpps.directory import services
    from habpps.directory.models import PartnerType, ServiceRole

    ensure_reference_data()
    roles = {role.code: role for role in ServiceRole.objects.all()}
    ccas = PartnerType.objects.get(code="ccas")

    def account(organisation, first, last, *role_codes):
        return services.create_account(
            None,
            organisation,
            first_name=first,
            last_name=last,
            email=f"{first}.{last}@exemple.fr".lower(),
            roles=[roles[code] for code in role_codes],
            password="Motdepasse#2025",
        )

    net = SimpleNamespace(roles=roles)
    net.national_admin = account(None, "Nadia", "Nationale", "NationalAdmin")
    for key, code, name, siret in (
        ("a", "751", "Caf A", DEMO_SIRETS[0]),
        ("b", "691", "Caf B", DEMO_SIRETS[2]),
    ):
        fund = services.create_fund(None, code=code, name=name, department=code[:2])
        fund_admin = account(fund, "Fanny", f"Admin{key.upper()}", "FundAdmin")
        verifier = account(fund, "Victor", f"Verif{key.upper()}", "Verifier")
        partner = services.create_partner(
            None,
            fund,
            name=f"CCAS {key.upper()}",
            siret=siret,
            partner_type=ccas,
            street="1 place de la Mairie",
            postal_code=f"{code[:2]}000",
            city="Ville",
        )
        convention = seed_validated_convention(
            partner, {roles["cdap-ass-cesf"]: None}, admin=fund_admin, verifier=verifier
        )
        group = services.create_group(None, partner, name="Travailleurs sociaux")
        services.assign_group_role(None, group, roles["cdap-ass-cesf"])
        user = account(partner, "Ulysse", f"Usager{key.upper()}")
        services.add_group_member(None, group, user)
        setattr(net, f"fund_{key}", fund)
        setattr(net, f"fund_admin_{key}", fund_admin)
        setattr(net, f"verifier_{key}", verifier)
        setattr(net, f"partner_{key}", partner)
        setattr(net, f"convention_{key}", convention)
        setattr(net, f"partner_admin_{key}", account(partner, "Paule", f"Admin{key.upper()}", "PartnerAdmin"))
        setattr(net, f"group_{key}", group)
        setattr(net, f"user_{key}", user)
    return net


# -- One build per run of consecutive tests ---------------------------------------------------------------------
# Building the network goes through every administrative service, and each one compiles the whole policy inside
# the test's transaction: about twenty compilations, the largest single cost of the suite. Consecutive tests that
# use the same world (``network``, or an app's fixture declared with ``shared_world``) and no committed data
# therefore share one build, made in an outer transaction that is rolled back before any other test using the
# database runs; each test runs in a savepoint of it (pytest-django's ``db``), so what a test writes is rolled
# back as before, and it gets the world's objects read afresh from the database, so no test sees another's
# in-memory changes. Transactional tests (live server, committed data) still build their own.

TRANSACTIONAL_FIXTURES = ("transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback")
_BUILDER = pytest.StashKey()


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
                               or marker.kwargs.get("serialized_rollback")):
        return True
    return any(name in getattr(item, "fixturenames", ()) for name in TRANSACTIONAL_FIXTURES)


def _uses_the_database(item: pytest.Item) -> bool:
    names = getattr(item, "fixturenames", ())
    return item.get_closest_marker("django_db") is not None or any(
        name in names for name in ("db", "_django_db_helper", "django_db_blocker", *TRANSACTIONAL_FIXTURES)
    )


def shared_world(builder):
    """Declare a function-scoped fixture whose value is ``builder()``, shared by consecutive tests (above)."""

    def decorate(function):
        def fixture(request, db):
            if shared_worlds.builder is builder and not _is_transactional(request.node):
                return shared_worlds.fresh()
            return builder()

        fixture.__name__ = fixture.__qualname__ = function.__name__
        fixture.__doc__ = function.__doc__
        fixture.shared_builder = builder
        return pytest.fixture(fixture)

    return decorate


class SharedWorlds:
    """The one world currently built in an outer transaction, for the consecutive tests that use it."""

    def __init__(self) -> None:
        self.atomic = None
        self.blocker = None
        self.builder = None
        self.world = None

    def open(self, builder, blocker) -> None:
        from django.test import override_settings

        # What ``_test_settings`` sets for each test, for the build made before the test's own settings apply.
        fast = override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            HABPPS_POLICY_PROBE_SECONDS=0,
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            HABPPS_MAIL_SENDER="off",
        )
        with blocker.unblock(), fast:
            if connection.in_atomic_block:  # inside another transaction: each test builds its own
                return
            policy_cache.invalidate()
            self.blocker = blocker
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            try:
                self.world = builder()
            except BaseException:
                self.close()
                raise
            self.builder = builder

    def close(self) -> None:
        if self.atomic is None:
            return
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = self.world = self.builder = None
        policy_cache.invalidate()

    def fresh(self) -> SimpleNamespace:
        """The world with every model object read again from the database (one query per model)."""
        instances: dict[type, set] = {}

        def collect(value) -> None:
            if isinstance(value, Model):
                instances.setdefault(type(value), set()).add(value.pk)
            elif isinstance(value, SimpleNamespace):
                collect(vars(value))
            elif isinstance(value, dict):
                for item in value.values():
                    collect(item)
            elif isinstance(value, list | tuple):
                for item in value:
                    collect(item)

        collect(self.world)
        loaded = {model: model._default_manager.in_bulk(pks) for model, pks in instances.items()}
        copies: dict[int, SimpleNamespace] = {}

        def copy(value):
            if isinstance(value, Model):
                return loaded[type(value)][value.pk]
            if isinstance(value, SimpleNamespace):  # shared parts (``world.net``) stay shared in the copy
                if id(value) not in copies:
                    copies[id(value)] = SimpleNamespace(**copy(vars(value)))
                return copies[id(value)]
            if isinstance(value, dict):
                return {key: copy(item) for key, item in value.items()}
            if isinstance(value, list | tuple):
                return type(value)(copy(item) for item in value)
            return value

        return copy(self.world)


shared_worlds = SharedWorlds()


def _builder_of(item: pytest.Item):
    """The one shared world ``item`` uses, if it uses exactly one and commits nothing."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None or _is_transactional(item):
        return None
    builders = set()
    for name in item.fixturenames:
        definitions = info.name2fixturedefs.get(name)
        builder = getattr(definitions[-1].func, "shared_builder", None) if definitions else None
        if builder is not None:
            builders.add(builder)
    return builders.pop() if len(builders) == 1 else None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items) -> None:
    """Tests sharing a world get ``_shared_world`` before any other fixture: its outer transaction must be open
    before pytest-django's ``db`` opens the test's own (a savepoint inside it).

    Under pytest-xdist (``--dist loadgroup``, scripts/test.sh) the tests of a file stay on one worker, in order
    (module fixtures, shared worlds), and the browser tests all run on one worker, one after the other, as they
    would in a single process, while the other workers take the other files."""
    for item in items:
        group = "navigateur" if item.get_closest_marker("e2e") else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))
        builder = _builder_of(item)
        if builder is not None:
            item.stash[_BUILDER] = builder
            item.fixturenames.insert(0, "_shared_world")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item) -> None:
    """A test using another world, or the database in another way (building its own data, committing it), runs
    without the shared world; tests that do not touch the database leave it in place."""
    builder = item.stash.get(_BUILDER, None)
    if builder is not shared_worlds.builder and (builder is not None or _uses_the_database(item)):
        shared_worlds.close()


@pytest.fixture(scope="session")
def _shared_world_session(django_db_setup, django_db_blocker):
    """Rolls the shared world back after the last test, before the test database is destroyed."""
    yield django_db_blocker
    shared_worlds.close()


@pytest.fixture
def _shared_world(request, _shared_world_session) -> None:
    builder = request.node.stash[_BUILDER]
    if shared_worlds.builder is None:
        shared_worlds.open(builder, _shared_world_session)


@shared_world(make_network)
def network():
    """The small network of ``make_network``."""
