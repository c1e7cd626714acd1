"""Which sections a viewer sees: the engine's decision on ``consulter cdap.section.<code>`` (CDP-3).

Nothing else decides it — no view looks at role names — and a section that is not granted is absent from every
list this module returns, so pages cannot even link to it (« confidentialité inconsciente »).

The catalogue of sections is read once per policy version and process: every change to it goes through
``habpps.cdap.doctrine``, which bumps the version like any administrative change (ENG-11).
"""

from __future__ import annotations

import threading

from habpps.authorization.decisions import is_allowed
from habpps.authorization.policy_cache import current_policy
from habpps.cdap.models import Section
from habpps.cdap.permissions import USE_CDAP, section_permission


class PerPolicyVersion:
    """A value computed from the database once per compiled policy version and process."""

    def __init__(self, compute) -> None:
        self._compute = compute
        self._lock = threading.Lock()
        self._cached: tuple[str, object] | None = None

    def get(self):
        token = current_policy().token
        cached = self._cached
        if cached is not None and cached[0] == token:
            return cached[1]
        with self._lock:
            value = self._compute()
            self._cached = (token, value)
        return value


_catalogue = PerPolicyVersion(
    lambda: tuple(Section.objects.filter(is_active=True).order_by("position", "code"))
)


def sections_in_service() -> tuple[Section, ...]:
    return _catalogue.get()


def may_use_cdap(account) -> bool:
    return is_allowed(account, *USE_CDAP)


def granted_sections(account) -> list[Section]:
    """The sections in service that ``account`` may see, in display order (empty without CDAP access)."""
    if not may_use_cdap(account):
        return []
    return [
        section for section in sections_in_service() if is_allowed(account, *section_permission(section.code))
    ]
