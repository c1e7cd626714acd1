"""Seed the population rules of « supervision » for the administrative profiles (ENG-8, issue 16): which part of
the network their dashboards (SUP-1..7) and recertification campaigns read; idempotent.

The dashboards filter through the engine's population of « supervision » (`habpps.supervision.supervised`), the
one home of "my organisation and below" there too: the national administrator reads the whole network, the
others their own organisation's unit and the units below it — as migration 0008 seeded for the other lists.
Edited on each profile's « Portée » page like any population rule.
"""

from django.db import migrations

RESOURCE = "supervision"
NAME = "périmètre"
ADMIN_POPULATIONS = {
    "NationalAdmin": "all",
    "FundAdmin": "org_subtree",
    "Verifier": "org_subtree",
    "PartnerAdmin": "org_subtree",
    "PartnerDelegate": "org_subtree",
}


def seed(apps, schema_editor):
    ServiceRole = apps.get_model("directory", "ServiceRole")
    PopulationRule = apps.get_model("authorization", "PopulationRule")
    for role in ServiceRole.objects.filter(code__in=ADMIN_POPULATIONS):
        if PopulationRule.objects.filter(role=role, resource=RESOURCE).exists():
            continue  # an administrator's own rules on this resource are kept as they are
        kind = ADMIN_POPULATIONS[role.code]
        PopulationRule.objects.create(role=role, resource=RESOURCE, name=NAME, kind=kind,
                                      field="" if kind == "all" else "org", is_default=True)


class Migration(migrations.Migration):
    dependencies = [("authorization", "0008_admin_population_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
