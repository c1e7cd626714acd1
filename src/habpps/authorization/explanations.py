"""« Pourquoi ? » and « Qui ? » (ADM-7): effective habilitations with the engine's reasons, and who holds a profile.

The engine speaks in unit, group and role names (``partner:42``, ``group:7``, ``cdap-ass-cesf``); these helpers
put the directory's labels back on them for people.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.authorization.permission_labels import PermissionLabels
from habpps.authorization.policy_cache import current_policy
from habpps.authorization.request_context import decision_context
from habpps.authorization.stored import Account, Fund, Group, Partner, ServiceRole
from habpps.engine import NotFound


@dataclass(frozen=True)
class Habilitation:
    """One permission an account holds and how: group, assigned role, inheritance chain, unit."""

    operation: str
    obj: str
    assigned_role: str
    permission_role: str
    chain: tuple[str, ...]
    group: str | None
    unit: str
    sentence: str
    group_label: str = ""
    role_label: str = ""
    unit_label: str = ""
    label: str = ""
    """The permission in words (« Gérer les comptes des partenaires »)."""
    explanation: str = ""
    """The engine's reason in words people know; ``sentence`` keeps its codes for the technical detail."""


class Labels:
    """Human labels of engine names, loaded in a few queries for a whole page."""

    def __init__(self, groups: set[str], roles: set[str], units: set[str]) -> None:
        group_ids = [int(name.split(":", 1)[1]) for name in groups if name.startswith("group:")]
        self.groups = {
            f"group:{pk}": name
            for pk, name in Group.objects.filter(pk__in=group_ids).values_list("pk", "name")
        }
        self.roles = dict(ServiceRole.objects.filter(code__in=roles).values_list("code", "name"))
        self.units = {NATIONAL_UNIT: "Organisme national"}
        fund_ids = [int(u.split(":", 1)[1]) for u in units if u.startswith("fund:")]
        partner_ids = [int(u.split(":", 1)[1]) for u in units if u.startswith("partner:")]
        self.units.update(
            {
                f"fund:{pk}": name
                for pk, name in Fund.objects.filter(pk__in=fund_ids).values_list("pk", "name")
            }
        )
        self.units.update(
            {
                f"partner:{pk}": name
                for pk, name in Partner.objects.filter(pk__in=partner_ids).values_list("pk", "name")
            }
        )

    def group(self, name: str | None) -> str:
        return self.groups.get(name, name or "")

    def role(self, code: str) -> str:
        return self.roles.get(code, code)

    def unit(self, name: str | None) -> str:
        return self.units.get(name, name or "partout")


def habilitations_of(account: Account) -> list[Habilitation]:
    """Every permission ``account`` holds in its own unit, each with the engine's explanation (ENG-9)."""
    snapshot = current_policy().snapshot
    unit = account.org_unit
    found = []
    for operation, obj in sorted(snapshot.user_permissions(account.login, org=unit)):
        decision = snapshot.explain(account.login, operation, obj, org=unit, context=decision_context())
        if not decision.granted or decision.path is None:
            continue
        path = decision.path
        found.append(
            Habilitation(
                operation=operation,
                obj=obj,
                assigned_role=path.assigned_role,
                permission_role=path.permission_role,
                chain=tuple(path.chain),
                group=path.group,
                unit=path.assignment_org or "",
                sentence=decision.message,
            )
        )
    labels = Labels(
        groups={h.group for h in found if h.group},
        roles={role for h in found for role in h.chain},
        units={h.unit for h in found if h.unit},
    )
    permission_label = PermissionLabels()
    return [
        replace(
            h,
            group_label=labels.group(h.group) if h.group else "",
            role_label=labels.role(h.assigned_role),
            unit_label=labels.unit(h.unit or None),
            label=permission_label(h.operation, h.obj),
            explanation=_explanation(account, h, labels, permission_label),
        )
        for h in found
    ]


def _explanation(account: Account, h: Habilitation, labels: Labels, permission_label: PermissionLabels) -> str:
    """The engine's granted path (``decision.path``) told with the directory's names instead of its codes."""
    steps = []
    if h.group:
        steps.append(f"membre du groupe « {labels.group(h.group)} »")
    where = f" dans « {labels.unit(h.unit)} »" if h.unit else ""
    steps.append(f"profil « {labels.role(h.assigned_role)} » attribué{where}")
    if len(h.chain) > 1:
        steps.append("qui comprend " + " puis ".join(f"« {labels.role(r)} »" for r in h.chain[1:]))
    what = permission_label(h.operation, h.obj)
    return f"Accès accordé : {account.full_name} peut {what[0].lower()}{what[1:]} — " + ", ".join(steps) + "."


def holders_of(role: ServiceRole) -> set[str]:
    """Logins of every account authorized for ``role`` (directly, through a group, or by inheritance)."""
    policy = current_policy()
    try:
        return set(policy.rbac.authorized_users(role.code))
    except NotFound:  # a profile out of force is absent from the engine: nobody holds it
        return set()
