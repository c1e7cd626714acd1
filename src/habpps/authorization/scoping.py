"""Which rows a list shows: the engine's population filter (ENG-8) turned into a Django ``Q`` — the one home of
"my organisation and below".

Every list page and list API operation of the platform asks here, with the resource its rows are
(``comptes``, ``organismes``, ``conventions``, ``journal``) and the columns that place a row in the network
(`Columns`). The engine answers with the population of the viewer's usable role instances
(`Snapshot.population_filter`: the profiles' population rules, parameterised by the unit of each assignment,
within their dates and the session's active roles); this module intersects the list's own query with it, so the
database never returns a row the viewer must not see (thesis 3.1.4). The population rules of the administrative
profiles are seeded by migration 0008 of this app and edited on each profile's « Portée » page like any other.

The engine's population of an ``org_subtree`` rule is the set of units ``{fund:7, partner:3, partner:4, …}``;
a fund whose partners are all in the set is queried as "this fund and below" (the same SQL the hand-written
filters had), the other units one by one. A field other than ``org`` (an ``explicit`` or ``own_file`` rule on
``login``, say) is renamed through ``Columns.fields`` (`habpps.authorization.scoping_q.to_q`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Q

from habpps.authorization.decisions import active_roles
from habpps.authorization.orgs import NATIONAL_UNIT, scope_path
from habpps.authorization.policy_cache import current_policy
from habpps.authorization.request_context import decision_context
from habpps.authorization.scoping_q import to_q
from habpps.engine import RBACError
from habpps.engine.scoping import AnyOf, Everything, FieldIn, Nothing, RecordFilter

ORG_FIELD = "org"
"""The engine field of the population rules that place a record in the network (its org unit)."""

NOTHING = Q(pk__in=[])

# The resources the lists show, by the name population rules use (`scope_services.RESOURCES`).
ACCOUNTS = "comptes"
PARTNERS = "organismes"
CONVENTIONS = "conventions"
JOURNAL = "journal"

IdsToQ = Callable[[frozenset[int]], Q]


def _never(_ids: frozenset[int]) -> Q:
    return NOTHING


@dataclass(frozen=True)
class Columns:
    """How the rows of one list lie in the network: the ``Q`` of rows in the national unit, in funds and
    everything below them, in funds themselves, in partners; ``fields`` renames the other engine fields."""

    national: Q = NOTHING
    fund_tree: IdsToQ = _never
    fund: IdsToQ = _never
    partner: IdsToQ = _never
    fields: Mapping[str, str] = field(default_factory=dict)


def _ids_q(lookup: str) -> IdsToQ:
    return lambda ids: Q(**{f"{lookup}__in": sorted(ids)})


ACCOUNT_COLUMNS = Columns(
    national=Q(org_level="national"),
    fund_tree=lambda ids: Q(fund_id__in=sorted(ids)) | Q(partner__fund_id__in=sorted(ids)),
    fund=_ids_q("fund_id"),
    partner=_ids_q("partner_id"),
    fields={"login": "login"},
)
"""Accounts: each in its own organisation (national, a fund, a partner)."""

PARTNER_COLUMNS = Columns(fund_tree=_ids_q("fund_id"), partner=_ids_q("pk"))
"""Partner organisations: each is its own unit, under its fund."""

CONVENTION_COLUMNS = Columns(fund_tree=_ids_q("fund_id"), partner=_ids_q("partner_id"))
"""Conventions: in their partner's unit."""


def _under(paths: Iterable[str]) -> Q:
    """Journal rows whose scope is one of ``paths`` or lies under it (the journal's own prefix rule)."""
    found = NOTHING
    for path in sorted(paths):
        found |= Q(org_scope=path) | Q(org_scope__startswith=f"{path}/")
    return found


def _partner_paths(ids: frozenset[int]) -> list[str]:
    from habpps.authorization.stored import Partner

    return [scope_path(fund_id, pk) for pk, fund_id in Partner.objects.filter(pk__in=ids).values_list("pk", "fund_id")]


JOURNAL_COLUMNS = Columns(
    national=Q(org_scope=scope_path()),
    fund_tree=lambda ids: _under(scope_path(pk) for pk in ids),
    fund=lambda ids: Q(org_scope__in=sorted(scope_path(pk) for pk in ids)),
    partner=lambda ids: _under(_partner_paths(ids)),
)
"""Journal entries: by their scope path (``national/fund:7/partner:42``), a partner's including what lies under
it, as the auditors' search has always matched them."""


