"""Policy-document sections of time, context and data scoping (ENG-5, ENG-8), as the platform stores them.

Registered in `habpps.authorization.policy_sections`. Each exports what the policy build replayed from the
database (the engine's own section) and imports by making the stored rows exactly the document's, through
journalled writes inside the import's ``policy_change``.

``temporal_constraints``: the platform stores time windows — dates, daily hours, weekdays — on grants (a profile
given to a group, a role given to an account), on whole accounts and on whole profiles. A blackout period or an
idle timeout has no home here: such a document is refused, never half-imported.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from typing import Any

from habpps.authorization.access_windows import Window, store_window
from habpps.authorization.models import (
    AccountWindow,
    ActionLimit,
    ContextAttribute,
    ContextConstraint,
    FieldRule,
    PermissionConstraint,
    PopulationRule,
    RoleWindow,
)
from habpps.authorization.orgs import group_name, scope_path
from habpps.authorization.policy_sections import ImportContext, register_section
from habpps.authorization.scope_policy import population_doc
from habpps.authorization.stored import AccountRoleAssignment, GroupRoleAssignment
from habpps.engine.context import ContextAttribute as EngineAttribute
from habpps.journal.services import record_event

STORED_WINDOW_FIELDS = {"begin_date", "end_date", "begin_time", "end_time", "weekdays"}


def window_of_constraint(constraint: dict[str, Any]) -> Window:
    """The stored window of an engine temporal constraint (its document form)."""

    def day(key: str) -> date | None:
        return date.fromisoformat(constraint[key]) if constraint.get(key) else None

    def moment(key: str) -> time | None:
        return time.fromisoformat(constraint[key]) if constraint.get(key) else None

    return Window(day("begin_date"), day("end_date"), moment("begin_time"), moment("end_time"),
                  tuple(sorted(constraint.get("weekdays") or ())))


def _check_temporal(items: list[dict[str, Any]], ctx: ImportContext) -> list[str]:
    errors = []
    for index, item in enumerate(items):
        where = f"/temporal_constraints/{index}"
        if item["on"] == "user" and item["user"] not in ctx.accounts:
            errors.append(f"{where} : compte inconnu de l'annuaire : « {item['user']} ».")
        if item["on"] == "role" and item["role"] not in ctx.roles:
            errors.append(f"{where} : profil inconnu de l'annuaire : « {item['role']} ».")
        extra = sorted(set(item["constraint"]) - STORED_WINDOW_FIELDS)
        if extra:
            errors.append(
                f"{where} : la plateforme ne stocke pas « {', '.join(extra)} » sur une attribution (seulement les "
                "dates, la plage horaire et les jours) ; rien n'est appliqué.")
    return errors


def _apply_temporal(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    wanted: dict[tuple[str, str, str], Window] = {}
    whole: dict[tuple[str, str], Window] = {}
    for item in items:
        window = window_of_constraint(item["constraint"])
        if item["on"] in ("user", "role"):
            whole[(item["on"], item[item["on"]])] = window
            continue
        holder = ("group", item["group"]) if item["on"] == "group_assignment" else ("user", item["user"])
        wanted[(*holder, item["role"])] = window
    changed = _apply_whole(whole, ctx)
    groups = GroupRoleAssignment.objects.current().select_related("group__partner", "role")
    for row in groups:
        changed += _reconcile(row, wanted.get(("group", group_name(row.group_id), row.role.code), Window()),
                              "admin.group.role.window", row.group, ctx)
    accounts = AccountRoleAssignment.objects.current().select_related("account__partner", "role")
    for row in accounts:
        changed += _reconcile(row, wanted.get(("user", row.account.login, row.role.code), Window()),
                              "admin.account.role.window", row.account, ctx)
    ctx.report.count("périodes d'accès", changed, 0)


def _apply_whole(wanted: dict[tuple[str, str], Window], ctx: ImportContext) -> int:
    """Windows on whole accounts and whole profiles: rows created, changed or deleted to match."""
    changed = 0
    for kind, model, holders, attr in (("user", AccountWindow, ctx.accounts, "account"),
                                       ("role", RoleWindow, ctx.roles, "role")):
        rows = {getattr(row, attr).login if kind == "user" else row.role.code: row
                for row in model.objects.select_related(attr)}
        for name in sorted(set(rows) | {n for k, n in wanted if k == kind}):
            window = wanted.get((kind, name), Window())
            row = rows.get(name)
            before = Window.of(row) if row else Window()
            if before == window:
                continue
            if not window:
                row.delete()
            else:
                row = row or model(**{attr: holders[name]})
                for field_name, value in window.columns().items():
                    setattr(row, field_name, value)
                row.changed_by = ctx.actor
                row.save()
            record_event(f"admin.{'account' if kind == 'user' else 'role'}.window", actor=ctx.actor,
                         org_scope=scope_path(), target=f"{'account' if kind == 'user' else 'role'}:{name}",
                         before={"window": before.as_record()}, after={"window": window.as_record()})
            changed += 1
    return changed


def _reconcile(row, window: Window, kind: str, holder, ctx: ImportContext) -> int:
    if Window.of(row) == window:
        return 0
    before = store_window(row, window)
    record_event(
        kind,
        actor=ctx.actor,
        org_scope=holder.org_scope if hasattr(holder, "org_scope") else _group_scope(holder),
        target=f"account:{holder.login}" if hasattr(holder, "login") else f"group:{holder.pk}",
        before={"role": row.role.code, "window": before.as_record()},
        after={"role": row.role.code, "window": window.as_record()},
    )
    return 1


def _group_scope(group) -> str:
    return scope_path(group.partner.fund_id, group.partner_id)


register_section("temporal_constraints", check=_check_temporal, apply=_apply_temporal)


# -- contextual constraints and data scoping: rows made exactly the document's ------------------------------------
KIND_NAMES = {
    "attributs de contexte": "context.attribute",
    "contraintes contextuelles": "context.constraint",
    "conditions des permissions": "context.permission",
    "populations": "scoping.population",
    "droits sur les champs": "scoping.field",
    "limites d'action": "scoping.limits",
}


def _journal_rows(kind: str, ctx: ImportContext, before: dict, after: dict) -> None:
    """One journal entry per item that changed (before/after), and the report's counts."""
    added = removed = 0
    for key in sorted(set(before) | set(after), key=str):
        if before.get(key) == after.get(key):
            continue
        added += key in after
        removed += key in before and key not in after
        record_event(f"admin.{KIND_NAMES[kind]}.import", actor=ctx.actor, org_scope=scope_path(), target=str(key),
                     before=_mapping(before.get(key)), after=_mapping(after.get(key)))
    ctx.report.count(kind, added, removed)


