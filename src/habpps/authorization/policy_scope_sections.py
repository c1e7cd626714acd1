"""Policy-document sections of time, context and data scoping (ENG-5, ENG-8), as the platform stores them.

Registered in `habpps.authorization.policy_sections`. Each exports what the policy build replayed from the
database (the engine's own section) and imports by making the stored rows exactly the document's, through
journalled writes inside the import's ``policy_change``.

``temporal_constraints``: the platform stores time windows on *grants* (a profile given to a group, a role given
to an account) — dates, daily hours, weekdays. A constraint on a whole account or a whole profile, or a blackout
period or idle timeout, has no home here: such a document is refused, never half-imported.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from habpps.authorization.access_windows import WINDOW_FIELDS, Window
from habpps.authorization.policy_sections import ImportContext, register_section
from habpps.directory.models import AccountRoleAssignment, GroupRoleAssignment
from habpps.directory.orgs import group_name
from habpps.directory.records import target_of
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
        if item["on"] not in ("assignment", "group_assignment"):
            errors.append(
                f"{where} : la plateforme borne dans le temps une attribution (profil d'un groupe, rôle d'un "
                f"compte), pas un {'compte' if item['on'] == 'user' else 'profil'} entier ; rien n'est appliqué.")
            continue
        extra = sorted(set(item["constraint"]) - STORED_WINDOW_FIELDS)
        if extra:
            errors.append(
                f"{where} : la plateforme ne stocke pas « {', '.join(extra)} » sur une attribution (seulement les "
                "dates, la plage horaire et les jours) ; rien n'est appliqué.")
    return errors


def _apply_temporal(items: list[dict[str, Any]], ctx: ImportContext) -> None:
    wanted: dict[tuple[str, str, str], Window] = {}
    for item in items:
        holder = ("group", item["group"]) if item["on"] == "group_assignment" else ("user", item["user"])
        wanted[(*holder, item["role"])] = window_of_constraint(item["constraint"])
    changed = 0
    groups = GroupRoleAssignment.objects.current().select_related("group__partner", "role")
    for row in groups:
        changed += _reconcile(row, wanted.get(("group", group_name(row.group_id), row.role.code), Window()),
                              "admin.group.role.window", row.group, ctx)
    accounts = AccountRoleAssignment.objects.current().select_related("account__partner", "role")
    for row in accounts:
        changed += _reconcile(row, wanted.get(("user", row.account.login, row.role.code), Window()),
                              "admin.account.role.window", row.account, ctx)
    ctx.report.count("périodes d'accès", changed, 0)


def _reconcile(row, window: Window, kind: str, holder, ctx: ImportContext) -> int:
    before = Window.of(row)
    if before == window:
        return 0
    for name, value in window.columns().items():
        setattr(row, name, value)
    row.expiry_notice_sent_on = None
    row.save(update_fields=[*WINDOW_FIELDS, "expiry_notice_sent_on"])
    record_event(
        kind,
        actor=ctx.actor,
        org_scope=holder.org_scope if hasattr(holder, "org_scope") else _group_scope(holder),
        target=target_of(holder),
        before={"role": row.role.code, "window": before.as_record()},
        after={"role": row.role.code, "window": window.as_record()},
    )
    return 1


def _group_scope(group) -> str:
    from habpps.directory.orgs import scope_path

    return scope_path(group.partner.fund_id, group.partner_id)


register_section("temporal_constraints", check=_check_temporal, apply=_apply_temporal)
