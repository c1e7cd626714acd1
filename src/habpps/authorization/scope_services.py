"""Administering contextual constraints (ENG-5) and each profile's data scoping and action limits (ENG-8).

One service per change, used by the pages, the API and the policy import alike: the engine decides whether the
actor may (``gerer contraintes-contextuelles`` / ``gerer portee-des-profils`` in the national unit — seeded for
the national administrator, editable like any permission), the engine's own rules validate the input (French
refusals, before anything is written), the change runs in one ``policy_change`` and is journalled before/after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from habpps.authorization import permissions as perms
from habpps.authorization.decisions import authorize
from habpps.authorization.model_services import engine_checked
from habpps.authorization.models import (
    ActionLimit,
    ActivationConstraint,
    ContextAttribute,
    ContextConstraint,
    FieldRule,
    GrantConstraint,
    PermissionConstraint,
    PopulationRule,
)
from habpps.authorization.orgs import NATIONAL_UNIT, scope_path
from habpps.authorization.permission_labels import PermissionLabels
from habpps.authorization.policy_cache import policy_change
from habpps.authorization.scope_policy import attribute_doc, limits_doc, population_doc
from habpps.authorization.stored import RolePermission
from habpps.engine import RBAC, RBACError
from habpps.engine.context import ContextAttribute as EngineAttribute
from habpps.journal.services import record_event

if TYPE_CHECKING:
    from habpps.directory.models import ServiceRole

RESOURCES = {
    "comptes": _("les comptes"),
    "organismes": _("les organismes partenaires"),
    "conventions": _("les conventions"),
    "journal": _("le journal"),
    "supervision": _("les tableaux de bord"),
    "dossiers-cdap": _("les dossiers d'allocataires (CDAP)"),
}
"""The data the platform's lists show, by the name the population rules use."""


def _refuse(error: RBACError, field: str | None = None) -> ValidationError:
    return ValidationError({field: error.message} if field else error.message, code=getattr(error, "code", None))


def _journal(kind: str, actor, target: str, before: Any, after: Any) -> None:
    record_event(kind, actor=actor, org_scope=scope_path(), target=target, before=before, after=after)


def _stamp(row: Model, actor) -> None:
    row.changed_at = timezone.now()
    row.changed_by = actor


def _scratch(extra_attribute: ContextAttribute | None = None, *, without: str | None = None) -> RBAC:
    rbac = RBAC()
    for row in ContextAttribute.objects.exclude(name=without or "").order_by("name"):
        if extra_attribute is not None and row.pk == extra_attribute.pk:
            continue
        doc = attribute_doc(row)
        rbac.add_context_attribute(doc["name"], function=doc["function"], domain=doc["domain"],
                                   parameter=doc.get("parameter"))
    return rbac


# -- context attributes --------------------------------------------------------------------------------------------
def save_attribute(actor, attribute: ContextAttribute | None, *, name: str, function: str, domain: str = "",
                   parameter: str = "") -> ContextAttribute:
    """Create or change a context attribute; one a constraint uses cannot change (delete the constraint first)."""
    authorize(actor, *perms.MANAGE_CONTEXT, NATIONAL_UNIT)
    try:
        EngineAttribute.build(name, domain or None, function, parameter or None)
    except RBACError as error:
        raise _refuse(error) from error
    with policy_change():
        before = None
        if attribute is not None:
            attribute = ContextAttribute.objects.select_for_update().get(pk=attribute.pk)
            used = _constraints_using(attribute.name)
            if used:
                raise ValidationError(
                    _("L'attribut « %(name)s » est utilisé par : %(used)s ; modifiez d'abord ces contraintes.")
                    % {"name": attribute.name, "used": ", ".join(used)}, code="attribute_in_use")
            before = attribute_doc(attribute)
        else:
            attribute = ContextAttribute()
        if ContextAttribute.objects.filter(name=name).exclude(pk=attribute.pk).exists():
            raise ValidationError({"name": _("Un attribut porte déjà ce nom.")}, code="attribute_exists")
        attribute.name, attribute.function, attribute.domain, attribute.parameter = name, function, domain, parameter
        _stamp(attribute, actor)
        attribute.save()
        _journal("admin.context.attribute.save", actor, f"context-attribute:{attribute.pk}", before,
                 attribute_doc(attribute))
    return attribute


def delete_attribute(actor, attribute: ContextAttribute) -> None:
    authorize(actor, *perms.MANAGE_CONTEXT, NATIONAL_UNIT)
    with policy_change():
        used = _constraints_using(attribute.name)
        if used:
            raise ValidationError(
                _("L'attribut « %(name)s » est utilisé par : %(used)s.") % {"name": attribute.name,
                                                                           "used": ", ".join(used)},
                code="attribute_in_use")
        before = attribute_doc(attribute)
        attribute.delete()
        _journal("admin.context.attribute.delete", actor, f"context-attribute:{before['name']}", before, None)