# -- the population of a viewer -------------------------------------------------------------------------------------
def population_of(account, resource: str) -> RecordFilter:
    """The engine's population of ``resource`` for ``account`` now, with its session's active roles; an
    anonymous or inactive viewer, or one the engine does not know, has none (the policy is closed)."""
    if account is None or not getattr(account, "is_authenticated", False) or not account.is_active:
        return Nothing()
    try:
        return current_policy().snapshot.population_filter(
            account.login, resource, active_roles=active_roles(account), context=decision_context()
        )
    except RBACError:
        return Nothing()


@dataclass(frozen=True)
class Units:
    """A set of the network's org units, as queries need it: funds with everything below them, and the rest."""

    national: bool = False
    fund_trees: frozenset[int] = frozenset()
    funds: frozenset[int] = frozenset()
    partners: frozenset[int] = frozenset()

    @classmethod
    def of(cls, names: Iterable[str]) -> Units:
        """Decompose unit names; a fund whose every partner is in the set becomes a tree (one query on the
        partners of those funds). Names that are not the network's units select nothing."""
        from habpps.authorization.stored import Partner

        national, funds, partners = False, set(), set()
        for name in names:
            if name == NATIONAL_UNIT:
                national = True
                continue
            kind, _, key = str(name).partition(":")
            if key.isdigit() and kind in ("fund", "partner"):
                (funds if kind == "fund" else partners).add(int(key))
        trees = set(funds)
        if funds:
            for partner_id, fund_id in Partner.objects.filter(fund_id__in=funds).values_list("pk", "fund_id"):
                if partner_id not in partners:
                    trees.discard(fund_id)
        if trees:
            below = set(Partner.objects.filter(fund_id__in=trees).values_list("pk", flat=True))
            partners -= below
        return cls(national, frozenset(trees), frozenset(funds - trees), frozenset(partners))

    def q(self, columns: Columns) -> Q:
        found = columns.national if self.national else NOTHING
        for ids, to_q_of in ((self.fund_trees, columns.fund_tree), (self.funds, columns.fund),
                             (self.partners, columns.partner)):
            if ids:
                found |= to_q_of(ids)
        return found


def filter_q(population: RecordFilter, columns: Columns) -> Q:
    """The ``Q`` of exactly the rows of ``population`` (the one translation every list uses)."""
    if isinstance(population, Everything):
        return Q()
    if isinstance(population, Nothing):
        return NOTHING
    if isinstance(population, FieldIn):
        if population.field == ORG_FIELD:
            return Units.of(population.values).q(columns)
        if population.field not in columns.fields:
            return NOTHING  # a field this list does not have: none of its rows is in the population
        return to_q(population, columns.fields)
    if isinstance(population, AnyOf):
        found = NOTHING
        for part in population.parts:
            found |= filter_q(part, columns)
        return found
    raise TypeError(f"Filtre de population inconnu : {type(population).__name__}")


def population_q(account, resource: str, columns: Columns) -> Q:
    """The ``Q`` of the rows of ``resource`` that ``account`` may see in a list."""
    return filter_q(population_of(account, resource), columns)


def visible_accounts(account):
    """The accounts (not removed) a list shows to ``account``: its population of ``comptes``."""
    from habpps.authorization.stored import Account

    return (Account.objects.exclude(status="removed").filter(population_q(account, ACCOUNTS, ACCOUNT_COLUMNS))
            .select_related("partner", "fund"))


def visible_partners(account):
    """The partner organisations (not removed) a list shows to ``account``: its population of ``organismes``."""
    from habpps.authorization.stored import Partner, Status

    return (Partner.objects.select_related("fund", "partner_type").exclude(status=Status.REMOVED)
            .filter(population_q(account, PARTNERS, PARTNER_COLUMNS)))


def visible_conventions(account):
    """The conventions a list shows to ``account``: its population of ``conventions``."""
    from habpps.authorization.stored import Convention

    return Convention.objects.filter(population_q(account, CONVENTIONS, CONVENTION_COLUMNS))
