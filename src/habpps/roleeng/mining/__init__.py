"""Bottom-up role mining (RE-5): the fewest roles whose composition equals a user–permission assignment.

Public entry points: :func:`read_upa` / :func:`parse_upa` to load an assignment, :func:`mine` to mine it within
a :class:`Deadline`, and :class:`MiningResult` for the roles, the lower bound reached and the proof status.
See ``docs/role-mining.md`` for the method.
"""

from habpps.roleeng.mining.deadline import Deadline
from habpps.roleeng.mining.miner import MinerSettings, MiningError, mine
from habpps.roleeng.mining.result import MinedRole, MiningResult, StructuralComplexity, composition_errors
from habpps.roleeng.mining.upa import UpaFormatError, UserPermissionAssignment, parse_upa, read_upa

__all__ = [
    "Deadline",
    "MinedRole",
    "MinerSettings",
    "MiningError",
    "MiningResult",
    "StructuralComplexity",
    "UpaFormatError",
    "UserPermissionAssignment",
    "composition_errors",
    "mine",
    "parse_upa",
    "read_upa",
]
