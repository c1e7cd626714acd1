"""The verifier's side (CNV-2, CNV-3, CNV-4): validate or reject a submitted version, four eyes enforced.

Validation runs inside ``policy_change``: one transaction that bumps the policy version first (serialising it
with every other administrative change), takes the version row, and moves it only if it is still ``submitted`` —
of two verifiers acting at once exactly one wins, the other is told the version was already decided. Validating
an amendment supersedes the version in force and withdraws at once the profiles it no longer grants.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from habpps.authorization.decisions import AccessRefused
from habpps.authorization.policy_cache import policy_change
from habpps.authorization.refusal_journal import journal_refusal
from habpps.conventions.four_eyes import (
    VerificationDecision,
    history_exclusion,
    may_verify,
    verification_question,
)
from habpps.conventions.models import ConventionVersion
from habpps.conventions.services.access import removed_profiles, withdraw_profiles
from habpps.conventions.services.common import journal_version, move, version_picture
from habpps.conventions.workflow import Event, VersionState
from habpps.journal.services import record_event


class VerificationRefused(ValidationError):
    """A verification the four-eyes rule refuses; carries the decision and its explanation."""

    def __init__(self, decision: VerificationDecision) -> None:
        super().__init__(decision.message, code=decision.code)
        self.decision = decision


def _check_verifier(actor, version: ConventionVersion, *, history_only: bool = False) -> None:
    """Refuse (and journal the refusal) unless ``actor`` may verify ``version``.

    ``history_only`` re-checks the object-history half under the row lock without asking the engine again:
    a decision taken inside the transaction, after its policy-version bump, would cache a snapshot that the
    rest of the transaction (profiles withdrawn) makes stale.
    """
    decision = history_exclusion(actor, version) if history_only else may_verify(actor, version)
    if not decision:
        record_event(
            "convention.verification.refused",
            actor=actor,
            org_scope=f"national/fund:{version.convention.fund_id}",
            target=f"convention:{version.convention_id}:v{version.number}",
            data={"code": decision.code, "message": decision.message},
        )
        # And in the journal of refusals, as the question the decision API answers the same way.
        operation, obj, org = verification_question(version)
        journal_refusal(actor, operation=operation, obj=obj, org=org, reason=decision.reason,
                        message=decision.message, code=decision.code)
        raise VerificationRefused(decision)


def _locked_submitted(version: ConventionVersion) -> ConventionVersion:
    locked = ConventionVersion.objects.select_for_update().select_related("convention").get(pk=version.pk)
    if locked.state != VersionState.SUBMITTED:
        raise ValidationError(
            _("La version %(number)d a déjà été traitée (état « %(state)s ») : rien n'a été modifié.")
            % {"number": locked.number, "state": locked.get_state_display()},
            code="already_decided",
        )
    if locked.convention.is_ended:
        raise ValidationError(_("Cette convention a pris fin."), code="convention_ended")
    return locked


def validate_version(actor, version: ConventionVersion) -> ConventionVersion:
    """Step 9: the verifier validates the entry; the partner's access follows the version from now on."""
    if actor is None:
        raise AccessRefused("verifier", "conventions", None)
    _check_verifier(actor, version)
    # Asked of the engine before the change begins (a decision inside it would cache a snapshot the change
    # makes stale): who administers the partner, and what the validation will withdraw from whom.
    from habpps.conventions.impact import amendment_impact
    from habpps.conventions.notices import partner_administrators, queue_validation_notices

    recipients = partner_administrators(version.convention.partner_id)
    impact = amendment_impact(version) if version.convention.version_in_force() else None
    with policy_change():
        version = _locked_submitted(version)
        # Re-decided under the lock: the version may have changed hands between the first check and now.
        _check_verifier(actor, version, history_only=True)
        before = version_picture(version)
        previous = version.convention.version_in_force()
        withdrawn = 0
        if previous is not None:
            previous_before = version_picture(previous)
            move(previous, Event.SUPERSEDE, actor)
            journal_version("convention.version.supersede", actor, previous, previous_before)
            removed = removed_profiles(previous, version)
            withdrawn = withdraw_profiles(actor, version.convention, removed, cause="amendment")
        move(version, Event.VALIDATE, actor, decided_by=actor, decided_at=timezone.now())
        # Queued in this transaction: the partner administrators hear of it only if the validation commits.
        notified = queue_validation_notices(version, previous, impact if previous else None, recipients)
        journal_version(
            "convention.version.validate",
            actor,
            version,
            before,
            data={"withdrawn": withdrawn, "notified": notified},
        )
    return version


def reject_version(actor, version: ConventionVersion, reason: str) -> ConventionVersion:
    """The verifier sends the entry back to the fund administrator with the reason (« retour étape 5 »)."""
    if actor is None:
        raise AccessRefused("verifier", "conventions", None)
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif du rejet.")}, code="reason_required")
    _check_verifier(actor, version)
    with policy_change():
        version = _locked_submitted(version)
        _check_verifier(actor, version, history_only=True)
        before = version_picture(version)
        move(
            version,
            Event.REJECT,
            actor,
            decided_by=actor,
            decided_at=timezone.now(),
            rejection_reason=reason.strip(),
        )
        journal_version("convention.version.reject", actor, version, before)
    return version