def _constraints_using(name: str) -> list[str]:
    return sorted(
        c.name for c in ContextConstraint.objects.all()
        if any(op == {"attribute": name} for cond in c.conditions for op in cond.get("operands", []))
    )


# -- context constraints -------------------------------------------------------------------------------------------
def check_conditions(name: str, conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conditions in the engine's canonical form, or a French refusal (type-checked against the attributes)."""
    rbac = _scratch()
    try:
        rbac.add_context_constraint(name, conditions)
    except RBACError as error:
        raise _refuse(error) from error
    return rbac.context_constraints()[name].as_dict()["conditions"]


def save_constraint(actor, constraint: ContextConstraint | None, *, name: str,
                    conditions: list[dict[str, Any]]) -> ContextConstraint:
    """Create a constraint or replace its conditions (its links to permissions stay)."""
    authorize(actor, *perms.MANAGE_CONTEXT, NATIONAL_UNIT)
    canonical = check_conditions(name, conditions)
    with policy_change():
        before = None
        if constraint is not None:
            constraint = ContextConstraint.objects.select_for_update().get(pk=constraint.pk)
            before = {"name": constraint.name, "conditions": constraint.conditions}
        else:
            constraint = ContextConstraint()
        if ContextConstraint.objects.filter(name=name).exclude(pk=constraint.pk).exists():
            raise ValidationError({"name": _("Une contrainte porte déjà ce nom.")}, code="constraint_exists")
        constraint.name, constraint.conditions = name, canonical
        _stamp(constraint, actor)
        constraint.save()
        _journal("admin.context.constraint.save", actor, f"context-constraint:{constraint.pk}", before,
                 {"name": name, "conditions": canonical})
    return constraint


def delete_constraint(actor, constraint: ContextConstraint) -> None:
    """Delete a constraint and what refers to it (its permission links, the field rules it conditions)."""
    authorize(actor, *perms.MANAGE_CONTEXT, NATIONAL_UNIT)
    with policy_change():
        before = {"name": constraint.name, "conditions": constraint.conditions,
                  "permissions": sorted(f"{p.operation} {p.obj}" for p in constraint.permissions.all())}
        constraint.permissions.all().delete()
        constraint.field_rules.all().delete()
        constraint.delete()
        _journal("admin.context.constraint.delete", actor, f"context-constraint:{before['name']}", before, None)


def link_permission(actor, operation: str, obj: str, constraint: ContextConstraint) -> PermissionConstraint:
    """Grant ``(operation, obj)`` only while ``constraint`` holds, whatever profile holds it."""
    authorize(actor, *perms.MANAGE_CONTEXT, NATIONAL_UNIT)
    with policy_change():
        if PermissionConstraint.objects.filter(operation=operation, obj=obj, constraint=constraint).exists():
            raise ValidationError(_("Cette permission dépend déjà de cette contrainte."), code="link_exists")
        link = PermissionConstraint(operation=operation, obj=obj, constraint=constraint)
        _stamp(link, actor)
        link.save()
        _journal("admin.context.permission.link", actor, f"permission:{operation} {obj}", None,
                 {"constraint": constraint.name})
    return link


def unlink_permission(actor, link: PermissionConstraint) -> None:
    authorize(actor, *perms.MANAGE_CONTEXT, NATIONAL_UNIT)
    with policy_change():
        before = {"constraint": link.constraint.name}
        target = f"permission:{link.operation} {link.obj}"
        link.delete()
        _journal("admin.context.permission.unlink", actor, target, before, None)


# -- one profile's grant of a permission under conditions (AuthZEN grant_constraints) ------------------------------
def grant_constraint_names(role: ServiceRole, operation: str, obj: str) -> list[str]:
    return sorted(GrantConstraint.objects.filter(role=role, operation=operation, obj=obj).values_list(
        "constraint__name", flat=True))


def set_grant_constraints(actor, role: ServiceRole, operation: str, obj: str,
                          constraints: list[ContextConstraint]) -> list[str]:
    """Make ``role``'s grant of ``(operation, obj)`` hold only while every one of ``constraints`` holds (none: no
    condition); other profiles holding the same permission stay unbound. Returns the former constraints' names.

    Who may: whoever the engine lets manage contextual constraints in the national unit — a profile's conditions
    bind every holder, whatever their fund or partner. The profile must hold the permission (a condition on a
    permission it does not hold would bind nothing); the change is replayed into the engine (``policy_change``,
    the table has change-capture triggers), which evaluates it at every decision, and journalled before/after."""
    authorize(actor, *perms.MANAGE_CONTEXT, NATIONAL_UNIT)
    if not RolePermission.objects.filter(role=role, operation=operation, obj=obj).exists():
        raise ValidationError(
            {"permission": _("Le profil « %(role)s » ne détient pas la permission « %(permission)s » : une condition "
                             "ne peut s'y attacher.") % {"role": role.name, "permission": _label(operation, obj)}},
            code="permission_not_granted")
    wanted = sorted({c.name for c in constraints})

    def change() -> list[str]:
        with policy_change():
            before = _replace_links(
                GrantConstraint.objects.filter(role=role, operation=operation, obj=obj), constraints, actor,
                lambda constraint: GrantConstraint(role=role, operation=operation, obj=obj, constraint=constraint))
            if before == wanted:
                return before
            picture = {"profile": role.code, "permission": f"{operation} {obj}"}
            _journal("admin.context.grant.set", actor, f"role:{role.code}", {**picture, "constraints": before},
                     {**picture, "constraints": wanted})
        return before

    return engine_checked(change)


def _replace_links(links, constraints: list[ContextConstraint], actor, make_link) -> list[str]:
    """Make the link rows of ``links`` (locked) name exactly ``constraints``; returns the former names, sorted.

    Nothing is written when they already do; ``make_link(constraint)`` builds a missing row (stamped here)."""
    rows = {row.constraint.name: row for row in links.select_for_update().select_related("constraint")}
    before = sorted(rows)
    wanted = {constraint.name for constraint in constraints}
    if set(before) == wanted:
        return before
    for name, row in rows.items():
        if name not in wanted:
            row.delete()
    for constraint in constraints:
        if constraint.name not in rows:
            link = make_link(constraint)
            _stamp(link, actor)
            link.save()
    return before


def add_grant_constraint(actor, role: ServiceRole, operation: str, obj: str, constraint: ContextConstraint) -> None:
    """One more condition on the profile's grant of ``(operation, obj)``."""
    current = grant_constraint_names(role, operation, obj)
    if constraint.name in current:
        raise ValidationError(_("Cette permission du profil dépend déjà de « %(name)s ».") % {"name": constraint.name},
                              code="link_exists")
    others = list(ContextConstraint.objects.filter(name__in=current))
    set_grant_constraints(actor, role, operation, obj, [*others, constraint])


def remove_grant_constraint(actor, link: GrantConstraint) -> None:
    """Lift one condition from the profile's grant."""
    others = list(ContextConstraint.objects.filter(
        grants__role=link.role, grants__operation=link.operation, grants__obj=link.obj).exclude(pk=link.constraint_id))
    set_grant_constraints(actor, link.role, link.operation, link.obj, others)


# -- the conditions of a profile's activation in a session (policy section activation_constraints) ---------------
def activation_constraint_names(role: ServiceRole) -> list[str]:
    return sorted(ActivationConstraint.objects.filter(role=role).values_list("constraint__name", flat=True))


def set_activation_constraints(actor, role: ServiceRole, constraints: list[ContextConstraint]) -> list[str]:
    """Make ``role`` activable in a session only while every one of ``constraints`` holds in the context of the
    activation (none: no condition). Returns the former constraints' names.

    Who may: as for the conditions on a profile's permissions, whoever the engine lets manage contextual
    constraints in the national unit. The engine checks the constraints when a web login opens the session, when
    the role switcher activates a role and for a decision's ``active_roles``; the change is replayed into the
    engine (``policy_change``, the table has change-capture triggers) and journalled before/after."""
    authorize(actor, *perms.MANAGE_CONTEXT, NATIONAL_UNIT)
    wanted = sorted({c.name for c in constraints})

    def change() -> list[str]:
        with policy_change():
            before = _replace_links(ActivationConstraint.objects.filter(role=role), constraints, actor,
                                    lambda constraint: ActivationConstraint(role=role, constraint=constraint))
            if before == wanted:
                return before
            _journal("admin.context.activation.set", actor, f"role:{role.code}",
                     {"profile": role.code, "constraints": before}, {"profile": role.code, "constraints": wanted})
        return before

    return engine_checked(change)


def add_activation_constraint(actor, role: ServiceRole, constraint: ContextConstraint) -> None:
    """One more condition on the profile's activation."""
    current = activation_constraint_names(role)
    if constraint.name in current:
        raise ValidationError(_("L'activation du profil dépend déjà de « %(name)s ».") % {"name": constraint.name},
                              code="link_exists")
    others = list(ContextConstraint.objects.filter(name__in=current))
    set_activation_constraints(actor, role, [*others, constraint])


def remove_activation_constraint(actor, link: ActivationConstraint) -> None:
    """Lift one condition from the profile's activation."""
    others = list(ContextConstraint.objects.filter(activations__role=link.role).exclude(pk=link.constraint_id))
    set_activation_constraints(actor, link.role, others)


def _label(operation: str, obj: str) -> str:
    return PermissionLabels()(operation, obj)


# -- populations, field rules, action limits (ENG-8) ---------------------------------------------------------------
def _check_resource(resource: str) -> None:
    if resource not in RESOURCES:
        raise ValidationError({"resource": _("Données inconnues : « %(r)s ».") % {"r": resource}},
                              code="unknown_resource")


def add_population(actor, role: ServiceRole, *, resource: str, name: str, kind: str, field: str = "",
                   values: list[str] | None = None, attribute: str = "", is_default: bool = False) -> PopulationRule:
    """Give the profile's holders a population of ``resource`` (validated by the engine's rules)."""
    authorize(actor, *perms.MANAGE_SCOPING, NATIONAL_UNIT)
    _check_resource(resource)
    rule = PopulationRule(role=role, resource=resource, name=name, kind=kind, field=field,
                          values=sorted(values or []) if kind == "explicit" else [], attribute=attribute,
                          is_default=is_default)
    try:
        doc = population_doc(rule)
    except RBACError as error:
        raise _refuse(error) from error
    with policy_change():
        existing = PopulationRule.objects.filter(role=role, resource=resource)
        if existing.filter(name=name).exists():
            raise ValidationError({"name": _("Ce profil a déjà une population de ce nom sur ces données.")},
                                  code="population_exists")
        if is_default and existing.filter(is_default=True).exists():
            raise ValidationError({"is_default": _("Ce profil a déjà une population par défaut sur ces données.")},
                                  code="default_population_exists")
        _stamp(rule, actor)
        rule.save()
        _journal("admin.scoping.population.add", actor, f"role:{role.code}", None, {"resource": resource, **doc})
    return rule


def delete_population(actor, rule: PopulationRule) -> None:
    authorize(actor, *perms.MANAGE_SCOPING, NATIONAL_UNIT)
    with policy_change():
        before = {"resource": rule.resource, **population_doc(rule)}
        rule.delete()
        _journal("admin.scoping.population.delete", actor, f"role:{rule.role.code}", before, None)


def set_field_rule(actor, role: ServiceRole, *, resource: str, field: str, access: str,
                   when: ContextConstraint | None = None) -> FieldRule:
    authorize(actor, *perms.MANAGE_SCOPING, NATIONAL_UNIT)
    _check_resource(resource)
    if access not in dict(FieldRule._meta.get_field("access").choices):
        raise ValidationError({"access": _("Accès inconnu.")}, code="unknown_access")
    with policy_change():
        rule = FieldRule.objects.filter(role=role, resource=resource, field=field, when=when).first()
        before = {"access": rule.access} if rule else None
        rule = rule or FieldRule(role=role, resource=resource, field=field, when=when)
        rule.access = access
        _stamp(rule, actor)
        rule.save()
        _journal("admin.scoping.field.set", actor, f"role:{role.code}", before,
                 {"resource": resource, "field": field, "access": access, "when": when.name if when else None})
    return rule


def delete_field_rule(actor, rule: FieldRule) -> None:
    authorize(actor, *perms.MANAGE_SCOPING, NATIONAL_UNIT)
    with policy_change():
        before = {"resource": rule.resource, "field": rule.field, "access": rule.access,
                  "when": rule.when.name if rule.when_id else None}
        rule.delete()
        _journal("admin.scoping.field.delete", actor, f"role:{rule.role.code}", before, None)


def set_action_limits(actor, role: ServiceRole, action: str, **limits: int | None) -> ActionLimit | None:
    """Set (or, with no limit at all, lift) the profile's limits of ``action``: daily ceiling, records per
    query (all or nothing), confirmation threshold, duration."""
    authorize(actor, *perms.MANAGE_SCOPING, NATIONAL_UNIT)
    if not action.strip():
        raise ValidationError({"action": _("Nommez l'action limitée.")}, code="missing_action")
    row = ActionLimit(role=role, action=action, **{k: v for k, v in limits.items() if k in ActionLimit.LIMIT_FIELDS})
    try:
        after = limits_doc(row)
    except RBACError as error:
        raise _refuse(error) from error
    with policy_change():
        current = ActionLimit.objects.select_for_update().filter(role=role, action=action).first()
        before = limits_doc(current) if current else None
        if current is not None:
            current.delete()
        if after:
            _stamp(row, actor)
            row.save()
        _journal("admin.scoping.limits.set", actor, f"role:{role.code}", before and {"action": action, **before},
                 after and {"action": action, **after})
    return row if after else None
