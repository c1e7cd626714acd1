"""Seed the network's default configuration (see habpps.directory.reference_data); idempotent."""

from django.db import migrations

from habpps.authorization.permissions import ADMINISTRATIVE_ROLES
from habpps.directory import reference_data as ref


def seed(apps, schema_editor):
    Service = apps.get_model("directory", "Service")
    ServiceRole = apps.get_model("directory", "ServiceRole")
    RolePermission = apps.get_model("directory", "RolePermission")
    PartnerType = apps.get_model("directory", "PartnerType")
    DoctrineRule = apps.get_model("directory", "DoctrineRule")
    PolicyVersion = apps.get_model("directory", "PolicyVersion")

    administration, _ = Service.objects.get_or_create(
        code=ref.ADMINISTRATION_SERVICE["code"],
        defaults={**ref.ADMINISTRATION_SERVICE, "is_administrative": True},
    )
    for code, spec in ADMINISTRATIVE_ROLES.items():
        role, _ = ServiceRole.objects.get_or_create(
            code=code,
            defaults={
                "service": administration,
                "name": spec["name"],
                "description": spec["description"],
                "account_level": spec["account_level"],
            },
        )
        for operation, obj in spec["permissions"]:
            RolePermission.objects.get_or_create(role=role, operation=operation, obj=obj)

    types = {}
    for code, name, description in ref.PARTNER_TYPES:
        types[code], _ = PartnerType.objects.get_or_create(
            code=code, defaults={"name": name, "description": description}
        )

    cdap, _ = Service.objects.get_or_create(code=ref.CDAP_SERVICE["code"], defaults=ref.CDAP_SERVICE)
    for spec in ref.CDAP_PROFILES:
        role, created = ServiceRole.objects.get_or_create(
            code=spec["code"], defaults={"service": cdap, "name": spec["name"]}
        )
        if not created:
            continue
        RolePermission.objects.get_or_create(role=role, operation=ref.CDAP_ACCESS[0], obj=ref.CDAP_ACCESS[1])
        for section in spec["sections"]:
            RolePermission.objects.get_or_create(
                role=role, operation=ref.CDAP_CONSULT, obj=ref.cdap_section(section)
            )
        for type_code in spec["partner_types"]:
            DoctrineRule.objects.get_or_create(partner_type=types[type_code], role=role)

    PolicyVersion.objects.get_or_create(pk=1, defaults={"number": 1, "token": "seeded"})


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
