"""Import a policy document into the directory (ENG-10, ``habpps policy import``) — kept for its callers.

The work is done section by section by the registry `habpps.authorization.policy_sections` (see its docstring):
a document is reconciled into the directory, and any section or field the platform cannot store refuses the
whole document (`PolicyImportError`, French messages), never silently dropped.
"""

from __future__ import annotations

from habpps.authorization.policy_sections import (
    ImportReport,
    PolicyImportError,
    export_document,
    import_document,
)

__all__ = ["ImportReport", "PolicyImportError", "current_document", "import_policy"]


def import_policy(document, actor=None) -> ImportReport:
    """Validate ``document`` with the engine, refuse what the platform cannot store, then reconcile."""
    return import_document(document, actor=actor)


def current_document() -> dict:
    """The policy the platform stores, every registered section of it, as an engine document."""
    return export_document()
