"""Habpps RBAC engine: ANSI INCITS 359 (core, hierarchical, SSD, DSD) extended with org units, groups,
cardinalities, explanations, compiled snapshots and policy documents. Pure Python: no Django here.

    from habpps.engine import RBAC
    rbac = RBAC()
    rbac.add_user("alice"); rbac.add_role("lecteur")
    rbac.grant_permission(operation="lire", obj="dossier", role="lecteur")
    rbac.assign_user(user="alice", role="lecteur")
    rbac.create_session(user="alice", session="s1", roles=["lecteur"])
    rbac.check_access(session="s1", operation="lire", obj="dossier")  # True
"""

from habpps.engine.compiled import Snapshot
from habpps.engine.decision import Decision, GrantPath
from habpps.engine.errors import (
    AlreadyExists,
    ConstraintViolation,
    InvalidArgument,
    NotFound,
    PolicyDocumentError,
    RBACError,
)
from habpps.engine.model import Assignment, Permission
from habpps.engine.policy_io import diff, dumps, parse_text
from habpps.engine.policy_schema import POLICY_SCHEMA
from habpps.engine.rbac import RBAC

__all__ = [
    "RBAC",
    "AlreadyExists",
    "Assignment",
    "ConstraintViolation",
    "Decision",
    "GrantPath",
    "InvalidArgument",
    "NotFound",
    "POLICY_SCHEMA",
    "Permission",
    "PolicyDocumentError",
    "RBACError",
    "Snapshot",
    "diff",
    "dumps",
    "parse_text",
]
