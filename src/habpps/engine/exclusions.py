"""Exclusions graded by risk (ENG-7, thesis 4.4.8–4.4.9, 4.5.5, 4.5.8): the rules and what breaking one means.

An `Exclusion` generalises SSD/DSD sets: its members may be roles, (role, org) pairs, permissions and
(permission, org) pairs; nobody may hold ``cardinality`` or more of them — statically (what a user is authorized
for) or dynamically (what a session activates). Its *risk* sets the enforcement (thesis 4.4.9: « le mode
d'application de l'exclusion en fonction de la criticité du risque »):

- ``block``: the change is refused;
- ``require_approval``: the change waits, pending, until a second administrator with authority approves or
  rejects it (both recorded);
- ``report``: the change is made and the violation recorded for the dashboards (SUP-7).

A `HistoryExclusion` separates duties on one object instance: whoever did one of ``done`` on an instance of
``obj`` may not do ``then`` on the same instance (the conventions' four eyes: who entered or changed a version may
not validate it). Its ``required`` form is the dual: *only* whoever did one of ``done`` on the instance may do
``then`` on it (the conventions' author rule: only who entered an amendment gives it up or takes it back from the
verifiers). The history is passed in the request context, so decisions stay free of I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from habpps.engine.errors import InvalidArgument, RBACError
from habpps.engine.model import Permission

RISKS = ("block", "require_approval", "report")
KINDS = ("static", "dynamic")
RISK_LABELS = {"block": "bloquante", "require_approval": "soumise à approbation", "report": "signalée"}


class ExclusionMember(NamedTuple):
    """A role or a permission, optionally in one org unit (then held only where the authority applies there)."""

    role: str | None = None
    permission: Permission | None = None
    org: str | None = None

    @classmethod
    def of_role(cls, role: str, org: str | None = None) -> ExclusionMember:
        return cls(role=role, org=org)

    @classmethod
    def of_permission(cls, operation: str, obj: str, org: str | None = None) -> ExclusionMember:
        return cls(permission=(operation, obj), org=org)

    @classmethod
    def parse(cls, value: Any) -> ExclusionMember:
        """Accept a member, a role name, or the document forms ``{role[, org]}`` / ``{operation, object[, org]}``."""
        if isinstance(value, ExclusionMember):
            return value
        if isinstance(value, str):
            return cls(role=value)
        if isinstance(value, Mapping):
            keys = set(value) - {"org"}
            if keys == {"role"}:
                return cls(role=value["role"], org=value.get("org"))
            if keys == {"operation", "object"}:
                return cls(permission=(value["operation"], value["object"]), org=value.get("org"))
        raise InvalidArgument(
            "Un membre d'exclusion est un rôle ({role, org?}) ou une permission ({operation, object, org?}).",
            code="invalid_exclusion_member",
        )

    def describe(self) -> str:
        what = f"rôle « {self.role} »" if self.role else f"permission « {self.permission[0]} » sur « {self.permission[1]} »"
        return what + (f" dans « {self.org} »" if self.org else "")

    def sort_key(self) -> tuple[str, str, str, str]:
        op, obj = self.permission or ("", "")
        return (self.role or "", op, obj, self.org or "")

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = (
            {"role": self.role} if self.role else {"operation": self.permission[0], "object": self.permission[1]}
        )
        if self.org:
            doc["org"] = self.org
        return doc


@dataclass(frozen=True)
class Exclusion:
    """Nobody holds ``cardinality`` or more of ``members`` — statically or in one session, per ``kind``."""

    name: str
    members: frozenset[ExclusionMember]
    cardinality: int
    kind: str
    risk: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "risk": self.risk,
            "cardinality": self.cardinality,
            "members": [m.as_dict() for m in sorted(self.members, key=ExclusionMember.sort_key)],
        }

    def describe_held(self, held: Iterable[ExclusionMember]) -> str:
        return ", ".join(m.describe() for m in sorted(held, key=ExclusionMember.sort_key))


@dataclass(frozen=True)
class HistoryExclusion:
    """Whoever did one of ``done`` on an instance of ``obj`` may not do ``then`` on that same instance — or, when
    ``required``, whoever did *not* do one of ``done`` on it may not."""

    name: str
    obj: str
    done: frozenset[str]
    then: str
    risk: str = "block"
    required: bool = False

    def violation(self, user: str, context: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """The record of the breach when ``user`` appears in the object's history (absent from it, when
        ``required``), None otherwise.

        ``context["history"]`` lists what was done on the instance: ``(user, operation)`` pairs or mappings with
        those keys. A missing history breaches the rule: the decision cannot be proved safe (closed policy).
        A breach of a ``required`` rule names, in ``by``, who did ``done`` (the users who may).
        """
        history = None if context is None else context.get("history")
        base = {"kind": "history", "exclusion": self.name, "risk": self.risk, "object": self.obj,
                "operation": self.then}
        if self.required:
            base["required"] = True
        if history is None:
            return {**base, "message": f"séparation sur l'historique « {self.name} » : l'historique de l'objet "
                                       "n'a pas été fourni"}
        doers: list[str] = []
        for item in history:
            who, operation = (item["user"], item["operation"]) if isinstance(item, Mapping) else tuple(item)
            if operation not in self.done:
                continue
            if who == user:
                if self.required:
                    return None
                return {**base, "previous_operation": operation,
                        "message": f"séparation sur l'historique « {self.name} » : « {user} » a déjà fait "
                                   f"« {operation} » sur ce même objet « {self.obj} » et ne peut pas y faire "
                                   f"« {self.then} »"}
            if who not in doers:
                doers.append(who)
        if not self.required:
            return None
        done = " » ou « ".join(sorted(self.done))
        by = ", ".join(f"« {who} »" for who in doers) or "personne"
        return {**base, "by": doers,
                "message": f"séparation sur l'historique « {self.name} » : seul qui a fait « {done} » sur ce même "
                           f"objet « {self.obj} » peut y faire « {self.then} » ({by}) ; « {user} » ne l'a pas "
                           "fait"}

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"name": self.name, "object": self.obj, "done": sorted(self.done),
                               "then": self.then, "risk": self.risk}
        if self.required:
            doc["required"] = True
        return doc


@dataclass
class PendingChange:
    """An administrative change held by a ``require_approval`` exclusion until a second administrator decides."""

    id: int
    action: str
    arguments: dict[str, Any]
    exclusions: tuple[str, ...]
    requested_by: str | None
    requested_at: datetime
    message: str
    status: str = "pending"
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "action": self.action, "arguments": dict(self.arguments),
            "exclusions": list(self.exclusions), "requested_by": self.requested_by,
            "requested_at": self.requested_at.isoformat(), "message": self.message, "status": self.status,
            "decided_by": self.decided_by,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None, "reason": self.reason,
        }


@dataclass(frozen=True)
class ReportedViolation:
    """A breach allowed by a ``report`` exclusion, kept for the dashboards (SUP-7) and the journal."""

    exclusion: str
    subject: str
    held: tuple[str, ...]
    action: str
    at: datetime
    actor: str | None = None
    session: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"exclusion": self.exclusion, "subject": self.subject, "held": list(self.held),
                "action": self.action, "at": self.at.isoformat(), "actor": self.actor, "session": self.session,
                **self.details}


class ApprovalRequired(RBACError):
    """The change breaks a ``require_approval`` exclusion: nothing changed, it waits as ``pending``."""

    default_code = "approval_required"

    def __init__(self, pending: PendingChange) -> None:
        super().__init__(pending.message, pending_id=pending.id, exclusions=pending.exclusions)
        self.pending = pending


def validate_risk(risk: Any) -> str:
    if risk not in RISKS:
        raise InvalidArgument(
            f"Niveau de risque inconnu « {risk} » (connus : {', '.join(RISKS)}).", code="unknown_risk", risk=risk
        )
    return risk
