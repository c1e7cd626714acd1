"""Give the national administrator the reading of every convention (read only); idempotent."""

from django.db import migrations


def seed(apps, schema_editor):
    from importlib import import_module

    import_module("habpps.conventions.migrations.0002_delegation_permission").seed(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("conventions", "0004_amendment_cancel_withdraw")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
