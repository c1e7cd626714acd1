"""Administrative actions on the role hierarchy, separation of duty, exclusions and cardinalities.

Each action asks the engine whether the actor may (the permission ``gerer modele-habilitations``, national by
default), writes its rows inside a ``policy_change`` — whose replay into the engine refuses, with the engine's
explanation, a cycle, a set or an exclusion the directory already breaks, a limit already exceeded — and
journals the change with before/after pictures. Pages, the API and the demo all go through here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from habpps.authorization.approvals import request_approval
from habpps.authorization.decisions import authorize
from habpps.authorization.labels import in_french
from habpps.authorization.model_permissions import MANAGE_MODEL
from habpps.authorization.orgs import NATIONAL_UNIT, fund_unit, partner_unit, scope_path
from habpps.authorization.policy_cache import policy_change
from habpps.authorization.records import as_record, target_of
from habpps.authorization.separation_models import (
    Exclusion,
    ExclusionKind,
    ExclusionMember,
    Risk,
    RoleInheritance,
    RoleRule,
    SeparationKind,
    SeparationMember,
    SeparationSet,
)
from habpps.authorization.stored import Fund, Partner, ServiceRole
from habpps.engine import ApprovalRequired, RBACError
from habpps.journal.services import record_event

NATIONAL_SCOPE = scope_path()


class EngineRefusal(ValidationError):
    """The engine refused the change: its explanation, in French names, as a form error."""


def engine_checked(action):
    """Run ``action`` and turn an engine refusal into a French ``ValidationError`` (nothing was changed)."""
    try:
        return action()
    except RBACError as refusal:
        raise EngineRefusal(in_french(str(refusal)), code=getattr(refusal, "code", "engine_refusal")) from refusal


def held_for_approval(actor, action: str, role: ServiceRole, arguments: dict, change):
    """Run ``change`` (engine-checked); when a ``require_approval`` exclusion (ENG-7) holds it, nothing is changed
    and it waits in the « À approuver » queue like a held assignment: its `PendingApproval` is returned."""
    try:
        return change()
    except ApprovalRequired as held:  # held, not refused
        return request_approval(actor, held, action=action, org=NATIONAL_UNIT, org_scope=NATIONAL_SCOPE,
                                role=role, arguments=arguments)
    except RBACError as refusal:
        raise EngineRefusal(in_french(str(refusal)), code=getattr(refusal, "code", "engine_refusal")) from refusal


def _journal(kind: str, actor, instance, before: dict | None, after: dict | None, scope: str = NATIONAL_SCOPE,
             data: dict | None = None) -> None:
    record_event(kind, actor=actor, org_scope=scope, target=target_of(instance), before=before, after=after,
                 data=data)


def valid_unit(org: str) -> str:
    """An engine unit name the directory knows (``national``, ``fund:ID``, ``partner:ID``), or '' (everywhere)."""
    org = (org or "").strip()
    if not org:
        return ""
    kind, _sep, key = org.partition(":")
    if org == NATIONAL_UNIT or (kind == "fund" and key.isdigit() and Fund.objects.filter(pk=int(key)).exists()) or (
        kind == "partner" and key.isdigit() and Partner.objects.filter(pk=int(key)).exists()
    ):
        return org
    raise ValidationError({"org": _("Unité inconnue : « %(org)s ».") % {"org": org}}, code="unknown_unit")


# -- hierarchy (ENG-2) --------------------------------------------------------------------------------------------------
def add_inheritance(actor, senior: ServiceRole, junior: ServiceRole) -> RoleInheritance:
    """``senior`` inherits every permission of ``junior``; the engine refuses a cycle or a broken SSD set."""
    authorize(actor, *MANAGE_MODEL, NATIONAL_UNIT)
    if senior.pk == junior.pk:
        raise ValidationError({"junior": _("Un rôle ne peut pas hériter de lui-même.")}, code="self_inheritance")
    if RoleInheritance.objects.filter(senior=senior, junior=junior).exists():
        raise ValidationError({"junior": _("« %(senior)s » hérite déjà de « %(junior)s ».")
                               % {"senior": senior.name, "junior": junior.name}}, code="inheritance_exists")

    def change() -> RoleInheritance:
        with policy_change(requester=actor):
            link = RoleInheritance.objects.create(senior=senior, junior=junior, created_by=actor)
            _journal("admin.model.inheritance.add", actor, link, None, as_record(link),
                     data={"senior": senior.code, "junior": junior.code})
        return link

    return held_for_approval(actor, "add_inheritance", senior, {"junior": junior.pk}, change)


def remove_inheritance(actor, link: RoleInheritance) -> None:
    authorize(actor, *MANAGE_MODEL, NATIONAL_UNIT)

    def change() -> None:
        with policy_change():
            before = as_record(link)
            _journal("admin.model.inheritance.remove", actor, link, before, None,
                     data={"senior": link.senior.code, "junior": link.junior.code})
            link.delete()

    engine_checked(change)


# -- separation of duty (ENG-2) -------------------------------------------------------------------------------------------
def _set_record(sod_set: SeparationSet) -> dict:
    return {**as_record(sod_set), "members": sorted(
        [m.role.code, m.org] for m in sod_set.members.select_related("role"))}


def create_separation_set(actor, *, kind: str, name: str, cardinality: int,
                          members: Iterable[tuple[ServiceRole, str]], description: str = "") -> SeparationSet:
    """An SSD or DSD set over roles and (role, unit) pairs; the engine refuses one the directory breaks."""
    authorize(actor, *MANAGE_MODEL, NATIONAL_UNIT)
    if kind not in SeparationKind.values:
        raise ValidationError({"kind": _("Type d'ensemble inconnu.")}, code="sod_kind")
    pairs = {(role, valid_unit(org)) for role, org in members}
    if len(pairs) < 2:
        raise ValidationError({"members": _("Un ensemble réunit au moins deux rôles.")}, code="sod_members")
    if not 2 <= cardinality <= len(pairs):
        raise ValidationError({"cardinality": _("La cardinalité va de 2 au nombre de membres (%(n)s).")
                               % {"n": len(pairs)}}, code="sod_cardinality")
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Donnez un nom à l'ensemble.")}, code="sod_name")
    if SeparationSet.objects.filter(kind=kind, name=name).exists():
        raise ValidationError({"name": _("Un ensemble de ce type porte déjà ce nom.")}, code="sod_exists")

    def change() -> SeparationSet:
        with policy_change():
            sod_set = SeparationSet.objects.create(kind=kind, name=name, cardinality=cardinality,
                                                   description=description.strip(), created_by=actor)
            SeparationMember.objects.bulk_create(
                SeparationMember(sod_set=sod_set, role=role, org=org) for role, org in sorted(
                    pairs, key=lambda p: (p[0].code, p[1])))
            _journal(f"admin.model.{kind}.create", actor, sod_set, None, _set_record(sod_set))
        return sod_set

    return engine_checked(change)


def delete_separation_set(actor, sod_set: SeparationSet) -> None:
    authorize(actor, *MANAGE_MODEL, NATIONAL_UNIT)

    def change() -> None:
        with policy_change():
            _journal(f"admin.model.{sod_set.kind}.delete", actor, sod_set, _set_record(sod_set), None)
            sod_set.delete()

    engine_checked(change)


# -- exclusions (ENG-7) -------------------------------------------------------------------------------------------------
def _rule_record(rule: Exclusion) -> dict:
    return {**as_record(rule), "members": [
        {"role": m.role.code if m.role_id else None, "operation": m.operation, "object": m.obj, "org": m.org}
        for m in rule.members.select_related("role").order_by("id")]}


def create_exclusion(actor, *, name: str, risk: str, cardinality: int, members: Iterable[dict],
                     kind: str = ExclusionKind.STATIC, description: str = "") -> Exclusion:
    """A risk-graded exclusion over roles, (role, unit), permissions and (permission, unit).

    Each member is ``{"role": ServiceRole, "org": ""}`` or ``{"operation": …, "obj": …, "org": ""}``. A
    ``block`` rule the directory already breaks is refused by the engine, with who breaks it."""
    authorize(actor, *MANAGE_MODEL, NATIONAL_UNIT)
    if risk not in Risk.values:
        raise ValidationError({"risk": _("Conduite à tenir inconnue.")}, code="unknown_risk")
    if kind not in ExclusionKind.values:
        raise ValidationError({"kind": _("Moment du contrôle inconnu.")}, code="unknown_kind")
    rows: list[ExclusionMember] = []
    seen = set()
    for member in members:
        org = valid_unit(member.get("org", ""))
        role = member.get("role")
        if role is not None:
            key = ("role", role.pk, org)
            row = ExclusionMember(role=role, org=org)
        else:
            operation, obj = (member.get("operation") or "").strip(), (member.get("obj") or "").strip()
            if not operation or not obj:
                raise ValidationError({"members": _("Une permission s'écrit avec une opération et un objet.")},
                                      code="exclusion_permission")
            key = ("permission", operation, obj, org)
            row = ExclusionMember(operation=operation, obj=obj, org=org)
        if key not in seen:
            seen.add(key)
            rows.append(row)
    if len(rows) < 2:
        raise ValidationError({"members": _("Une exclusion réunit au moins deux membres.")},
                              code="exclusion_members")
    if not 2 <= cardinality <= len(rows):
        raise ValidationError({"cardinality": _("La cardinalité va de 2 au nombre de membres (%(n)s).")
                               % {"n": len(rows)}}, code="exclusion_cardinality")
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Donnez un nom à l'exclusion.")}, code="exclusion_name")
    if Exclusion.objects.filter(name=name).exists():
        raise ValidationError({"name": _("Une exclusion porte déjà ce nom.")}, code="exclusion_exists")

    def change() -> Exclusion:
        with policy_change():
            rule = Exclusion.objects.create(name=name, risk=risk, kind=kind, cardinality=cardinality,
                                            description=description.strip(), created_by=actor)
            for row in rows:
                row.exclusion = rule
            ExclusionMember.objects.bulk_create(rows)
            _journal("admin.model.exclusion.create", actor, rule, None, _rule_record(rule))
        return rule

    return engine_checked(change)


def delete_exclusion(actor, rule: Exclusion) -> None:
    authorize(actor, *MANAGE_MODEL, NATIONAL_UNIT)

    def change() -> None:
        with policy_change():
            _journal("admin.model.exclusion.delete", actor, rule, _rule_record(rule), None)
            rule.delete()

    engine_checked(change)


# -- role properties and cardinalities (ENG-3, ENG-6) ---------------------------------------------------------------------
def set_role_rule(actor, role: ServiceRole, *, descends: bool, max_users: int | None) -> RoleRule:
    """Whether ``role`` reaches sub-units, and at most how many holders; the engine refuses a limit already
    exceeded or a scope change that would break a set."""
    authorize(actor, *MANAGE_MODEL, NATIONAL_UNIT)
    if max_users is not None and max_users < 1:
        raise ValidationError({"max_users": _("Au moins 1, ou vide pour aucune limite.")}, code="max_users")

    def change() -> RoleRule:
        with policy_change(requester=actor):
            rule, _created = RoleRule.objects.select_for_update().get_or_create(role=role)
            before = None if _created else as_record(rule)
            rule.descends, rule.max_users = descends, max_users
            rule.changed_at, rule.changed_by = timezone.now(), actor
            rule.save()
            _journal("admin.model.role_rule.set", actor, rule, before, as_record(rule), data={"role": role.code})
        return rule

    return held_for_approval(actor, "set_role_descends", role, {"descends": descends, "max_users": max_users},
                             change)


def unit_choices() -> list[tuple[str, str]]:
    """Every unit a member may be scoped to, labelled for a select: national, funds, partners."""
    choices = [("", _("Partout")), (NATIONAL_UNIT, _("Organisme national"))]
    choices += [(fund_unit(pk), name) for pk, name in Fund.objects.values_list("pk", "name").order_by("name")]
    choices += [(partner_unit(pk), f"{name} ({fund})") for pk, name, fund in
                Partner.objects.values_list("pk", "name", "fund__name").order_by("fund__name", "name")]
    return choices
