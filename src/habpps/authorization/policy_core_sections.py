"""The core sections of policy documents as the directory stores them: units, profiles, accounts, permissions,
groups and assignments (registered in `habpps.authorization.policy_sections`).

The directory is the source of truth, so a document is *reconciled* into it: the profiles' permissions, the
accounts' roles, the groups' members and the groups' profiles become exactly those of the document. Accounts,
groups, profiles and units are never created by an import — they have an identity (SIRET, e-mail, service) a
policy document does not carry — so a document naming one the directory lacks is refused. Assignments end with
a date (never deleted), so the history stays.
"""

from __future__ import annotations

from typing import Any

from habpps.authorization.orgs import NATIONAL_UNIT, fund_unit, partner_unit
from habpps.authorization.policy_sections import ImportContext, register_section
from habpps.authorization.stored import (
    AccountRoleAssignment,
    Fund,
    GroupMembership,
    GroupRoleAssignment,
    Partner,
    RolePermission,
)


# -- orgs -------------------------------------------------------------------------------------------------------
def _directory_orgs() -> dict[str, str | None]:
    orgs: dict[str, str | None] = {NATIONAL_UNIT: None}
    for fund_id in Fund.objects.values_list("id", flat=True):
        orgs[fund_unit(fund_id)] = NATIONAL_UNIT
    for partner_id, fund_id in Partner.objects.values_list("id", "fund_id"):
        orgs[partner_unit(partner_id)] = fund_unit(fund_id)
    return orgs


def _check_orgs(items: list[dict[str, Any]], ctx: ImportContext) -> list[str]:
    known = _directory_orgs()
    errors = []
    for item in items:
        if item["id"] not in known:
            errors.append(f"Unité inconnue de l'annuaire : « {item['id']} » (une importation ne crée pas "
                          "d'organisme).")
        elif item.get("parent") != known[item["id"]]:
            errors.append(f"L'unité « {item['id']} » a pour parent « {known[item['id']]} » dans l'annuaire, pas "
                          f"« {item.get('parent')} » (une importation ne déplace pas d'organisme).")
    return errors


# -- roles, users, groups: never created by an import -----------------------------------------------------------
def _check_roles(items: list[dict[str, Any]], ctx: ImportContext) -> list[str]:
    return [f"Profil inconnu de l'annuaire : « {r['id']} »." for r in items if r["id"] not in ctx.roles]


def _check_users(items: list[dict[str, Any]], ctx: ImportContext) -> list[str]:
    return [f"Compte inconnu de l'annuaire : « {u['id']} »." for u in items if u["id"] not in ctx.accounts]


def _check_groups(items: list[dict[str, Any]], ctx: ImportContext) -> list[str]:
    return [f"Groupe inconnu de l'annuaire : « {g['id']} »." for g in items if g["id"] not in ctx.groups]


def _nothing(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    """Checked, nothing to write: these records are administered on their own pages."""


# -- permissions -------------------------------------------------------------------------------------------------
def _apply_permissions(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    roles = ctx.roles
    desired = {(roles[p["role"]].pk, p["operation"], p["object"]) for p in items}
    in_scope = RolePermission.objects.filter(role__code__in=[r["id"] for r in ctx.section("roles")])
    held = set(in_scope.values_list("role_id", "operation", "obj"))
    RolePermission.objects.bulk_create(
        RolePermission(role_id=role_id, operation=op, obj=obj) for role_id, op, obj in sorted(desired - held)
    )
    for role_id, op, obj in held - desired:
        RolePermission.objects.filter(role_id=role_id, operation=op, obj=obj).delete()
    ctx.report.count("permissions", len(desired - held), len(held - desired))


# -- assignments and memberships -------------------------------------------------------------------------------
def _check_assignments(items: list[dict[str, Any]], ctx: ImportContext) -> list[str]:
    errors = []
    for item in items:
        account = ctx.accounts.get(item["user"])
        if account is not None and item.get("org") != account.org_unit:
            errors.append(
                f"« {item['user']} » ne peut détenir « {item['role']} » que dans l'unité de son organisation "
                f"({account.org_unit})."
            )
    return errors


def _apply_assignments(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    desired = {(ctx.accounts[a["user"]].pk, ctx.roles[a["role"]].pk) for a in items}
    _reconcile(AccountRoleAssignment.objects.current(), ("account_id", "role_id"), desired,
               AccountRoleAssignment, ctx, "rôles")


def _apply_members(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    desired = {(ctx.groups[g["id"]].pk, ctx.accounts[m].pk) for g in items for m in g.get("members", [])}
    _reconcile(GroupMembership.objects.current(), ("group_id", "account_id"), desired, GroupMembership, ctx,
               "membres")


def _check_group_assignments(items: list[dict[str, Any]], ctx: ImportContext) -> list[str]:
    errors = []
    for item in items:
        group = ctx.groups.get(item["group"])
        if group is not None and item.get("org") != partner_unit(group.partner_id):
            errors.append(f"Le groupe « {item['group']} » reçoit ses profils dans l'unité de son organisme.")
    return errors


def _apply_group_assignments(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    desired = {(ctx.groups[a["group"]].pk, ctx.roles[a["role"]].pk) for a in items}
    _reconcile(GroupRoleAssignment.objects.current(), ("group_id", "role_id"), desired, GroupRoleAssignment,
               ctx, "profils")


def _reconcile(current, fields, desired, model, ctx: ImportContext, what: str) -> None:  # noqa: ANN001
    """End the current rows not desired and start the desired ones not current; never delete."""
    rows = {tuple(values[1:]): values[0] for values in current.values_list("pk", *fields)}
    stale = [pk for key, pk in rows.items() if key not in desired]
    current.filter(pk__in=stale).update(ended_at=ctx.now, ended_by=ctx.actor)
    missing = sorted(desired - rows.keys())
    model.objects.bulk_create(
        model(**dict(zip(fields, key, strict=True)), started_at=ctx.now, started_by=ctx.actor) for key in missing
    )
    ctx.report.count(what, len(missing), len(stale))


register_section("orgs", check=_check_orgs, apply=_nothing, fields={"id", "parent"})
register_section("roles", check=_check_roles, apply=_nothing, fields={"id"})
register_section("users", check=_check_users, apply=_nothing, fields={"id"})
register_section("permissions", apply=_apply_permissions, fields={"role", "operation", "object"})
register_section("groups", check=_check_groups, apply=_apply_members, fields={"id", "members"})
register_section("assignments", check=_check_assignments, apply=_apply_assignments, fields={"user", "role", "org"})
register_section("group_assignments", check=_check_group_assignments, apply=_apply_group_assignments,
                 fields={"group", "role", "org"})
