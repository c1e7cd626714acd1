"""Habpps RBAC engine: ANSI INCITS 359 (core, hierarchical, SSD, DSD) extended with org units, groups,
cardinalities, explanations, compiled snapshots and policy documents, and with contextual and temporal
constraints (ENG-5), risk-graded exclusions (ENG-7), data scoping (ENG-8) and administrative RBAC (ENG-12).
Pure Python: no Django here.

    from habpps.engine import RBAC
    rbac = RBAC()
    rbac.add_user("alice"); rbac.add_role("lecteur")
    rbac.grant_permission(operation="lire", obj="dossier", role="lecteur")
    rbac.assign_user(user="alice", role="lecteur")
    rbac.create_session(user="alice", session="s1", roles=["lecteur"])
    rbac.check_access(session="s1", operation="lire", obj="dossier")  # True
"""

from habpps.engine.compiled import Snapshot
from habpps.engine.context import attr
from habpps.engine.decision import Decision, GrantPath
from habpps.engine.delegation_model import AdminDecision, Authority
from habpps.engine.errors import (
    AlreadyExists,
    ConstraintViolation,
    InvalidArgument,
    NotFound,
    PolicyDocumentError,
    RBACError,
)
from habpps.engine.exclusions import ApprovalRequired, ExclusionMember, PendingChange, ReportedViolation
from habpps.engine.limits import ActionCounter, InMemoryActionCounter, consume_daily
from habpps.engine.model import Assignment, Permission
from habpps.engine.policy_io import diff, dumps, parse_text
from habpps.engine.policy_schema import POLICY_SCHEMA
from habpps.engine.rbac import RBAC
from habpps.engine.scoping import ActionLimits, AnyOf, Everything, FieldIn, Nothing, RecordFilter
from habpps.engine.temporal import TemporalConstraint

__all__ = [
    "RBAC",
    "ActionCounter",
    "ActionLimits",
    "AdminDecision",
    "AlreadyExists",
    "AnyOf",
    "ApprovalRequired",
    "Assignment",
    "Authority",
    "ConstraintViolation",
    "Decision",
    "Everything",
    "ExclusionMember",
    "FieldIn",
    "GrantPath",
    "InMemoryActionCounter",
    "InvalidArgument",
    "NotFound",
    "Nothing",
    "POLICY_SCHEMA",
    "PendingChange",
    "Permission",
    "PolicyDocumentError",
    "RBACError",
    "RecordFilter",
    "ReportedViolation",
    "Snapshot",
    "TemporalConstraint",
    "attr",
    "consume_daily",
    "diff",
    "dumps",
    "parse_text",
]
