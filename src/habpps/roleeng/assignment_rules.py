"""Attribute-driven role assignment (thesis 4.4.3 and 6.2, SPEC RE-7), with a preview before anything applies.

A business rule reads « si métier = X et unité organisationnelle = Y alors rôle = Z ». Rules are evaluated on a
user's attributes when the user is created or changed; the assignments they produce are compared with those the
previous attributes (or the previous rules) produced, giving, per user, the roles and permissions gained and
lost. That comparison is the preview shown before applying; :func:`apply_change` then makes exactly those
assignments in the engine, all-or-nothing.

Only assignments that rules produce are ever removed: a role assigned by hand is never touched here, since the
change is computed from the rules' output before and after, not from the user's current assignments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass
from functools import partial

from habpps.engine import RBAC, RBACError
from habpps.roleeng.model import AssignmentRule, Permission

Attributes = Mapping[str, object]
#: A permission held in an org unit (``None``: everywhere), as a rule-made assignment confers it.
ScopedPermission = tuple[str, str, str | None]


@dataclass(frozen=True, order=True)
class RuleAssignment:
    """A role assignment made by a rule, in the org unit the rule's scope attribute names (None: everywhere)."""

    role: str
    org: str | None = None


@dataclass(frozen=True)
class AssignmentChange:
    """What applying rules would change for one user: assignments and scoped permissions gained and lost."""

    user: str
    gained: frozenset[RuleAssignment]
    lost: frozenset[RuleAssignment]
    permissions_gained: frozenset[ScopedPermission]
    permissions_lost: frozenset[ScopedPermission]
    rules: Mapping[RuleAssignment, tuple[str, ...]]  # the rules that produce each gained assignment

    @property
    def is_empty(self) -> bool:
        return not (self.gained or self.lost)

    def sentence(self) -> str:
        """The change as one French sentence for the preview screen."""
        if self.is_empty:
            return f"« {self.user} » : aucun changement."
        parts = []
        if self.gained:
            parts.append("obtient " + ", ".join(_describe(a) for a in sorted(self.gained, key=_key)))
        if self.lost:
            parts.append("perd " + ", ".join(_describe(a) for a in sorted(self.lost, key=_key)))
        counts = (
            f"{len(self.permissions_gained)} permission(s) gagnée(s), {len(self.permissions_lost)} perdue(s)"
        )
        return f"« {self.user} » {' et '.join(parts)} ({counts})."


def _key(assignment: RuleAssignment) -> tuple[str, str]:
    return (assignment.role, assignment.org or "")


def _describe(assignment: RuleAssignment) -> str:
    where = f" dans « {assignment.org} »" if assignment.org else ""
    return f"le rôle « {assignment.role} »{where}"


def evaluate(
    rules: Iterable[AssignmentRule], attributes: Attributes | None
) -> dict[RuleAssignment, tuple[str, ...]]:
    """The assignments rules give a user with these attributes (None: no such user), each with its rules.

    A rule with a scope attribute applies only to users who have that attribute: the assignment must be placed.
    """
    produced: dict[RuleAssignment, list[str]] = {}
    if attributes is None:
        return {}
    for rule in rules:
        if not rule.matches(attributes):
            continue
        if rule.scope_attribute is not None:
            org = attributes.get(rule.scope_attribute)
            if org is None or org == "":
                continue
            assignment = RuleAssignment(rule.role, str(org))
        else:
            assignment = RuleAssignment(rule.role)
        produced.setdefault(assignment, []).append(rule.id)
    return {assignment: tuple(ids) for assignment, ids in produced.items()}


def preview_user_change(
    user: str,
    before: Attributes | None,
    after: Attributes | None,
    rules: Iterable[AssignmentRule],
    permissions_of: Callable[[str], Set[Permission]],
    rules_after: Iterable[AssignmentRule] | None = None,
) -> AssignmentChange:
    """What the rules change for a user whose attributes go from ``before`` to ``after``.

    ``before=None`` is a creation, ``after=None`` a removal. ``rules_after`` (default: ``rules``) lets a rule
    change and an attribute change be previewed together. ``permissions_of(role)`` gives a role's permissions,
    inherited ones included (a derived hierarchy's ``permissions`` or the engine's ``role_permissions``).
    """
    rules = tuple(rules)
    old = evaluate(rules, before)
    new = evaluate(rules if rules_after is None else tuple(rules_after), after)
    old_permissions = _scoped_permissions(old, permissions_of)
    new_permissions = _scoped_permissions(new, permissions_of)
    gained = frozenset(new.keys() - old.keys())
    return AssignmentChange(
        user=user,
        gained=gained,
        lost=frozenset(old.keys() - new.keys()),
        permissions_gained=frozenset(new_permissions - old_permissions),
        permissions_lost=frozenset(old_permissions - new_permissions),
        rules={assignment: new[assignment] for assignment in gained},
    )


def preview_rules_change(
    users: Mapping[str, Attributes],
    rules_before: Iterable[AssignmentRule],
    rules_after: Iterable[AssignmentRule],
    permissions_of: Callable[[str], Set[Permission]],
) -> list[AssignmentChange]:
    """Who would gain or lose what if the rule set changed: one change per affected user, sorted by user."""
    rules_before, rules_after = tuple(rules_before), tuple(rules_after)
    changes = (
        preview_user_change(
            user, attributes, attributes, rules_before, permissions_of, rules_after=rules_after
        )
        for user, attributes in sorted(users.items())
    )
    return [change for change in changes if not change.is_empty]


def _scoped_permissions(
    assignments: Iterable[RuleAssignment], permissions_of: Callable[[str], Set[Permission]]
) -> set[ScopedPermission]:
    return {(op, obj, a.org) for a in assignments for op, obj in permissions_of(a.role)}


def apply_change(rbac: RBAC, change: AssignmentChange) -> None:
    """Make a previewed change in the engine, all-or-nothing: on a refusal, what was done is undone and the
    engine's error (SSD, cardinality, unknown org unit…) is raised unchanged.

    The user is created if the engine does not know them yet. A lost assignment already gone, or a gained one
    already made (by hand), is left as it is: the engine ends in the state the preview announced.
    """
    undo: list[Callable[[], None]] = []
    try:
        if change.user not in rbac.users():
            if not change.gained:
                return
            rbac.add_user(user=change.user)
            undo.append(partial(rbac.delete_user, user=change.user))
        direct = {(a.role, a.org) for a in rbac.user_assignments(user=change.user) if a.group is None}
        for assignment in sorted(change.lost, key=_key):
            if (assignment.role, assignment.org) in direct:
                rbac.deassign_user(user=change.user, role=assignment.role, org=assignment.org)
                undo.append(
                    partial(rbac.assign_user, user=change.user, role=assignment.role, org=assignment.org)
                )
        for assignment in sorted(change.gained, key=_key):
            if (assignment.role, assignment.org) not in direct:
                rbac.assign_user(user=change.user, role=assignment.role, org=assignment.org)
                undo.append(
                    partial(rbac.deassign_user, user=change.user, role=assignment.role, org=assignment.org)
                )
    except RBACError:
        for step in reversed(undo):
            step()
        raise


def apply_user_change(
    rbac: RBAC,
    user: str,
    before: Attributes | None,
    after: Attributes | None,
    rules: Iterable[AssignmentRule],
) -> AssignmentChange:
    """Evaluate the rules on a created or changed user and apply the result to the engine; return the change."""
    change = preview_user_change(user, before, after, rules, lambda role: rbac.role_permissions(role=role))
    apply_change(rbac, change)
    return change
