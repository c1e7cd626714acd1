"""The end of a convention (CNV-6): termination by the fund administrator, at once; expiry by the periodic job.

Either way the convention stops granting anything: the partner's groups lose every profile it granted, in the
same transaction that ends it and bumps the policy version, and the delegations given under it end too.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from habpps.authorization.policy_cache import policy_change
from habpps.conventions.models import Convention, ConventionVersion, DelegatedPerimeter, EndKind
from habpps.conventions.services.access import withdraw_profiles
from habpps.conventions.services.common import convention_scope
from habpps.conventions.services.entry import authorize_entry
from habpps.conventions.workflow import VersionState
from habpps.directory.records import as_record
from habpps.journal.services import record_event


def _end(actor, convention: Convention, kind: str, reason: str) -> Convention:
    """End ``convention`` inside the caller's ``policy_change``."""
    convention = Convention.objects.select_for_update().get(pk=convention.pk)
    if convention.is_ended:
        raise ValidationError(_("Cette convention a déjà pris fin."), code="convention_ended")
    before = as_record(convention)
    in_force = convention.version_in_force()
    granted = set(in_force.granted()) if in_force else set()
    convention.ended_at, convention.ended_by = timezone.now(), actor
    convention.end_kind, convention.end_reason = kind, reason
    convention.save()
    withdrawn = withdraw_profiles(actor, convention, granted, cause=kind)
    DelegatedPerimeter.objects.filter(partner_id=convention.partner_id, ended_at__isnull=True).update(
        ended_at=convention.ended_at, ended_by=actor
    )
    record_event(
        f"convention.{'terminate' if kind == EndKind.TERMINATED else 'expire'}",
        actor=actor,
        org_scope=convention_scope(convention),
        target=f"convention:{convention.pk}",
        before=before,
        after=as_record(convention),
        data={"withdrawn": withdrawn},
    )
    return convention


def terminate(actor, convention: Convention, reason: str) -> Convention:
    """Terminate a convention now: the partner's users lose its profiles on their next request."""
    authorize_entry(actor, convention)
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif de la résiliation.")}, code="reason_required")
    with policy_change():
        return _end(actor, convention, EndKind.TERMINATED, reason.strip())


def due_for_expiry(today: date):
    """Conventions whose version in force ended before ``today``."""
    versions = ConventionVersion.objects.filter(
        state=VersionState.VALIDATED, ends_on__lt=today, convention__ended_at__isnull=True
    )
    return Convention.objects.filter(pk__in=versions.values("convention_id")).order_by("pk")


def expire_due(today: date | None = None) -> list[Convention]:
    """Expire every convention past its end date (the job ``habpps conventions expire``), one transaction each
    so that one failure does not keep the others in force."""
    today = today or timezone.localdate()
    expired = []
    reason = _("Échéance atteinte le %(date)s.") % {"date": today.strftime("%d/%m/%Y")}
    for convention in due_for_expiry(today):
        try:
            with policy_change():
                expired.append(_end(None, convention, EndKind.EXPIRED, reason))
        except ValidationError:
            continue  # ended meanwhile by someone else: nothing left to expire
    return expired
