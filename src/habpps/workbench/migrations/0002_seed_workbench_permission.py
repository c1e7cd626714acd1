"""Give the national administrator the workbench permission (RE-1..7, UI-1); idempotent.

The policy version moves when the permission is new, so that running processes rebuild their snapshot (ENG-11).
"""

import secrets

from django.db import migrations
from django.db.models import F

from habpps.workbench.permissions import SEEDED_ROLE_PERMISSIONS


def seed(apps, schema_editor):
    ServiceRole = apps.get_model("directory", "ServiceRole")
    RolePermission = apps.get_model("directory", "RolePermission")
    PolicyVersion = apps.get_model("directory", "PolicyVersion")
    created_any = False
    for code, permissions in SEEDED_ROLE_PERMISSIONS.items():
        role = ServiceRole.objects.filter(code=code).first()
        if role is None:
            continue
        for operation, obj in permissions:
            _, created = RolePermission.objects.get_or_create(role=role, operation=operation, obj=obj)
            created_any |= created
    if created_any:
        PolicyVersion.objects.filter(pk=1).update(number=F("number") + 1, token=secrets.token_hex(16))


class Migration(migrations.Migration):
    dependencies = [("workbench", "0001_initial"), ("directory", "0002_reference_data")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
