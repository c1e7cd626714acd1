"""The AuthZEN-only sections of policy documents, stored: ``grant_constraints`` (one profile's grant of a
permission valid only while a contextual constraint holds), ``user_attributes`` (what conditions read about an
account) and ``activation_constraints`` (a profile activated in a session only while a contextual constraint
holds). Before, ``habpps policy import`` refused them; now their rows (`GrantConstraint`, `AccountAttributes`,
`ActivationConstraint`) are made exactly the document's, journalled item by item, and replayed into the engine by the policy build and
the change log (``scope_policy``), so export → import → export is identical.
"""

from __future__ import annotations

from typing import Any

from habpps.authorization.models import (
    AccountAttributes,
    ActivationConstraint,
    ContextConstraint,
    GrantConstraint,
)
from habpps.authorization.orgs import scope_path
from habpps.authorization.policy_sections import ImportContext, register_section
from habpps.journal.services import record_event


def _grant_key(role: str, operation: str, obj: str, constraint: str) -> str:
    return f"{role} : {operation} {obj} si « {constraint} »"


def _check_grants(items: list[dict[str, Any]], ctx: ImportContext) -> list[str]:
    return [f"/grant_constraints/{i} : profil inconnu de l'annuaire : « {item['role']} »."
            for i, item in enumerate(items) if item["role"] not in ctx.roles]


def _apply_grants(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    rows = {_grant_key(r.role.code, r.operation, r.obj, r.constraint.name): r
            for r in GrantConstraint.objects.select_related("role", "constraint")}
    wanted = {_grant_key(i["role"], i["operation"], i["object"], i["constraint"]): i for i in items}
    constraints = {c.name: c for c in ContextConstraint.objects.all()}
    for key, item in wanted.items():
        if key not in rows:
            GrantConstraint.objects.create(role=ctx.roles[item["role"]], operation=item["operation"],
                                           obj=item["object"], constraint=constraints[item["constraint"]],
                                           changed_by=ctx.actor)
    for key, row in rows.items():
        if key not in wanted:
            row.delete()
    _journal("context.grant", "conditions des permissions des profils", ctx,
             {key: {"condition": key} for key in rows}, {key: {"condition": key} for key in wanted})


def _activation_key(role: str, constraint: str) -> str:
    return f"{role} : activable si « {constraint} »"


def _check_activations(items: list[dict[str, Any]], ctx: ImportContext) -> list[str]:
    return [f"/activation_constraints/{i} : profil inconnu de l'annuaire : « {item['role']} »."
            for i, item in enumerate(items) if item["role"] not in ctx.roles]


def _apply_activations(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    rows = {_activation_key(r.role.code, r.constraint.name): r
            for r in ActivationConstraint.objects.select_related("role", "constraint")}
    wanted = {_activation_key(i["role"], i["constraint"]): i for i in items}
    constraints = {c.name: c for c in ContextConstraint.objects.all()}
    for key, item in wanted.items():
        if key not in rows:
            ActivationConstraint.objects.create(role=ctx.roles[item["role"]],
                                                constraint=constraints[item["constraint"]], changed_by=ctx.actor)
    for key, row in rows.items():
        if key not in wanted:
            row.delete()
    _journal("context.activation", "conditions d'activation des profils", ctx,
             {key: {"condition": key} for key in rows}, {key: {"condition": key} for key in wanted})


def _check_attributes(items: list[dict[str, Any]], ctx: ImportContext) -> list[str]:
    return [f"/user_attributes/{i} : compte inconnu de l'annuaire : « {item['user']} »."
            for i, item in enumerate(items) if item["user"] not in ctx.accounts]


def _apply_attributes(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    rows = {r.account.login: r for r in AccountAttributes.objects.select_related("account")}
    before = {login: dict(r.attributes) for login, r in rows.items() if r.attributes}
    wanted = {item["user"]: dict(item["attributes"]) for item in items if item["attributes"]}
    for login, row in rows.items():
        if login not in wanted:
            row.delete()
    for login, values in wanted.items():
        if before.get(login) == values:
            continue
        row = rows.get(login) or AccountAttributes(account=ctx.accounts[login])
        row.attributes, row.changed_by = values, ctx.actor
        row.save()
    _journal("account.attributes", "attributs des comptes", ctx,
             {f"account:{login}": values for login, values in before.items()},
             {f"account:{login}": values for login, values in wanted.items()})


def _journal(kind: str, label: str, ctx: ImportContext, before: dict[str, dict], after: dict[str, dict]) -> None:
    """One journal entry per item that changed (before/after), and the report's counts."""
    added = removed = 0
    for key in sorted(set(before) | set(after)):
        if before.get(key) == after.get(key):
            continue
        added += key in after
        removed += key in before and key not in after
        record_event(f"admin.{kind}.import", actor=ctx.actor, org_scope=scope_path(), target=key,
                     before=before.get(key), after=after.get(key))
    ctx.report.count(label, added, removed)


register_section("grant_constraints", check=_check_grants, apply=_apply_grants)
register_section("user_attributes", check=_check_attributes, apply=_apply_attributes)
register_section("activation_constraints", check=_check_activations, apply=_apply_activations)
