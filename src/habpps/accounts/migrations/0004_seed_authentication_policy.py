"""Seed the authentication policy from the slides (or ``HABPPS_*``) and let the national admin edit it."""

import secrets

from django.db import migrations
from django.db.models import F


def seed(apps, schema_editor):
    from habpps.accounts.permissions import AUTHENTICATION_POLICY_ROLE, MANAGE_AUTHENTICATION_POLICY
    from habpps.accounts.policy import seeded_policy_values

    AuthenticationPolicy = apps.get_model("accounts", "AuthenticationPolicy")
    ServiceRole = apps.get_model("directory", "ServiceRole")
    RolePermission = apps.get_model("directory", "RolePermission")
    PolicyVersion = apps.get_model("directory", "PolicyVersion")

    AuthenticationPolicy.objects.get_or_create(pk=1, defaults=seeded_policy_values())
    role = ServiceRole.objects.filter(code=AUTHENTICATION_POLICY_ROLE).first()
    if role is None:
        return
    operation, obj = MANAGE_AUTHENTICATION_POLICY
    _, created = RolePermission.objects.get_or_create(role=role, operation=operation, obj=obj)
    if created:
        # Running processes recompile their engine snapshot when the version moves (ENG-11).
        PolicyVersion.objects.filter(pk=1).update(number=F("number") + 1, token=secrets.token_hex(16))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_authentication_policy"),
        ("directory", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
