"""Seed the population rules of the administrative profiles (ENG-8, issue 16): which accounts, partner
organisations, conventions and journal entries their lists show; idempotent.

Every list page and list API operation filters through the engine's population of its resource
(`habpps.authorization.scoping`), so these rules are the one home of "my organisation and below": the national
administrator sees everything, the others their own organisation's unit and the units below it (the unit of
the assignment: the fund of a fund administrator or verifier, the partner of a partner administrator or
delegate). They are edited on each profile's « Portée » page like any population rule.
"""

from django.db import migrations

RESOURCES = ("comptes", "organismes", "conventions", "journal")
NAME = "périmètre"
ADMIN_POPULATIONS = {
    "NationalAdmin": "all",
    "FundAdmin": "org_subtree",
    "Verifier": "org_subtree",
    "PartnerAdmin": "org_subtree",
    "PartnerDelegate": "org_subtree",
}


def seed_populations(apps, resources) -> None:
    """The administrative profiles' default rule on each of ``resources`` (also used by migration 0009)."""
    ServiceRole = apps.get_model("directory", "ServiceRole")
    PopulationRule = apps.get_model("authorization", "PopulationRule")
    for role in ServiceRole.objects.filter(code__in=ADMIN_POPULATIONS):
        kind = ADMIN_POPULATIONS[role.code]
        for resource in resources:
            if PopulationRule.objects.filter(role=role, resource=resource).exists():
                continue  # an administrator's own rules on this resource are kept as they are
            PopulationRule.objects.create(role=role, resource=resource, name=NAME, kind=kind,
                                          field="" if kind == "all" else "org", is_default=True)


def seed(apps, schema_editor):
    seed_populations(apps, RESOURCES)


class Migration(migrations.Migration):
    dependencies = [("authorization", "0007_grant_constraints_and_account_attributes")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
