"""Import a policy document into the directory (ENG-10, ``habpps policy import``).

The directory stays the source of truth, so a document is *reconciled* into it rather than loaded beside it:
the profiles' permissions, the accounts' roles, the groups' members and the groups' profiles become exactly
those of the document. Accounts, groups, profiles and units are never created by an import — they have an
identity (SIRET, e-mail, service) a policy document does not carry — so a document naming one the directory
lacks is refused, with every such error listed and nothing applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from habpps.accounts.models import Account
from habpps.authorization.orgs import group_name, partner_unit, scope_path
from habpps.authorization.policy_build import build_rbac
from habpps.authorization.policy_cache import policy_change
from habpps.directory.models import (
    AccountRoleAssignment,
    Group,
    GroupMembership,
    GroupRoleAssignment,
    RolePermission,
    ServiceRole,
    Status,
)
from habpps.engine import RBAC
from habpps.journal.services import record_event


class PolicyImportError(Exception):
    """The document does not fit the directory; ``errors`` lists every problem, in French."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportReport:
    added: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, added: int, removed: int) -> None:
        self.added[what] = self.added.get(what, 0) + added
        self.removed[what] = self.removed.get(what, 0) + removed


UNSUPPORTED = {
    "inheritance": "l'héritage entre rôles",
    "ssd_sets": "les ensembles de séparation statique",
    "dsd_sets": "les ensembles de séparation dynamique",
}


def import_policy(document, actor=None) -> ImportReport:
    """Validate ``document`` with the engine, check it names only what the directory knows, then reconcile."""
    wanted = RBAC.load(document).export()  # PolicyDocumentError lists schema and engine errors
    errors = [
        f"L'annuaire ne stocke pas encore {label}." for key, label in UNSUPPORTED.items() if wanted.get(key)
    ]
    roles = {role.code: role for role in ServiceRole.objects.exclude(status=Status.REMOVED)}
    accounts = {
        a.login: a for a in Account.objects.exclude(status="removed").select_related("partner", "fund")
    }
    groups = {group_name(g.pk): g for g in Group.objects.exclude(status=Status.REMOVED)}
    errors += [
        f"Profil inconnu de l'annuaire : « {r['id']} »." for r in wanted["roles"] if r["id"] not in roles
    ]
    errors += [
        f"Compte inconnu de l'annuaire : « {u['id']} »." for u in wanted["users"] if u["id"] not in accounts
    ]
    errors += [
        f"Groupe inconnu de l'annuaire : « {g['id']} »." for g in wanted["groups"] if g["id"] not in groups
    ]
    for item in wanted["assignments"]:
        account = accounts.get(item["user"])
        if account is not None and item.get("org") != account.org_unit:
            errors.append(
                f"« {item['user']} » ne peut détenir « {item['role']} » que dans l'unité de son organisation "
                f"({account.org_unit})."
            )
    for item in wanted["group_assignments"]:
        group = groups.get(item["group"])
        if group is not None and item.get("org") != partner_unit(group.partner_id):
            errors.append(f"Le groupe « {item['group']} » reçoit ses profils dans l'unité de son organisme.")
    if errors:
        raise PolicyImportError(errors)

    report = ImportReport()
    now = timezone.now()
    with policy_change():
        _reconcile_permissions(wanted, roles, report)
        desired = {(accounts[a["user"]].pk, roles[a["role"]].pk) for a in wanted["assignments"]}
        current = AccountRoleAssignment.objects.current()
        _reconcile(
            current, ("account_id", "role_id"), desired, AccountRoleAssignment, actor, now, report, "rôles"
        )
        desired = {(groups[g["id"]].pk, accounts[m].pk) for g in wanted["groups"] for m in g["members"]}
        current = GroupMembership.objects.current()
        _reconcile(
            current, ("group_id", "account_id"), desired, GroupMembership, actor, now, report, "membres"
        )
        desired = {(groups[a["group"]].pk, roles[a["role"]].pk) for a in wanted["group_assignments"]}
        current = GroupRoleAssignment.objects.current()
        _reconcile(
            current, ("group_id", "role_id"), desired, GroupRoleAssignment, actor, now, report, "profils"
        )
        record_event(
            "admin.policy.import",
            actor=actor,
            org_scope=scope_path(),
            target="policy",
            data={"added": report.added, "removed": report.removed},
        )
    return report


def _reconcile_permissions(wanted: dict, roles: dict[str, ServiceRole], report: ImportReport) -> None:
    desired = {(roles[p["role"]].pk, p["operation"], p["object"]) for p in wanted["permissions"]}
    in_scope = RolePermission.objects.filter(role__code__in=[r["id"] for r in wanted["roles"]])
    held = set(in_scope.values_list("role_id", "operation", "obj"))
    RolePermission.objects.bulk_create(
        RolePermission(role_id=role_id, operation=op, obj=obj) for role_id, op, obj in sorted(desired - held)
    )
    for role_id, op, obj in held - desired:
        RolePermission.objects.filter(role_id=role_id, operation=op, obj=obj).delete()
    report.count("permissions", len(desired - held), len(held - desired))


def _reconcile(current, fields, desired, model, actor, now, report: ImportReport, what: str) -> None:
    """End the current rows not desired and start the desired ones not current; never delete."""
    rows = {tuple(values[1:]): values[0] for values in current.values_list("pk", *fields)}
    stale = [pk for key, pk in rows.items() if key not in desired]
    current.filter(pk__in=stale).update(ended_at=now, ended_by=actor)
    missing = sorted(desired - rows.keys())
    model.objects.bulk_create(
        model(**dict(zip(fields, key, strict=True)), started_at=now, started_by=actor) for key in missing
    )
    report.count(what, len(missing), len(stale))


def current_document() -> dict:
    """The policy the directory holds now, as an engine document."""
    return build_rbac().export()
