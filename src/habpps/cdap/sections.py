"""Which sections a viewer sees: the engine's decision on ``consulter cdap.section.<code>`` (CDP-3).

Nothing else decides it — no view looks at role names — and a section that is not granted is absent from every
list this module returns, so pages cannot even link to it (« confidentialité inconsciente »).
"""

from __future__ import annotations

from django.http import Http404

from habpps.cdap.models import Section
from habpps.cdap.permissions import USE_CDAP, section_permission
from habpps.directory.decisions import is_allowed


def may_use_cdap(account) -> bool:
    return is_allowed(account, *USE_CDAP)


def granted_sections(account) -> list[Section]:
    """The sections in service that ``account`` may see, in display order (empty without CDAP access)."""
    if not may_use_cdap(account):
        return []
    return [
        section
        for section in Section.objects.filter(is_active=True).order_by("position", "code")
        if is_allowed(account, *section_permission(section.code))
    ]


def granted_section(account, code: str) -> Section:
    """The section ``code`` if ``account`` may see it; otherwise a 404, whether it exists or not."""
    for section in granted_sections(account):
        if section.code == code:
            return section
    raise Http404
