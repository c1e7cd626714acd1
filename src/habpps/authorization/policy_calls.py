"""Replacement calls of the change log (ENG-11) for the extended model: ``[method, *key, new, old]``.

The core calls of the log (``assign_group``…) each have an exact inverse computed from their arguments. The
extension facts the platform stores — a grant's time window, context attributes and constraints, the constraints
on a permission, a profile's populations, field rules and action limits — are *replaced* as a whole per key, so
their call carries both the new and the previous value: applying it installs ``new``, its inverse (the same call
with ``new`` and ``old`` swapped) puts ``old`` back. ``None`` means absent. A replacement the engine refuses
leaves the engine as it was (the previous value is put back before the error propagates).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from habpps.engine import RBAC

Replace = Callable[[RBAC, list[Any], Any], None]


def _group_window(rbac: RBAC, key: list[Any], value: Any) -> None:
    group, role, org = key
    rbac.set_group_assignment_temporal(group, role, org, value)


def _user_window(rbac: RBAC, key: list[Any], value: Any) -> None:
    user, role, org = key
    rbac.set_assignment_temporal(user, role, org, value)


REPLACEMENTS: dict[str, Replace] = {
    "set_group_assignment_temporal": _group_window,
    "set_assignment_temporal": _user_window,
}
"""Replacement calls by name; other modules of this app register theirs (``register``)."""


def register(method: str, replace: Replace) -> None:
    REPLACEMENTS[method] = replace


def is_replacement(call: Sequence[Any]) -> bool:
    return call[0] in REPLACEMENTS


def apply_replacement(rbac: RBAC, call: Sequence[Any]) -> None:
    """Install the call's new value; on refusal, put the old one back and re-raise."""
    method, *key, new, old = call
    replace = REPLACEMENTS[method]
    try:
        replace(rbac, key, new)
    except BaseException:
        replace(rbac, key, old)
        raise


def inverse(call: Sequence[Any]) -> list[Any]:
    method, *key, new, old = call
    return [method, *key, old, new]
