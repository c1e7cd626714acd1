"""CDAP's seeded configuration: the sections of CDP-2 and who receives abuse alerts; idempotent.

Called by the migration ``cdap/0002_reference_data`` (and by tests that flush the database). The sections come
from the directory's reference data, which also seeds each profile's section permissions (the CDP-3 table);
from then on both are data the national administrator edits.
"""

from __future__ import annotations

from habpps.cdap.permissions import RECEIVE_ALERTS
from habpps.directory import reference_data as ref

DOCUMENTS = {"attestation-paiement": "Attestation de paiement"}
# The administrators the slides make responsible for a partner's users and for a fund's partners.
ALERT_RECIPIENT_ROLES = ("PartnerAdmin", "FundAdmin")


def seed_cdap_reference_data(apps=None) -> None:
    """Create the missing sections and grant the alert permission; never overwrite an administrator's edit."""
    if apps is None:
        from django.apps import apps
    Section = apps.get_model("cdap", "Section")
    ServiceRole = apps.get_model("directory", "ServiceRole")
    RolePermission = apps.get_model("directory", "RolePermission")
    for position, (code, name) in enumerate(ref.CDAP_SECTIONS, start=1):
        Section.objects.get_or_create(
            code=code,
            defaults={"name": name, "position": position * 10, "document_title": DOCUMENTS.get(code, "")},
        )
    for role in ServiceRole.objects.filter(code__in=ALERT_RECIPIENT_ROLES):
        RolePermission.objects.get_or_create(
            role=role, operation=RECEIVE_ALERTS.operation, obj=RECEIVE_ALERTS.obj
        )
