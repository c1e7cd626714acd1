"""The national deployment of services (ADM-1): which profiles are open in which fund, and from which date.

« L'administrateur national paramètre le déploiement des services au niveau national » : per service, each
access profile has a national opening date, and a fund may have its own (a pilot fund earlier, a fund that
opens later). The calendar is part of the compiled policy, so whether a profile may be granted in a fund is
decided from memory, by the engine's `DeploymentCalendar`, with its explanation; it changes through
``policy_change`` like any other piece of the policy (every process sees it within the freshness bound).

A profile not yet open in a fund cannot be granted to a group of that fund; groups that already hold it keep
it — as with the doctrine, withdrawing is the administrators' decision, case by case.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from habpps.authorization import permissions as perms
from habpps.authorization.decisions import authorize
from habpps.authorization.orgs import NATIONAL_UNIT, fund_unit, scope_path
from habpps.authorization.policy_cache import current_policy, policy_change
from habpps.directory.models import Fund, ProfileOpening, ServiceRole
from habpps.engine.deployment import DeploymentDecision
from habpps.journal.services import record_event


def _lineage(org: str) -> list[str]:
    """An org unit and its ancestors, nearest first, as the compiled snapshot knows them."""
    if org == NATIONAL_UNIT:
        return [NATIONAL_UNIT]
    return [org, NATIONAL_UNIT] if org.startswith("fund:") else [org]


def opening_decision(role: ServiceRole, fund_id: int, day: date | None = None) -> DeploymentDecision:
    """May ``role`` be granted in fund ``fund_id`` on ``day`` (default today)? Decided by the compiled policy's
    deployment calendar."""
    calendar = current_policy().deployment
    return calendar.decide(role.code, fund_unit(fund_id), _lineage, day or timezone.localdate())


def check_profile_open(role: ServiceRole, fund_id: int, day: date | None = None) -> None:
    """Refuse, with the calendar's explanation, a grant of ``role`` in a fund where it is not open yet."""
    decision = opening_decision(role, fund_id, day)
    if not decision:
        raise ValidationError({"role": decision_message(decision, role)}, code=f"deployment_{decision.reason}")


def decision_message(decision: DeploymentDecision, role: ServiceRole) -> str:
    """The decision in the words of the pages: the profile's label and the fund's name, not engine names."""
    fund = _fund_of_unit(decision.unit) if decision.unit else None
    where = fund.name if fund is not None else _("toutes les caisses")
    values = {"role": role.name, "where": where}
    if decision.reason == "not_yet_open":
        return _("Le profil « %(role)s » n'est pas encore ouvert (%(where)s) : il ouvre le %(date)s.") % {
            **values,
            "date": decision.opens_on.strftime("%d/%m/%Y"),
        }
    if decision.reason == "closed":
        return _("Le profil « %(role)s » n'est pas ouvert (%(where)s) : aucune date d'ouverture n'est fixée.") % (
            values
        )
    return decision.message


def _fund_of_unit(unit: str) -> Fund | None:
    if not unit.startswith("fund:"):
        return None
    return Fund.objects.filter(pk=int(unit.split(":", 1)[1])).first()


def set_opening(actor, role: ServiceRole, fund: Fund | None, opens_on: date | None) -> ProfileOpening:
    """Open ``role`` on ``opens_on`` (None: not scheduled) in ``fund``, or nationally when ``fund`` is None."""
    authorize(actor, *perms.MANAGE_CATALOGUE, NATIONAL_UNIT)
    if role.account_level:
        raise ValidationError(
            {"role": _("Le déploiement porte sur les profils d'accès des services.")}, code="administrative_role"
        )
    with policy_change():
        opening = ProfileOpening.objects.select_for_update().filter(role=role, fund=fund).order_by().first()
        before = None if opening is None else _picture(opening)
        if opening is None:
            opening = ProfileOpening(role=role, fund=fund)
        opening.opens_on, opening.changed_at, opening.changed_by = opens_on, timezone.now(), actor
        opening.full_clean(validate_constraints=False)
        opening.save()
        record_event(
            "admin.deployment.set",
            actor=actor,
            org_scope=scope_path(fund.pk) if fund else scope_path(),
            target=f"role:{role.code}",
            before=before,
            after=_picture(opening),
        )
    return opening


def clear_opening(actor, role: ServiceRole, fund: Fund | None) -> None:
    """Remove ``fund``'s own date for ``role`` (the national calendar applies again there), or — ``fund`` None —
    the national calendar of the profile."""
    authorize(actor, *perms.MANAGE_CATALOGUE, NATIONAL_UNIT)
    with policy_change():
        opening = ProfileOpening.objects.select_for_update().filter(role=role, fund=fund).order_by().first()
        if opening is None:
            raise ValidationError(_("Aucune date d'ouverture n'est fixée ici."), code="opening_missing")
        before = _picture(opening)
        opening.delete()
        record_event(
            "admin.deployment.clear",
            actor=actor,
            org_scope=scope_path(fund.pk) if fund else scope_path(),
            target=f"role:{role.code}",
            before=before,
            after=None,
        )


def _picture(opening: ProfileOpening) -> dict:
    return {
        "role": opening.role.code,
        "fund": opening.fund.code if opening.fund_id else None,
        "opens_on": opening.opens_on.isoformat() if opening.opens_on else None,
    }


# The demo's calendar, after the slides: a first wave of CDAP profiles open since the start of the service, a
# second wave (the Conseil départemental's two profiles) a year later, with one pilot fund opening it early.
DEMO_FIRST_WAVE = ("cdap-ass-cesf", "cdap-prestataire-action-sociale", "cdap-instructeur-rsa-cpam")
DEMO_SECOND_WAVE = ("cdap-cd-contentieux", "cdap-cd-controle")
DEMO_PILOT_FUND = "751"


def seed_demo_deployment(today: date | None = None) -> None:
    """Seed the demo's two waves relative to ``today``: the first opened six months ago, the second opens in
    six months, already open in the pilot fund (Caf de Paris)."""
    today = today or timezone.localdate()
    roles = {role.code: role for role in ServiceRole.objects.filter(code__in=DEMO_FIRST_WAVE + DEMO_SECOND_WAVE)}
    pilot = Fund.objects.filter(code=DEMO_PILOT_FUND).first()
    for code in DEMO_FIRST_WAVE:
        if code in roles:
            set_opening(None, roles[code], None, today - timedelta(days=182))
    for code in DEMO_SECOND_WAVE:
        if code in roles:
            set_opening(None, roles[code], None, today + timedelta(days=183))
            if pilot is not None:
                set_opening(None, roles[code], pilot, today - timedelta(days=30))
