"""Rights actually used, read from the journal over a period (RE-5 input, RE-6 « droits utilisés »).

The journal records what people did, not which permission each action exercised; this module says, per event
kind, which ``(operation, object)`` pairs an event proves its actor used:

- a CDAP consultation (``cdap.consultation``) uses the service itself and every section shown;
- an administrative event uses the permission its service checks (``admin.group.*`` → ``gerer groupes``…),
  the most specific kind prefix winning.

Refused, failed and actor-less events prove nothing and are skipped. Other apps may :func:`register` their
own kinds. The result feeds :mod:`habpps.roleeng.sources`, which stays free of Django.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from habpps.authorization import permissions as perms
from habpps.cdap.permissions import USE_CDAP, section_permission
from habpps.conventions.permissions import DECIDE_VERSION
from habpps.journal.kinds import kind_and_ancestors
from habpps.journal.models import JournalEntry
from habpps.roleeng.model import Permission

#: From a journal entry to the permissions it proves its actor used.
Extractor = Callable[[JournalEntry], list[Permission]]


def _cdap_consultation(entry: JournalEntry) -> list[Permission]:
    sections = entry.data.get("sections", []) if isinstance(entry.data, dict) else []
    return [tuple(USE_CDAP), *(tuple(section_permission(str(code))) for code in sections)]


def _fixed(permission: perms.Permission) -> Extractor:
    return lambda entry: [tuple(permission)]


def _account_management(entry: JournalEntry) -> list[Permission]:
    """Partner accounts are managed under ``gerer comptes-partenaires``, the others under ``comptes-caisse``."""
    is_partner = "/partner:" in entry.org_scope
    return [tuple(perms.MANAGE_PARTNER_ACCOUNTS if is_partner else perms.MANAGE_FUND_ACCOUNTS)]


def _verifier_decision(entry: JournalEntry) -> list[Permission]:
    """A verifier's decision on a version: the verifier's pages and the decision itself (CNV-3)."""
    return [tuple(perms.VERIFY_CONVENTIONS), tuple(DECIDE_VERSION)]


_extractors: dict[str, Extractor] = {
    "cdap.consultation": _cdap_consultation,
    "admin.fund": _fixed(perms.MANAGE_FUNDS),
    "admin.partner": _fixed(perms.MANAGE_PARTNERS),
    "admin.partner_type": _fixed(perms.MANAGE_DOCTRINE),
    "admin.doctrine": _fixed(perms.MANAGE_DOCTRINE),
    "admin.service": _fixed(perms.MANAGE_CATALOGUE),
    "admin.role": _fixed(perms.MANAGE_CATALOGUE),
    "admin.deployment": _fixed(perms.MANAGE_CATALOGUE),
    "admin.group": _fixed(perms.MANAGE_GROUPS),
    "admin.account": _account_management,
    "admin.auth_policy": _fixed(perms.MANAGE_AUTHENTICATION_POLICY),
    "journal.export": _fixed(perms.VIEW_JOURNAL),
    "convention": _fixed(perms.ENTER_CONVENTIONS),
    "convention.verification": _fixed(perms.VERIFY_CONVENTIONS),
    "convention.version.validate": _verifier_decision,
    "convention.version.reject": _verifier_decision,
}
#: Kinds that record a refusal or a failure under a prefix that otherwise proves a use.
_NOT_A_USE = {
    "cdap.consultation.refused",
    "cdap.consultation.unknown",
    "cdap.consultation.unavailable",
    "convention.verification.refused",
    "convention.access.withdraw",
}


def register(kind_prefix: str, extractor: Extractor) -> None:
    """Declare which permissions events of ``kind_prefix`` (and its sub-kinds) prove their actor used."""
    _extractors[kind_prefix] = extractor


def extractor_for(kind: str) -> Extractor | None:
    """The extractor of the most specific registered prefix of ``kind``; None when the kind proves no use."""
    if kind in _NOT_A_USE:
        return None
    for prefix in kind_and_ancestors(kind):
        if prefix in _extractors:
            return _extractors[prefix]
    return None


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The instants a period of whole days covers, in the server's time zone: [start 00:00, end+1 00:00)."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def observed_accesses(start: date, end: date) -> Iterator[tuple[str, Permission]]:
    """Every ``(login, permission)`` use the journal proves between ``start`` and ``end`` (days included)."""
    since, until = period_bounds(start, end)
    prefixes = {prefix.split(".")[0] for prefix in _extractors}
    entries = (
        JournalEntry.objects.filter(occurred_at__gte=since, occurred_at__lt=until)
        .exclude(actor_identifier="")
        .only("kind", "actor_identifier", "org_scope", "data")
        .order_by("sequence")
    )
    for entry in entries.iterator(chunk_size=2000):
        if entry.kind.split(".")[0] not in prefixes:
            continue
        extractor = extractor_for(entry.kind)
        if extractor is None:
            continue
        for permission in extractor(entry):
            yield entry.actor_identifier, permission
