"""Give the administrative roles the supervision permissions (SUP-1..8, ADM-8); idempotent."""

from django.db import migrations

from habpps.supervision.permissions import SEEDED_ROLE_PERMISSIONS


def seed(apps, schema_editor):
    ServiceRole = apps.get_model("directory", "ServiceRole")
    RolePermission = apps.get_model("directory", "RolePermission")
    for code, permissions in SEEDED_ROLE_PERMISSIONS.items():
        role = ServiceRole.objects.filter(code=code).first()
        if role is None:
            continue
        for operation, obj in permissions:
            RolePermission.objects.get_or_create(role=role, operation=operation, obj=obj)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial"), ("directory", "0002_reference_data")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
