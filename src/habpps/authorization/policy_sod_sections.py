"""Policy document sections of the hierarchy, separation of duty, exclusions and cardinalities (ENG-2, 3, 6, 7).

Exported as the engine built from the database holds them (the policy build replays the tables), imported by
reconciling the tables to the document — rows the document lacks are removed, new ones created — inside the
import's one ``policy_change``, each change journalled. Also the ``descends``/``max_users`` fields of ``roles``
and the ``max_roles``/``max_sessions`` fields of ``users``.
"""

from __future__ import annotations

import json
from typing import Any

from habpps.authorization.orgs import scope_path
from habpps.authorization.policy_sections import ImportContext, register_fields, register_section
from habpps.authorization.records import as_record, target_of
from habpps.authorization.separation_models import (
    AccountLimit,
    Exclusion,
    ExclusionMember,
    RoleInheritance,
    RoleRule,
    SeparationMember,
    SeparationSet,
)
from habpps.journal.services import record_event

SCOPE = scope_path()


def _journal(kind: str, ctx: ImportContext, instance: Any, before: dict | None, after: dict | None) -> None:
    record_event(kind, actor=ctx.actor, org_scope=SCOPE, target=target_of(instance), before=before, after=after,
                 data={"source": "import"})


def _unknown_roles(codes: list[str], ctx: ImportContext) -> list[str]:
    return [f"Profil inconnu de l'annuaire : « {code} »." for code in sorted(set(codes)) if code not in ctx.roles]


# -- inheritance -------------------------------------------------------------------------------------------------------
def _check_inheritance(items: list[dict[str, Any]], ctx: ImportContext) -> list[str]:
    return _unknown_roles([code for i in items for code in (i["ascendant"], i["descendant"])], ctx)


