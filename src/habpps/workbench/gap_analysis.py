"""RE-6 on the platform: the directory's declared rights against the rights the journal shows used.

Declared rights are read from the process's compiled policy (``current_policy().rbac``), used ones from the
journal over a period (:mod:`habpps.workbench.usage`); :func:`habpps.roleeng.gap.analyse_gap` does the
comparison, and the usage is mined (a few seconds at most) to tell who fits no usage pattern.

The core proposes abstract changes (drop a user's role, drop a role's permission); here each becomes a
*directory action* made by the directory's own service — never a write of this app:

- a role the account holds itself → ``revoke_account_role``;
- a role held through a group → ``remove_group_member``, proposed only when the user used none of the roles the
  group gives (the directory has no service removing one profile from one member of a group: groups give their
  profiles to all their members);
- a permission no holder of a role used → ``set_role_permissions`` without it, which every holder loses.

Each action is previewed with everyone it takes something from, and whether the viewer may make it (the
service's own permission, asked of the engine). :func:`apply_actions` makes the chosen actions in one
transaction — each service journals its change, and a summary event records the gap analysis it came from; any
refusal undoes them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db import transaction

from habpps.accounts.models import Account
from habpps.authorization.decisions import is_allowed
from habpps.authorization.orgs import NATIONAL_UNIT, partner_unit
from habpps.authorization.permissions import MANAGE_CATALOGUE, MANAGE_GROUPS
from habpps.authorization.policy_cache import current_policy
from habpps.directory import services
from habpps.directory.models import Group, RolePermission, ServiceRole
from habpps.directory.services.accounts import account_management_permission
from habpps.engine import RBAC
from habpps.journal.services import record_event
from habpps.roleeng.gap import Change, DeclaredRights, GapReport, analyse_gap, preview_changes
from habpps.roleeng.mining import Deadline, MinerSettings, mine
from habpps.roleeng.sources import (
    declared_rights,
    permission_token,
    token_permission,
    upa_from_accesses,
    used_rights,
)
from habpps.workbench.models import MiningRun
from habpps.workbench.permissions import USE_WORKBENCH
from habpps.workbench.usage import observed_accesses

#: Seconds the usage mining of a gap analysis may take (outside patterns); a web request waits for it.
PATTERN_MINING_SECONDS = 5.0
#: A mined role is a *pattern* when at least this many users share it; a role of one user is that user's own
#: way of working (an exact cover always explains everyone with such roles, which would say nothing).
PATTERN_MIN_USERS = 2
JOURNAL_SCOPE = "national"


@dataclass(frozen=True)
class DirectoryAction:
    """One change of the directory that implements proposed changes, and who may make it."""

    key: str
    kind: str  # revoke_account_role | remove_group_member | revoke_role_permission
    description: str
    reasons: tuple[str, ...]
    changes: tuple[Change, ...]  # the core's changes it amounts to, for the preview
    service_permission: tuple[str, str, str]  # (operation, object, unit) the directory service checks
    account: str | None = None
    role: str | None = None
    group: str | None = None
    permission: tuple[str, str] | None = None


@dataclass(frozen=True)
class Unapplicable:
    """A proposal no existing directory service can make, with the reason."""

    change: Change
    reason: str


@dataclass
class GapAnalysis:
    """The analysis of one period, with the directory actions its proposals become."""

    start: date
    end: date
    declared: DeclaredRights
    used: dict[str, frozenset[str]]
    report: GapReport
    patterns: int
    actions: list[DirectoryAction] = field(default_factory=list)
    unapplicable: list[Unapplicable] = field(default_factory=list)

    @cached_property
    def by_key(self) -> dict[str, DirectoryAction]:
        return {action.key: action for action in self.actions}

    def chosen(self, keys: Iterable[str]) -> list[DirectoryAction]:
        """The actions named by ``keys`` (unknown keys — a stale form — are ignored), in the analysis order."""
        wanted = set(keys)
        return [action for action in self.actions if action.key in wanted]

    def preview(self, actions: Sequence[DirectoryAction]) -> dict[str, frozenset[str]]:
        """Who would lose which permissions (tokens) if these actions were made."""
        return preview_changes(self.declared, [change for action in actions for change in action.changes])


def analyse(
    start: date, end: date, rbac: RBAC | None = None, patterns_from: MiningRun | None = None
) -> GapAnalysis:
    """Compare the policy in force with the uses the journal shows between two days (included).

    Usage patterns are the roles shared by several users, mined from this period's usage, or taken from a
    finished mining run (``patterns_from``: another period, the policy, a file).
    """
    rbac = rbac if rbac is not None else current_policy().rbac
    declared = declared_rights(rbac)
    accesses = list(observed_accesses(start, end))
    used = used_rights(accesses)
    if patterns_from is not None and patterns_from.result:
        mined_roles = [(role["permissions"], role["users"]) for role in patterns_from.result["roles"]]
    else:
        upa = upa_from_accesses(accesses)
        mined = mine(upa, Deadline(PATTERN_MINING_SECONDS), settings=MinerSettings(use_exact_solver=False))
        mined_roles = [(role.permissions, role.users) for role in mined.roles]
    patterns = [permissions for permissions, users in mined_roles if len(users) >= PATTERN_MIN_USERS]
    report = analyse_gap(declared, used, patterns)
    analysis = GapAnalysis(start, end, declared, used, report, len(patterns))
    _plan_actions(analysis, rbac)
    return analysis


def _plan_actions(analysis: GapAnalysis, rbac: RBAC) -> None:
    idle = analysis.report.unused_roles_by_user
    by_key: dict[str, DirectoryAction] = {}
    for change in analysis.report.changes:
        if change.kind == "deassign_user":
            planned = _deassignment(change, rbac, idle)
        elif change.kind == "revoke_permission":
            planned = _revocation(change)
        else:
            planned = Unapplicable(change, "la plateforme n'attribue aucune permission hors d'un rôle")
        if isinstance(planned, Unapplicable):
            analysis.unapplicable.append(planned)
        elif planned.key in by_key:  # a group membership removal serves several idle roles
            merged = by_key[planned.key]
            by_key[planned.key] = DirectoryAction(
                **{**merged.__dict__, "reasons": (*merged.reasons, *planned.reasons)}
            )
        else:
            by_key[planned.key] = planned
    analysis.actions = list(by_key.values())


def _deassignment(
    change: Change, rbac: RBAC, idle: dict[str, frozenset[str]]
) -> DirectoryAction | Unapplicable:
    user, role = change.user or "", change.role or ""
    ways = [a for a in rbac.user_assignments(user) if a.role == role]
    direct = [a for a in ways if a.group is None]
    if direct:
        account = Account.objects.filter(login=user).select_related("fund", "partner").first()
        if account is None:
            return Unapplicable(change, f"le compte « {user} » n'est plus dans l'annuaire")
        return DirectoryAction(
            key=f"compte:{user}:{role}",
            kind="revoke_account_role",
            description=f"Retirer à {user} le rôle « {role} »",
            reasons=(change.reason,),
            changes=(change,),
            service_permission=account_management_permission(account.org_level, account.organisation),
            account=user,
            role=role,
        )
    group = next((a.group for a in ways if a.group is not None), None)
    if group is None:
        return Unapplicable(change, "rôle hérité, retiré avec le rôle qui le donne")
    group_roles = {a.role for a in rbac.user_assignments(user) if a.group == group}
    if not group_roles <= idle.get(user, frozenset()):
        used_roles = ", ".join(sorted(group_roles - idle.get(user, frozenset())))
        return Unapplicable(
            change,
            f"donné par le groupe « {group} » dont {user} utilise aussi {used_roles} ; aucun service de l'annuaire "
            "ne retire un seul profil à un seul membre d'un groupe",
        )
    group_id = int(group.split(":", 1)[1])
    partner_id = Group.objects.filter(pk=group_id).values_list("partner_id", flat=True).first()
    if partner_id is None:
        return Unapplicable(change, f"le groupe « {group} » n'est plus dans l'annuaire")
    return DirectoryAction(
        key=f"groupe:{group}:{user}",
        kind="remove_group_member",
        description=f"Retirer {user} du groupe « {group} » (profils {', '.join(sorted(group_roles))})",
        reasons=(change.reason,),
        changes=tuple(Change("deassign_user", change.reason, user=user, role=r) for r in sorted(group_roles)),
        service_permission=(*MANAGE_GROUPS, partner_unit(partner_id)),
        account=user,
        group=group,
    )


def _revocation(change: Change) -> DirectoryAction | Unapplicable:
    pair = token_permission(change.permission or "")
    if pair is None:
        return Unapplicable(change, f"« {change.permission} » ne nomme pas une permission du moteur")
    if not RolePermission.objects.filter(role__code=change.role, operation=pair[0], obj=pair[1]).exists():
        return Unapplicable(change, "permission héritée d'un autre rôle : à retirer de celui-ci")
    return DirectoryAction(
        key=f"permission:{change.role}:{change.permission}",
        kind="revoke_role_permission",
        description=f"Retirer ({pair[0]}, {pair[1]}) au profil « {change.role} »",
        reasons=(change.reason,),
        changes=(change,),
        service_permission=(*MANAGE_CATALOGUE, NATIONAL_UNIT),
        role=change.role,
        permission=pair,
    )


def may_apply(actor, analysis: GapAnalysis, action: DirectoryAction) -> bool:
    """Whether ``actor`` may make the action here: the engine grants them the service's permission, and the
    action does not take the workbench itself from them (an analyst never locks themself out mid-review)."""
    if not is_allowed(actor, *action.service_permission):
        return False
    own_losses = analysis.preview([action]).get(actor.login, frozenset())
    return permission_token(tuple(USE_WORKBENCH)) not in own_losses


def apply_actions(actor, analysis: GapAnalysis, actions: Sequence[DirectoryAction]) -> None:
    """Make the actions through the directory's services in one transaction; any refusal undoes them all.

    Refusals propagate unchanged: ``AccessRefused`` (the service's permission), ``ValidationError`` (a state
    that moved since the preview), ``RBACError`` (an engine rule).
    """
    if not actions:
        raise ValidationError("Choisissez au moins une modification à appliquer.")
    refused = [action.description for action in actions if not may_apply(actor, analysis, action)]
    if refused:
        raise ValidationError(f"Modification que vous ne pouvez pas faire ici : {refused[0]}.")
    losses = analysis.preview(actions)
    with transaction.atomic():
        revoked: dict[str, set[tuple[str, str]]] = {}
        for action in actions:
            if action.kind == "revoke_account_role":
                account = Account.objects.get(login=action.account)
                services.revoke_account_role(actor, account, ServiceRole.objects.get(code=action.role))
            elif action.kind == "remove_group_member":
                group = Group.objects.get(pk=int((action.group or "").split(":", 1)[1]))
                services.remove_group_member(actor, group, Account.objects.get(login=action.account))
            else:
                revoked.setdefault(action.role or "", set()).add(action.permission or ("", ""))
        for code, pairs in sorted(revoked.items()):
            role = ServiceRole.objects.get(code=code)
            held = set(role.permissions.values_list("operation", "obj"))
            services.set_role_permissions(actor, role, held - pairs)
        record_event(
            "workbench.gap.apply",
            actor=actor,
            org_scope=JOURNAL_SCOPE,
            target="politique",
            data={
                "period": {"start": analysis.start, "end": analysis.end},
                "actions": [action.description for action in actions],
                "losses": {user: sorted(lost) for user, lost in losses.items()},
            },
        )
