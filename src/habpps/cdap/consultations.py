"""Looking a file up and consulting it: the ceiling, the source, and the trace of every look (CDP-1, 7, 9).

Each page that shows a file's data calls :func:`consult`, which reads only the viewer's granted sections from
the source and records one ``Consultation`` row and one journal entry (user, partner, beneficiary number,
sections shown, time) in the same transaction. A lookup counts against the daily ceiling — attempts with an
unknown number too, since trying numbers is exactly the abuse the ceiling is for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from habpps.accounts.models import Account
from habpps.authorization.policy_cache import current_policy
from habpps.cdap import limits
from habpps.cdap.alerts import send_threshold_alert
from habpps.cdap.content import BeneficiaryFile
from habpps.cdap.models import Consultation, ConsultationKind, ConsultationOutcome, Section
from habpps.cdap.periods import Period
from habpps.cdap.sections import PerPolicyVersion, granted_sections
from habpps.cdap.sources import SourceError, UnknownBeneficiary, configured_source
from habpps.directory import reference_data as ref
from habpps.directory.models import Partner, ServiceRole
from habpps.journal.services import record_event


@dataclass(frozen=True)
class OpenFile:
    """The file a viewer has looked up, kept in their session (never in a URL)."""

    fund_code: str
    number: str

    def as_session(self) -> dict:
        return {"fund_code": self.fund_code, "number": self.number}

    @classmethod
    def from_session(cls, data) -> OpenFile | None:
        if not isinstance(data, dict) or not {"fund_code", "number"} <= set(data):
            return None
        return cls(str(data["fund_code"]), str(data["number"]))


class LookupRefused(Exception):
    """A lookup the viewer may not make now; ``message`` tells them why."""

    code = "refused"
    message = _("La consultation n'est pas possible.")


class CeilingReached(LookupRefused):
    code = "daily_ceiling"

    def __init__(self, ceiling: int) -> None:
        super().__init__(self.code)
        self.message = _(
            "Vous avez atteint le plafond de %(ceiling)s dossiers consultés aujourd'hui. Vous pourrez consulter "
            "de nouveaux dossiers demain ; en cas de besoin, adressez-vous à l'administrateur de votre organisme."
        ) % {"ceiling": ceiling}


class NoFund(LookupRefused):
    code = "no_fund"
    message = _("Votre compte n'est rattaché à aucune caisse : la consultation d'un dossier est impossible.")


class NoSection(LookupRefused):
    """The viewer's profiles grant no section yet (the doctrine seeds the département's litigation and control
    profiles without any until the national administrator defines theirs): a file would open empty, so no file
    is opened, nothing is counted against the daily ceiling and nothing is journalled as a consultation."""

    code = "no_section"
    message = _(
        "Votre profil d'accès ne donne pour l'instant accès à aucune rubrique du dossier allocataire : "
        "aucun dossier ne peut être consulté. Les rubriques de chaque profil sont définies par l'administration "
        "nationale ; adressez-vous à l'administrateur de votre organisme."
    )


def look_up(account, number: str) -> OpenFile:
    """Open file ``number`` of the viewer's fund, or raise ``LookupRefused`` / ``SourceError``.

    Only the file's existence is asked of the source here (no section): the data is read by the pages.
    """
    fund = account.home_fund
    if fund is None:
        raise NoFund(NoFund.code)
    if not granted_sections(account):
        raise NoSection(NoSection.code)
    opened = OpenFile(fund.code, number)
    decision = limits.consume_lookup(account)
    if not decision.allowed:
        _record(account, opened, ConsultationKind.LOOKUP, ConsultationOutcome.REFUSED, error="daily_ceiling")
        raise CeilingReached(decision.limit)
    if limits.reaches_alert(decision):
        send_threshold_alert(account, decision.count, decision.count)
    try:
        configured_source().fetch(fund.code, number, ())
    except UnknownBeneficiary:
        _record(account, opened, ConsultationKind.LOOKUP, ConsultationOutcome.UNKNOWN)
        raise
    except SourceError as error:
        _record(account, opened, ConsultationKind.LOOKUP, ConsultationOutcome.UNAVAILABLE, error=error.code)
        raise
    return opened


def consult(
    account,
    opened: OpenFile,
    sections: Sequence[Section],
    kind: str,
    period: Period | None = None,
    settle_period: Callable[[BeneficiaryFile], Period] | None = None,
) -> BeneficiaryFile:
    """Read ``sections`` of the open file and journal that the viewer was shown them.

    ``settle_period``, when given, picks the period shown from what the source returned (a first visit's
    default period depends on the file's dates); the journal records the period actually shown.
    """
    codes = [section.code for section in sections]
    try:
        beneficiary_file = configured_source().fetch(opened.fund_code, opened.number, codes)
    except SourceError as error:
        outcome = (
            ConsultationOutcome.UNKNOWN
            if isinstance(error, UnknownBeneficiary)
            else ConsultationOutcome.UNAVAILABLE
        )
        _record(account, opened, kind, outcome, period=period, error=error.code)
        raise
    if settle_period is not None:
        period = settle_period(beneficiary_file)
    # A period is part of what was shown only for sections with history.
    if not any(content.has_history for content in beneficiary_file.sections.values()):
        period = None
    _record(account, opened, kind, ConsultationOutcome.SHOWN, sections=codes, period=period)
    return beneficiary_file


_cdap_role_codes = PerPolicyVersion(
    lambda: frozenset(
        ServiceRole.objects.filter(service__code=ref.CDAP_SERVICE["code"]).values_list("code", flat=True)
    )
)


def cdap_profiles(account) -> list[str]:
    """The viewer's CDAP profiles (for the journal, and the dashboards' « by profile » filters)."""
    roles = current_policy().snapshot.authorized_roles(account.login)
    return sorted(roles & _cdap_role_codes.get())


JOURNAL_KINDS = {
    ConsultationOutcome.SHOWN: "cdap.consultation",
    ConsultationOutcome.UNKNOWN: "cdap.consultation.unknown",
    ConsultationOutcome.REFUSED: "cdap.consultation.refused",
    ConsultationOutcome.UNAVAILABLE: "cdap.consultation.unavailable",
}


def _record(
    account,
    opened: OpenFile,
    kind: str,
    outcome: str,
    *,
    sections: Sequence[str] = (),
    period: Period | None = None,
    error: str = "",
) -> Consultation:
    if account.partner_id is not None and not Account.partner.is_cached(account):
        # One query for the partner and its fund, which the journal's scope and the row both need.
        account.partner = Partner.objects.select_related("fund").get(pk=account.partner_id)
    fund = account.home_fund
    profiles = cdap_profiles(account)
    data = {
        "beneficiary_number": opened.number,
        "fund": opened.fund_code,
        "partner": account.partner_id,
        "partner_name": account.partner.name if account.partner_id else "",
        "view": kind,
        "sections": list(sections),
        "profiles": profiles,
    }
    if period is not None:
        data["period"] = {"start": period.start, "end": period.end}
    if error:
        data["error"] = error
    with transaction.atomic():
        entry = record_event(
            JOURNAL_KINDS[outcome],
            actor=account,
            org_scope=account.org_scope,
            target=f"dossier:{opened.fund_code}:{opened.number}",
            data=data,
        )
        return Consultation.objects.create(
            occurred_at=entry.occurred_at,
            account=account,
            partner_id=account.partner_id,
            fund=fund,
            org_scope=account.org_scope,
            beneficiary_number=opened.number,
            kind=kind,
            outcome=outcome,
            sections=list(sections),
            profiles=profiles,
            period_start=period.start if period else None,
            period_end=period.end if period else None,
            journal_sequence=entry.sequence,
        )
