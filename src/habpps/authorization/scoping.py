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
from functools import cached_property

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
SUPERVISION = "supervision"

IdsToQ = Callable[[frozenset[int]], Q]


def _never(_ids: frozenset[int]) -> Q:
    return NOTHING


@dataclass(frozen=True)
class Columns:
    """How the rows of one list lie in the network: the ``Q`` of rows in the national unit, in funds and
    everything below them, in funds themselves, in partners; ``fields`` renames the other engine fields.
    ``everything`` is the rows of a population without bounds: every row, except for tables that store one
    row per level (the supervision's rolled-up counts), where it is the national level's."""

    everything: Q = Q()
    national: Q = NOTHING
    fund_tree: IdsToQ = _never
    fund: IdsToQ = _never
    partner: IdsToQ = _never
    fields: Mapping[str, str] = field(default_factory=dict)


def _ids_q(lookup: str) -> IdsToQ:
    return lambda ids: Q(**{f"{lookup}__in": sorted(ids)})


def account_columns(prefix: str = "") -> Columns:
    """Accounts, reached from another model through ``prefix`` (``"account__"``): each in its own organisation
    (national, a fund, a partner)."""
    return Columns(
        national=Q(**{f"{prefix}org_level": "national"}),
        fund_tree=lambda ids: Q(**{f"{prefix}fund_id__in": sorted(ids)}) | Q(**{f"{prefix}partner__fund_id__in": sorted(ids)}),
        fund=_ids_q(f"{prefix}fund_id"),
        partner=_ids_q(f"{prefix}partner_id"),
        fields={"login": f"{prefix}login"},
    )


ACCOUNT_COLUMNS = account_columns()
"""Accounts: each in its own organisation (national, a fund, a partner)."""

PARTNER_COLUMNS = Columns(fund_tree=_ids_q("fund_id"), partner=_ids_q("pk"))
"""Partner organisations: each is its own unit, under its fund."""

CONVENTION_COLUMNS = Columns(fund_tree=_ids_q("fund_id"), partner=_ids_q("partner_id"))
"""Conventions: in their partner's unit."""


def _funds_of_partners(ids: frozenset[int]) -> Q:
    from habpps.authorization.stored import Partner

    return Q(pk__in=Partner.objects.filter(pk__in=sorted(ids)).values("fund_id"))


FUND_COLUMNS = Columns(fund_tree=_ids_q("pk"), fund=_ids_q("pk"), partner=_funds_of_partners)
"""Funds as the choice of « which fund's files » (the CDAP consultations report): a fund whose unit, or one of
its partners' units, is in the population."""


def org_columns(fund: str = "fund", partner: str = "partner") -> Columns:
    """Rows carrying the ``fund`` and ``partner`` of the organisation they are about (empty above its level):
    the supervision's aggregates, findings and recertification items."""
    return Columns(
        national=Q(**{f"{fund}__isnull": True, f"{partner}__isnull": True}),
        fund_tree=_ids_q(f"{fund}_id"),
        fund=lambda ids: Q(**{f"{fund}_id__in": sorted(ids), f"{partner}__isnull": True}),
        partner=_ids_q(f"{partner}_id"),
    )


ORG_COLUMNS = org_columns()


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


def filter_q(population: RecordFilter, columns: Columns,
             units_of: Callable[[Iterable[str]], Units] = Units.of) -> Q:
    """The ``Q`` of exactly the rows of ``population`` (the one translation every list uses)."""
    if isinstance(population, Everything):
        return columns.everything
    if isinstance(population, Nothing):
        return NOTHING
    if isinstance(population, FieldIn):
        if population.field == ORG_FIELD:
            return units_of(population.values).q(columns)
        if population.field not in columns.fields:
            return NOTHING  # a field this list does not have: none of its rows is in the population
        return to_q(population, columns.fields)
    if isinstance(population, AnyOf):
        found = NOTHING
        for part in population.parts:
            found |= filter_q(part, columns, units_of)
        return found
    raise TypeError(f"Filtre de population inconnu : {type(population).__name__}")


def population_q(account, resource: str, columns: Columns) -> Q:
    """The ``Q`` of the rows of ``resource`` that ``account`` may see in a list."""
    return filter_q(population_of(account, resource), columns)


class Population:
    """One viewer's population of one resource, asked of the engine once and queried by several lists of one
    page (the supervision's dashboards read accounts, partners, aggregates and findings of the same
    population): the units are decomposed once, each list gives its `Columns`."""

    def __init__(self, record_filter: RecordFilter) -> None:
        self.filter = record_filter
        self._units: dict[frozenset[str], Units] = {}

    @classmethod
    def of(cls, account, resource: str) -> Population:
        return cls(population_of(account, resource))

    @classmethod
    def of_units(cls, names: Iterable[str]) -> Population:
        """The population of exactly these org units (a page narrowed to one partner, a benchmark)."""
        return cls(FieldIn(ORG_FIELD, frozenset(names)))

    def __repr__(self) -> str:
        return f"Population({self.filter!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Population) and other.filter == self.filter

    def __hash__(self) -> int:
        return hash(self.filter)

    def _units_of(self, names: Iterable[str]) -> Units:
        key = frozenset(names)
        if key not in self._units:
            self._units[key] = Units.of(key)
        return self._units[key]

    def q(self, columns: Columns) -> Q:
        """The ``Q`` of the rows of this population in a list laid out as ``columns``."""
        return filter_q(self.filter, columns, self._units_of)

    @property
    def is_everything(self) -> bool:
        return isinstance(self.filter, Everything)

    @cached_property
    def units(self) -> Units | None:
        """The org units of a population that is only units (None for everything or one with other fields)."""
        if isinstance(self.filter, Nothing):
            return Units()
        if isinstance(self.filter, FieldIn) and self.filter.field == ORG_FIELD:
            return self._units_of(self.filter.values)
        return None

    @property
    def only_partner(self) -> int | None:
        """The one partner organisation a population of exactly one partner's unit is (a partner's
        administrator by default): its pages go straight to that partner."""
        units = self.units
        if units is None or units.national or units.fund_trees or units.funds or len(units.partners) != 1:
            return None
        return next(iter(units.partners))


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


def visible_funds(account, resource: str):
    """The funds (not removed) whose rows of ``resource`` ``account`` may see some of, as a choice of fund."""
    from habpps.authorization.stored import Fund, Status

    return (Fund.objects.exclude(status=Status.REMOVED).filter(population_q(account, resource, FUND_COLUMNS))
            .order_by("code"))


def visible_conventions(account):
    """The conventions a list shows to ``account``: its population of ``conventions``."""
    from habpps.authorization.stored import Convention

    return Convention.objects.filter(population_q(account, CONVENTIONS, CONVENTION_COLUMNS))
