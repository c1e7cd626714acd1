"""Whose dashboards a viewer reads: the nation, one fund or one partner — and the query filter that says so.

The right to supervise is the engine's decision on ``consulter supervision`` in the viewer's own unit; the
population is the viewer's organisation and what lies under it (thesis 3.1.4, « only the files of their org
unit »). It is applied as a filter inside every dashboard query — on the aggregates' ``fund`` and ``partner``
columns, or on an account's attachment — never by filtering rows after loading them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from habpps.accounts.models import OrgLevel
from habpps.authorization.decisions import is_allowed
from habpps.authorization.orgs import scope_path
from habpps.supervision.models import Level
from habpps.supervision.permissions import VIEW_SUPERVISION


@dataclass(frozen=True)
class SupervisionScope:
    """The part of the network a viewer supervises; ``fund_id`` and ``partner_id`` narrow it level by level."""

    level: str
    fund_id: int | None = None
    partner_id: int | None = None

    @classmethod
    def national(cls) -> SupervisionScope:
        return cls(Level.NATIONAL)

    @classmethod
    def of_fund(cls, fund_id: int) -> SupervisionScope:
        return cls(Level.FUND, fund_id=fund_id)

    @classmethod
    def of_partner(cls, fund_id: int, partner_id: int) -> SupervisionScope:
        return cls(Level.PARTNER, fund_id=fund_id, partner_id=partner_id)

    def narrowed_to_partner(self, partner) -> SupervisionScope | None:
        """This scope restricted to one partner, or None when the partner lies outside it."""
        if not self.covers(partner.fund_id, partner.pk):
            return None
        return SupervisionScope.of_partner(partner.fund_id, partner.pk)

    def covers(self, fund_id: int | None, partner_id: int | None) -> bool:
        """Whether an organisation (its fund, its partner) lies within the scope — for one object, never lists."""
        if self.level == Level.NATIONAL:
            return True
        if self.level == Level.FUND:
            return fund_id == self.fund_id
        return partner_id == self.partner_id

    def rows(self, fund: str = "fund", partner: str = "partner") -> Q:
        """Filter for rows carrying ``fund`` and ``partner`` columns (the aggregates, findings, items)."""
        if self.level == Level.NATIONAL:
            return Q()
        if self.level == Level.FUND:
            return Q(**{f"{fund}_id": self.fund_id})
        return Q(**{f"{partner}_id": self.partner_id})

    def partners(self) -> Q:
        """Filter for partner organisations themselves."""
        if self.level == Level.NATIONAL:
            return Q()
        if self.level == Level.FUND:
            return Q(fund_id=self.fund_id)
        return Q(pk=self.partner_id)

    def accounts(self, prefix: str = "") -> Q:
        """Filter for accounts (``prefix`` reaches them from another model): those under the scope's unit.

        At national level every account; at fund level the fund's own staff and its partners' users; at partner
        level the partner's users.
        """
        if self.level == Level.NATIONAL:
            return Q()
        if self.level == Level.FUND:
            return Q(**{f"{prefix}fund_id": self.fund_id}) | Q(**{f"{prefix}partner__fund_id": self.fund_id})
        return Q(**{f"{prefix}partner_id": self.partner_id})

    def rolled_up(self) -> Q:
        """Filter for the rolled-up counts (SUP-4, SUP-5): the rows stored for exactly this scope's unit."""
        if self.level == Level.NATIONAL:
            return Q(level=Level.NATIONAL)
        if self.level == Level.FUND:
            return Q(level=Level.FUND, fund_id=self.fund_id)
        return Q(level=Level.PARTNER, partner_id=self.partner_id)

    @property
    def journal_scope(self) -> str:
        """The journal's org scope of this unit, for the events the supervision records."""
        return scope_path(self.fund_id, self.partner_id)


def supervision_scope_for(account) -> SupervisionScope | None:
    """The scope ``account`` supervises, or None when the engine does not let it read the dashboards."""
    if account is None or not getattr(account, "is_authenticated", False) or not account.is_active:
        return None
    if not is_allowed(account, *VIEW_SUPERVISION):
        return None
    return scope_of_organisation(account)


def scope_of_organisation(account) -> SupervisionScope:
    """The scope of the organisation an account works for, whatever it may read."""
    if account.org_level == OrgLevel.PARTNER:
        return SupervisionScope.of_partner(account.partner.fund_id, account.partner_id)
    if account.org_level == OrgLevel.FUND:
        return SupervisionScope.of_fund(account.fund_id)
    return SupervisionScope.national()
