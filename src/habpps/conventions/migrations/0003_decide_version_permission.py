"""Give the verifier the permission the four-eyes exclusion governs (CNV-3); idempotent."""

from django.db import migrations


def seed(apps, schema_editor):
    from importlib import import_module

    import_module("habpps.conventions.migrations.0002_delegation_permission").seed(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("conventions", "0002_delegation_permission")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
