"""The engine permissions CDAP asks about; sections are objects ``cdap.section.<code>`` (CDP-3)."""

from __future__ import annotations

from habpps.authorization.permissions import MANAGE_DOCTRINE, VIEW_JOURNAL, Permission
from habpps.directory import reference_data as ref

# Reaching the service at all (the lookup page and the menu entry).
USE_CDAP = Permission(*ref.CDAP_ACCESS)
# The national administrator edits the section doctrine with the rest of the national doctrine.
EDIT_SECTION_DOCTRINE = MANAGE_DOCTRINE
# Auditors of the journal read « who consulted this file » within their scope.
AUDIT_CONSULTATIONS = VIEW_JOURNAL
# Administrators warned when a user of their organisation passes the alert threshold (CDP-9).
RECEIVE_ALERTS = Permission("recevoir", "alertes-cdap")


def section_permission(code: str) -> Permission:
    """``consulter cdap.section.<code>``: what a profile must hold to see a section."""
    return Permission(ref.CDAP_CONSULT, ref.cdap_section(code))


SECTION_OBJECT_PREFIX = ref.cdap_section("")
