"""The questions this app asks before a change to the directory's groups and accounts (CNV-1, CNV-2, ADM-4),
registered from ``AppConfig.ready``.

The directory's services consult them before every change to a group or an account
(``habpps.authorization.perimeters``), so the directory's own pages, the API and the delegated-administration pages
obey the same two rules:

- ``ConventionPerimeter``: asks the engine's perimeter rule (compiled from the validated conventions by
  ``habpps.conventions.policy_rules``): a partner's groups hold only profiles its validated convention grants,
  within the per-profile user limits — whoever acts, the system included; a group or an account back in force
  must fit too.
- ``DelegationPerimeter``: an account of the partner acting on its own partner without the engine's
  delegate-habilitations permission there (a delegate) manages only the groups, profiles and accounts of the
  sub-perimeter the partner administrator gave him, creates no group and gives no administrative role — nobody
  grants more than he holds; the partner administrator and the fund's staff are not bound by it. Who is which,
  and what the delegate may do, is decided by the engine (``delegation.authority`` asks its administrative RBAC —
  ``can_manage_group``, ``can_create_group``, ``can_assign_admin``… — into which ``delegation.policy_rules``
  compiles the sub-perimeters), never by a role name nor here.
"""

from __future__ import annotations

from habpps.authorization.perimeters import Perimeter, register
from habpps.conventions import perimeter_decisions as convention
from habpps.conventions.delegation import authority as delegation
from habpps.conventions.doctrine import Refusal
from habpps.directory.models import GroupMembership, Partner, Status


class ConventionPerimeter(Perimeter):
    """The partner's validated convention and its per-profile user limits."""

    name = "convention"

    def profile_refusal(self, actor, group, role) -> Refusal | None:
        return convention.profile_refusal(group, role)

    def membership_refusal(self, actor, group, account) -> Refusal | None:
        return convention.membership_refusal(group, account)

    def reactivation_refusal(self, actor, group) -> Refusal | None:
        """A suspended group's members were not counted: back in force, they must fit in every user limit."""
        return convention.reactivation_refusal(group)

    def account_reactivation_refusal(self, actor, account) -> Refusal | None:
        """A suspended account was not counted: back in force, it must fit in its groups' user limits."""
        memberships = (
            GroupMembership.objects.current()
            .filter(account=account, group__status=Status.ACTIVE)
            .select_related("group__partner")
        )
        for membership in memberships:
            refusal = convention.membership_refusal(membership.group, account)
            if refusal:
                return refusal
        return None


class DelegationPerimeter(Perimeter):
    """The sub-perimeter delegated to a partner's delegate (some groups, some profiles)."""

    name = "delegation"

    @staticmethod
    def bounded_authority(actor, partner) -> delegation.Authority | None:
        """The delegated authority bounding ``actor`` in ``partner``, or None when he is not bound by one.

        Only an account of ``partner`` itself is bound; among them, the engine's delegate-habilitations
        permission marks the partner administrator (full authority). An account of the partner holding no
        authority at all is bound by an empty perimeter: the engine let him manage groups, nobody delegated any.
        """
        if actor is None or actor.partner_id != partner.pk:
            return None
        authority = delegation.authority_of(actor, partner)
        if authority is None:
            return delegation.Authority(actor, partner, False, frozenset(), frozenset())
        return None if authority.full else authority

    def group_creation_refusal(self, actor, partner) -> Refusal | None:
        authority = self.bounded_authority(actor, partner)
        return delegation.group_creation_refusal(authority) if authority else None

    def group_refusal(self, actor, group) -> Refusal | None:
        authority = self.bounded_authority(actor, group.partner)
        return delegation.group_refusal(authority, group) if authority else None

    def profile_refusal(self, actor, group, role) -> Refusal | None:
        authority = self.bounded_authority(actor, group.partner)
        return delegation.assign_refusal(authority, group, role) if authority else None

    def profile_removal_refusal(self, actor, group, role) -> Refusal | None:
        authority = self.bounded_authority(actor, group.partner)
        return delegation.revoke_refusal(authority, group, role) if authority else None

    def membership_refusal(self, actor, group, account) -> Refusal | None:
        authority = self.bounded_authority(actor, group.partner)
        if authority is None:
            return None
        return delegation.group_refusal(authority, group) or delegation.account_refusal(authority, account)

    def member_removal_refusal(self, actor, group, account) -> Refusal | None:
        return self.membership_refusal(actor, group, account)

    def account_creation_refusal(self, actor, organisation, roles) -> Refusal | None:
        if not roles or not isinstance(organisation, Partner):
            return None
        authority = self.bounded_authority(actor, organisation)
        return delegation.administrative_role_refusal(authority, None) if authority else None

    def account_refusal(self, actor, account) -> Refusal | None:
        if account.partner_id is None:
            return None
        authority = self.bounded_authority(actor, account.partner)
        return delegation.account_refusal(authority, account) if authority else None

    def account_role_refusal(self, actor, account, role) -> Refusal | None:
        if account.partner_id is None:
            return None
        authority = self.bounded_authority(actor, account.partner)
        return delegation.administrative_role_refusal(authority, account) if authority else None


def register_perimeters() -> None:
    """Called from ``ConventionsConfig.ready``: the directory's services consult both from then on — the
    delegation first, so that a delegate hears first that he may not act there at all, then the convention."""
    register(DelegationPerimeter())
    register(ConventionPerimeter())
