"""What every administrative action shares: status transitions and the journal entry of a change."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from habpps.directory.models import Status
from habpps.directory.records import as_record, target_of
from habpps.journal.services import record_event

# Allowed status transitions (ADM-6): removal is final, suspension is reversible.
TRANSITIONS: dict[str, set[str]] = {
    Status.ACTIVE: {Status.SUSPENDED, Status.REMOVED},
    Status.SUSPENDED: {Status.ACTIVE, Status.REMOVED},
    Status.REMOVED: set(),
}


def check_transition(current: str, new: str) -> None:
    if new not in TRANSITIONS.get(current, set()):
        raise ValidationError(
            _("Passage impossible du statut « %(current)s » au statut « %(new)s ».")
            % {"current": Status(current).label, "new": Status(new).label},
            code="status_transition",
        )


def journal_change(
    kind: str, actor, instance: models.Model, org_scope: str, before: dict | None, data: dict | None = None
) -> None:
    """Journal a change of ``instance`` whose state before it was ``before`` (None for a creation)."""
    record_event(
        kind,
        actor=actor,
        org_scope=org_scope,
        target=target_of(instance),
        before=before,
        after=as_record(instance),
        data=data,
    )


def change_status(instance: models.Model, status: str) -> None:
    """Move ``instance`` to ``status`` (caller holds the transaction)."""
    check_transition(instance.status, status)
    instance.status = status
    instance.status_changed_at = timezone.now()
    instance.save(update_fields=["status", "status_changed_at"])


def save_validated(instance: models.Model, **kwargs) -> None:
    """``full_clean`` then save: every rule of the model, with its French message, before any write."""
    instance.full_clean(**kwargs)
    instance.save()