def _mapping(value: Any) -> dict | None:
    """The journal keeps mappings: a bare value (an access, a list of conditions) is wrapped."""
    return value if value is None or isinstance(value, dict) else {"valeur": value}


def _check_roles(section_key: str) -> Callable[[list[dict[str, Any]], ImportContext], list[str]]:
    def check(items: list[dict[str, Any]], ctx: ImportContext) -> list[str]:
        return [f"/{section_key}/{i} : profil inconnu de l'annuaire : « {item['role']} »."
                for i, item in enumerate(items) if item["role"] not in ctx.roles]
    return check


def _apply_attributes(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    def canonical(row: ContextAttribute) -> dict[str, Any]:
        return EngineAttribute.build(row.name, row.domain or None, row.function, row.parameter or None).as_dict()

    rows = {row.name: row for row in ContextAttribute.objects.all()}
    before = {name: canonical(row) for name, row in rows.items()}
    for item in items:
        if before.get(item["name"]) == item:
            continue
        row = rows.get(item["name"]) or ContextAttribute(name=item["name"])
        row.function, row.domain, row.parameter = item["function"], item.get("domain") or "", item.get("parameter") or ""
        row.changed_by = ctx.actor
        row.save()
    wanted = {item["name"] for item in items}
    ContextAttribute.objects.exclude(name__in=wanted).delete()
    _journal_rows("attributs de contexte", ctx, before,
                  {row.name: canonical(row) for row in ContextAttribute.objects.all()})


def _apply_constraints(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    before = {row.name: row.conditions for row in ContextConstraint.objects.all()}
    for item in items:
        ContextConstraint.objects.update_or_create(
            name=item["name"], defaults={"conditions": item["conditions"], "changed_by": ctx.actor})
    gone = ContextConstraint.objects.exclude(name__in=[item["name"] for item in items])
    PermissionConstraint.objects.filter(constraint__in=gone).delete()
    FieldRule.objects.filter(when__in=gone).delete()
    gone.delete()
    _journal_rows("contraintes contextuelles", ctx, before,
                  {row.name: row.conditions for row in ContextConstraint.objects.all()})


def _apply_links(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    def key(operation: str, obj: str, name: str) -> str:
        return f"{operation} {obj} si « {name} »"

    rows = {key(r.operation, r.obj, r.constraint.name): r for r in PermissionConstraint.objects.select_related("constraint")}
    wanted = {key(i["operation"], i["object"], i["constraint"]): i for i in items}
    constraints = {c.name: c for c in ContextConstraint.objects.all()}
    for name, item in wanted.items():
        if name not in rows:
            PermissionConstraint.objects.create(operation=item["operation"], obj=item["object"],
                                                constraint=constraints[item["constraint"]], changed_by=ctx.actor)
    for name, row in rows.items():
        if name not in wanted:
            row.delete()
    _journal_rows("conditions des permissions", ctx, dict.fromkeys(rows, True), dict.fromkeys(wanted, True))


def _apply_populations(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    rows = {(r.role.code, r.resource, r.name): r for r in PopulationRule.objects.select_related("role")}
    before = {k: population_doc(r) for k, r in rows.items()}
    wanted = {(i["role"], i["resource"], i["name"]): i for i in items}
    for key, row in rows.items():
        if key not in wanted:
            row.delete()
    for key, item in wanted.items():
        row = rows.get(key) or PopulationRule(role=ctx.roles[item["role"]], resource=item["resource"], name=item["name"])
        row.kind, row.field = item["kind"], item.get("field") or ""
        row.values, row.attribute = item.get("values") or [], item.get("attribute") or ""
        row.is_default, row.changed_by = item.get("default", False), ctx.actor
        row.save()
    _journal_rows("populations", ctx, {str(k): v for k, v in before.items()},
                  {str(k): population_doc(r) for k, r in
                   ((k, PopulationRule.objects.get(role__code=k[0], resource=k[1], name=k[2])) for k in wanted)})


def _apply_field_rules(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    def key(role: str, resource: str, field: str, when: str | None) -> str:
        return f"{role} {resource} {field}" + (f" si « {when} »" if when else "")

    rows = {key(r.role.code, r.resource, r.field, r.when.name if r.when_id else None): r
            for r in FieldRule.objects.select_related("role", "when")}
    before = {k: r.access for k, r in rows.items()}
    constraints = {c.name: c for c in ContextConstraint.objects.all()}
    wanted = {key(i["role"], i["resource"], i["field"], i.get("when")): i for i in items}
    for name, row in rows.items():
        if name not in wanted:
            row.delete()
    for name, item in wanted.items():
        row = rows.get(name) or FieldRule(role=ctx.roles[item["role"]], resource=item["resource"], field=item["field"],
                                          when=constraints[item["when"]] if item.get("when") else None)
        row.access, row.changed_by = item["access"], ctx.actor
        row.save()
    _journal_rows("droits sur les champs", ctx, before, {k: i["access"] for k, i in wanted.items()})


def _apply_limits(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    rows = {(r.role.code, r.action): r for r in ActionLimit.objects.select_related("role")}
    before = {f"{k[0]} {k[1]}": r.limits() for k, r in rows.items()}
    wanted = {(i["role"], i["action"]): i for i in items}
    for key, row in rows.items():
        if key not in wanted:
            row.delete()
    for key, item in wanted.items():
        row = rows.get(key) or ActionLimit(role=ctx.roles[item["role"]], action=item["action"])
        for name in ActionLimit.LIMIT_FIELDS:
            setattr(row, name, item.get(name))
        row.changed_by = ctx.actor
        row.save()
    _journal_rows("limites d'action", ctx, before,
                  {f"{k[0]} {k[1]}": {n: i[n] for n in ActionLimit.LIMIT_FIELDS if i.get(n) is not None}
                   for k, i in wanted.items()})


register_section("context_attributes", apply=_apply_attributes)
register_section("context_constraints", apply=_apply_constraints)
register_section("permission_constraints", apply=_apply_links)
register_section("populations", check=_check_roles("populations"), apply=_apply_populations)
register_section("field_rules", check=_check_roles("field_rules"), apply=_apply_field_rules)
register_section("action_limits", check=_check_roles("action_limits"), apply=_apply_limits)
