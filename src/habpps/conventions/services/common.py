"""What the convention services share: the journal picture of a version and the one way a state changes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from habpps.authorization.orgs import scope_path
from habpps.conventions.models import BulletinProfile, Convention, ConventionVersion
from habpps.conventions.workflow import Transition, WorkflowError, next_state
from habpps.directory.records import as_record
from habpps.journal.services import record_event


def convention_scope(convention: Convention) -> str:
    """The journal scope of a convention: its partner's unit path, seen by auditors of the fund and partner."""
    return scope_path(convention.fund_id, convention.partner_id)


def version_picture(version: ConventionVersion) -> dict:
    """The version's columns and what its bulletins grant: the before/after of every journalled change."""
    granted: dict[str, dict[str, int | None]] = {}
    profiles = BulletinProfile.objects.filter(bulletin__version=version).select_related(
        "bulletin__service", "role"
    )
    for profile in profiles.order_by("bulletin__service__code", "role__code"):
        granted.setdefault(profile.bulletin.service.code, {})[profile.role.code] = profile.max_users
    return {**as_record(version), "granted": granted}


def journal_version(
    kind: str, actor, version: ConventionVersion, before: dict | None, data: dict | None = None
):
    record_event(
        kind,
        actor=actor,
        org_scope=convention_scope(version.convention),
        target=f"convention:{version.convention_id}:v{version.number}",
        before=before,
        after=version_picture(version),
        data=data,
    )


def move(version: ConventionVersion, event: str, actor, **fields) -> Transition:
    """Apply the state machine's transition for ``event`` and save it with ``fields`` (caller holds the lock).

    A refused transition becomes a ``ValidationError`` carrying the machine's French explanation.
    """
    try:
        transition = next_state(version.state, event)
    except WorkflowError as error:
        raise ValidationError(error.message, code=error.code) from error
    version.state = transition.after
    for name, value in fields.items():
        setattr(version, name, value)
    version.save()
    return transition


def touch(version: ConventionVersion, actor) -> None:
    """Record ``actor`` as the last person who changed the version (CNV-3 reads it)."""
    version.last_changed_by = actor
    version.last_changed_at = timezone.now()


def refuse(refusal, field: str | None = None) -> None:
    """Raise a perimeter ``Refusal`` as a ``ValidationError`` (next to ``field`` when given)."""
    error = ValidationError(refusal.message, code=refusal.code)
    raise ValidationError({field: error}) if field else error
