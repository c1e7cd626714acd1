"""Give the fund administrator the permission to give up or take back a version (its author only, the engine's
history rule ``auteur-version-convention``); idempotent."""

from django.db import migrations


def seed(apps, schema_editor):
    from importlib import import_module

    import_module("habpps.conventions.migrations.0002_delegation_permission").seed(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("conventions", "0006_rule_touches")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