def _apply_inheritance(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    roles = ctx.roles
    wanted = {(roles[i["ascendant"]].pk, roles[i["descendant"]].pk) for i in items}
    current = {(link.senior_id, link.junior_id): link for link in RoleInheritance.objects.all()}
    for key in sorted(set(current) - wanted):
        _journal("admin.model.inheritance.remove", ctx, current[key], as_record(current[key]), None)
        current[key].delete()
    for senior_id, junior_id in sorted(wanted - set(current)):
        link = RoleInheritance.objects.create(senior_id=senior_id, junior_id=junior_id, created_by=ctx.actor)
        _journal("admin.model.inheritance.add", ctx, link, None, as_record(link))
    ctx.report.count("héritages", len(wanted - set(current)), len(set(current) - wanted))


# -- SSD / DSD sets ----------------------------------------------------------------------------------------------------
def _stored_sets(kind: str) -> dict[str, dict[str, Any]]:
    sets = {}
    for sod_set in SeparationSet.objects.filter(kind=kind).prefetch_related("members__role"):
        members = sorted(({"role": m.role.code, **({"org": m.org} if m.org else {})} for m in sod_set.members.all()),
                         key=lambda m: (m["role"], m.get("org", "")))
        sets[sod_set.name] = {"set": sod_set, "cardinality": sod_set.cardinality, "members": members}
    return sets


def _sod_sections(kind: str):
    key = f"{kind}_sets"

    def check(items: list[dict[str, Any]], ctx: ImportContext) -> list[str]:
        return _unknown_roles([m["role"] for i in items for m in i["members"]], ctx)

    def apply(items: list[dict[str, Any]], ctx: ImportContext) -> None:
        stored = _stored_sets(kind)
        wanted = {i["name"]: i for i in items}
        added = removed = 0
        for name, row in stored.items():
            item = wanted.get(name)
            if item is None or item["cardinality"] != row["cardinality"] or _members(item) != _canon(row["members"]):
                _journal(f"admin.model.{kind}.delete", ctx, row["set"], as_record(row["set"]), None)
                row["set"].delete()
                removed += 1
                stored[name] = None
        for name, item in sorted(wanted.items()):
            if stored.get(name) is not None:
                continue
            sod_set = SeparationSet.objects.create(kind=kind, name=name, cardinality=item["cardinality"],
                                                   created_by=ctx.actor)
            SeparationMember.objects.bulk_create(
                SeparationMember(sod_set=sod_set, role=ctx.roles[m["role"]], org=m.get("org") or "")
                for m in item["members"])
            _journal(f"admin.model.{kind}.create", ctx, sod_set, None, {**as_record(sod_set),
                                                                       "members": item["members"]})
            added += 1
        ctx.report.count(f"ensembles {kind.upper()}", added, removed)

    register_section(key, check=check, apply=apply, fields={"name", "cardinality", "members"})


def _canon(members: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(m, sort_keys=True, ensure_ascii=False) for m in members)


def _members(item: dict[str, Any]) -> list[str]:
    return _canon([{k: v for k, v in m.items() if v} for m in item["members"]])


# -- exclusions ---------------------------------------------------------------------------------------------------------
def _rule_doc(rule: Exclusion) -> dict[str, Any]:
    members = []
    for m in rule.members.all():
        member = {"role": m.role.code} if m.role_id else {"operation": m.operation, "object": m.obj}
        if m.org:
            member["org"] = m.org
        members.append(member)
    return {"kind": rule.kind, "risk": rule.risk, "cardinality": rule.cardinality, "members": _canon(members)}


def _check_exclusions(items: list[dict[str, Any]], ctx: ImportContext) -> list[str]:
    return _unknown_roles([m["role"] for i in items for m in i["members"] if "role" in m], ctx)


def _apply_exclusions(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    stored = {rule.name: rule for rule in Exclusion.objects.prefetch_related("members__role")}
    wanted = {i["name"]: i for i in items}
    added = removed = 0
    for name, rule in list(stored.items()):
        item = wanted.get(name)
        if item is None or _rule_doc(rule) != {
            "kind": item.get("kind", "static"), "risk": item.get("risk", "block"),
            "cardinality": item["cardinality"], "members": _members(item),
        }:
            _journal("admin.model.exclusion.delete", ctx, rule, as_record(rule), None)
            rule.delete()
            del stored[name]
            removed += 1
    for name, item in sorted(wanted.items()):
        if name in stored:
            continue
        rule = Exclusion.objects.create(name=name, kind=item.get("kind", "static"), risk=item.get("risk", "block"),
                                        cardinality=item["cardinality"], created_by=ctx.actor)
        ExclusionMember.objects.bulk_create(
            ExclusionMember(exclusion=rule, role=ctx.roles[m["role"]], org=m.get("org") or "") if "role" in m
            else ExclusionMember(exclusion=rule, operation=m["operation"], obj=m["object"], org=m.get("org") or "")
            for m in item["members"])
        _journal("admin.model.exclusion.create", ctx, rule, None, {**as_record(rule), "members": item["members"]})
        added += 1
    ctx.report.count("exclusions", added, removed)


# -- role properties and cardinalities -----------------------------------------------------------------------------------
def _apply_role_fields(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    changed = 0
    for item in items:
        role = ctx.roles[item["id"]]
        descends, max_users = item.get("descends", True), item.get("max_users")
        rule = RoleRule.objects.filter(role=role).first()
        if rule is None and descends and max_users is None:
            continue
        if rule is not None and (rule.descends, rule.max_users) == (descends, max_users):
            continue
        before = as_record(rule) if rule else None
        rule = rule or RoleRule(role=role)
        rule.descends, rule.max_users, rule.changed_by = descends, max_users, ctx.actor
        rule.save()
        _journal("admin.model.role_rule.set", ctx, rule, before, as_record(rule))
        changed += 1
    ctx.report.count("propriétés de profils", changed, 0)


def _apply_user_fields(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    changed = 0
    for item in items:
        account = ctx.accounts[item["id"]]
        wanted = (item.get("max_roles"), item.get("max_sessions"))
        limit = AccountLimit.objects.filter(account=account).first()
        if ((limit.max_roles, limit.max_sessions) if limit else (None, None)) == wanted:
            continue
        before = as_record(limit) if limit else None
        limit = limit or AccountLimit(account=account)
        limit.max_roles, limit.max_sessions = wanted
        limit.save()
        _journal("admin.model.account_limit.set", ctx, limit, before, as_record(limit))
        changed += 1
    ctx.report.count("limites de rôles et de sessions des comptes", changed, 0)


register_section("inheritance", check=_check_inheritance, apply=_apply_inheritance,
                 fields={"ascendant", "descendant"})
_sod_sections("ssd")
_sod_sections("dsd")
register_section("exclusions", check=_check_exclusions, apply=_apply_exclusions,
                 fields={"name", "kind", "risk", "cardinality", "members"})
register_fields("roles", {"descends", "max_users"}, apply=_apply_role_fields)
register_fields("users", {"max_roles", "max_sessions"}, apply=_apply_user_fields)
