"""Refusals of the engine: values with a stable machine code and a French message.

Every refusal is raised before anything changes, so a caller that catches an `RBACError` knows the policy is
exactly as it was before the call.
"""

from __future__ import annotations

from typing import Any


class RBACError(Exception):
    """Base of every refusal. ``code`` is stable (for programs), ``message`` is French (for people)."""

    default_code = "rbac_error"

    def __init__(self, message: str, *, code: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **{k: _plain(v) for k, v in self.details.items()}}

    def __str__(self) -> str:
        return self.message


class NotFound(RBACError):
    """An element named in the call does not exist (user, role, session, set, org unit, group…)."""

    default_code = "not_found"


class AlreadyExists(RBACError):
    """The element, assignment, grant or edge the call would create already exists."""

    default_code = "already_exists"


class ConstraintViolation(RBACError):
    """The call would break a constraint: SSD, DSD, cardinality, hierarchy cycle, authorization."""

    default_code = "constraint_violation"


class InvalidArgument(RBACError):
    """Malformed input: empty name, wrong type, cardinality below 2, invalid policy document…"""

    default_code = "invalid_argument"


class PolicyDocumentError(InvalidArgument):
    """A policy document that cannot be loaded; ``errors`` lists every problem with its path."""

    default_code = "invalid_policy_document"

    def __init__(self, errors: list[dict[str, str]]) -> None:
        count = len(errors)
        first = errors[0]["message"] if errors else ""
        super().__init__(
            f"Document de politique invalide : {count} erreur(s). Première : {first}",
            errors=errors,
        )
        self.errors = errors


def _plain(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=repr)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value
