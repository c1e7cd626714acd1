"""Which part of the network a viewer's dashboards read: the engine's population of « supervision » (ENG-8).

The right to supervise is the engine's decision on ``consulter supervision`` in the viewer's own unit; what the
dashboards show is the viewer's population of « supervision » (`habpps.authorization.scoping`) — by default the
viewer's organisation and what lies under it (the population rules of the administrative profiles, seeded by
migration 0009 of the authorization app and edited on each profile's « Portée » page like any other). It is
applied as a filter inside every dashboard query — never by filtering rows after loading them. This module only
says how each dashboard's rows lie in the network (their `Columns`); which units they may come from is the
engine's answer, asked once per page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from habpps.authorization.decisions import is_allowed
from habpps.authorization.orgs import partner_unit
from habpps.authorization.scoping import (
    PARTNER_COLUMNS,
    SUPERVISION,
    Columns,
    Population,
    account_columns,
    org_columns,
)
from habpps.engine.scoping import Everything
from habpps.supervision.models import Level
from habpps.supervision.permissions import VIEW_SUPERVISION

ROLLED_UP_COLUMNS = Columns(
    everything=Q(level=Level.NATIONAL),
    fund_tree=lambda ids: Q(level=Level.FUND, fund_id__in=sorted(ids)),
    partner=lambda ids: Q(level=Level.PARTNER, partner_id__in=sorted(ids)),
)
"""The rolled-up counts (SUP-4, SUP-5) store one row per level: the nation's for a population without bounds, a
fund's for the fund and all below it, a partner's for the partner; summed over the units of the population. The
national body's and a fund's own staff have no row of their own (they hold no service profile)."""


def _partners_funds(ids) -> Q:
    from habpps.directory.models import Partner

    return Q(fund__isnull=True) | Q(fund_id__in=Partner.objects.filter(pk__in=sorted(ids)).values("fund_id"))


CAMPAIGN_COLUMNS = Columns(
    national=Q(fund__isnull=True),
    fund_tree=lambda ids: Q(fund__isnull=True) | Q(fund_id__in=sorted(ids)),
    fund=lambda ids: Q(fund__isnull=True) | Q(fund_id__in=sorted(ids)),
    partner=_partners_funds,
)
"""Recertification campaigns concern a population that touches what they cover: the national ones (every
partner), a fund's when the fund or one of its partners is in the population."""


@dataclass(frozen=True)
class Supervised:
    """A viewer's population of « supervision », with the filter of each kind of dashboard row."""

    population: Population

    @classmethod
    def everything(cls) -> Supervised:
        """The whole network (the alerts job, which observes every organisation)."""
        return cls(Population(Everything()))

    @classmethod
    def units(cls, *names: str) -> Supervised:
        return cls(Population.of_units(names))

    def rows(self, fund: str = "fund", partner: str = "partner") -> Q:
        """Rows carrying the ``fund`` and ``partner`` of their organisation (aggregates, findings, items)."""
        return self.population.q(org_columns(fund, partner))

    def partners(self) -> Q:
        """Partner organisations themselves."""
        return self.population.q(PARTNER_COLUMNS)

    def accounts(self, prefix: str = "") -> Q:
        """Accounts (``prefix`` reaches them from another model), each in its own organisation."""
        return self.population.q(account_columns(prefix))

    def rolled_up(self) -> Q:
        """The rolled-up counts (SUP-4, SUP-5) of the population's units."""
        return self.population.q(ROLLED_UP_COLUMNS)

    def campaigns(self) -> Q:
        """Recertification campaigns that concern the population: see `CAMPAIGN_COLUMNS`, and any campaign
        covering one of its partners."""
        if self.population.is_everything:
            return Q()
        from habpps.supervision.models import CampaignPartner

        covering = CampaignPartner.objects.filter(self.rows()).values("campaign_id")
        return self.population.q(CAMPAIGN_COLUMNS) | Q(pk__in=covering)

    @property
    def only_partner(self) -> int | None:
        """The one partner a population of exactly one partner is (a partner administrator's, by default)."""
        return self.population.only_partner

    def narrowed_to_partner(self, partner) -> Supervised | None:
        """The population restricted to one partner, or None when the partner lies outside it."""
        from habpps.directory.models import Partner

        if not Partner.objects.filter(self.partners(), pk=partner.pk).exists():
            return None
        return Supervised.units(partner_unit(partner.pk))

    def label(self) -> str:
        """What the dashboards cover, in words: « tout le réseau », « la caisse « X » »…"""
        from habpps.directory.models import Fund, Partner

        if self.population.is_everything:
            return _("tout le réseau")
        units = self.population.units
        if units is None:
            return _("votre périmètre de supervision")
        names = [_("l'organisme national")] if units.national else []
        funds = dict(Fund.objects.filter(pk__in=units.fund_trees | units.funds).values_list("pk", "name"))
        partners = dict(Partner.objects.filter(pk__in=units.partners).values_list("pk", "name"))
        if len(names) + len(funds) + len(partners) > 3:
            return ngettext("%(n)s unité du réseau", "%(n)s unités du réseau", len(names) + len(funds) + len(partners)) % {
                "n": len(names) + len(funds) + len(partners)}
        names += [_("la caisse « %(name)s »") % {"name": funds[pk]} for pk in sorted(units.fund_trees) if pk in funds]
        names += [_("les agents de la caisse « %(name)s »") % {"name": funds[pk]} for pk in sorted(units.funds)
                  if pk in funds]
        names += [_("l'organisme « %(name)s »") % {"name": partners[pk]} for pk in sorted(partners)]
        if not names:
            return _("aucune partie du réseau")
        return names[0] if len(names) == 1 else _("%(first)s et %(last)s") % {
            "first": ", ".join(names[:-1]), "last": names[-1]}


def supervised_by(account) -> Supervised | None:
    """What ``account`` supervises, or None when the engine does not let it read the dashboards."""
    if account is None or not getattr(account, "is_authenticated", False) or not account.is_active:
        return None
    if not is_allowed(account, *VIEW_SUPERVISION):
        return None
    return Supervised(Population.of(account, SUPERVISION))

