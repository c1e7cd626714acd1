"""Seed the permissions of the extended model's administration and the first real exclusion (ENG-7); idempotent.

Holding Administrateur Caf and Vérificateur together lets one person enter a convention and validate it: the
change that would give both now waits for a second administrator (``require_approval``).
"""

from django.db import migrations

from habpps.authorization.model_permissions import SEEDED

FUND_ADMIN_AND_VERIFIER = "Administrateur Caf et Vérificateur"


def seed(apps, schema_editor):
    ServiceRole = apps.get_model("directory", "ServiceRole")
    RolePermission = apps.get_model("directory", "RolePermission")
    Exclusion = apps.get_model("authorization", "Exclusion")
    ExclusionMember = apps.get_model("authorization", "ExclusionMember")
    roles = {role.code: role for role in ServiceRole.objects.filter(code__in=["NationalAdmin", "FundAdmin", "Verifier"])}
    for code, permissions in SEEDED.items():
        if code in roles:
            for operation, obj in permissions:
                RolePermission.objects.get_or_create(role=roles[code], operation=operation, obj=obj)
    if {"FundAdmin", "Verifier"} <= set(roles) and not Exclusion.objects.filter(name=FUND_ADMIN_AND_VERIFIER).exists():
        rule = Exclusion.objects.create(
            name=FUND_ADMIN_AND_VERIFIER, kind="static", risk="require_approval", cardinality=2,
            description="Saisir et valider les conventions d'une même caisse : une seule personne ne doit pas "
            "faire les deux sans qu'un second administrateur l'ait approuvé.",
        )
        for code in ("FundAdmin", "Verifier"):
            ExclusionMember.objects.create(exclusion=rule, role=roles[code])


class Migration(migrations.Migration):
    dependencies = [("authorization", "0004_hierarchy_separation_exclusions"), ("directory", "0002_reference_data")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
