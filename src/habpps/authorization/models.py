"""Tables of the extended RBAC model (ENG-2..8, ENG-12) replayed into the engine by the policy build."""

from habpps.authorization.separation_models import (  # noqa: E402,F401 — Django finds models in this module
    AccountLimit,
    ApprovalStatus,
    Exclusion,
    ExclusionKind,
    ExclusionMember,
    PendingApproval,
    ReportedViolation,
    Risk,
    RoleInheritance,
    RoleRule,
    SeparationKind,
    SeparationMember,
    SeparationSet,
)
