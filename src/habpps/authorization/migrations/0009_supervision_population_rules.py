"""Seed the population rules of « supervision » for the administrative profiles (ENG-8, issue 16): which part of
the network their dashboards (SUP-1..7) and recertification campaigns read; idempotent.

The dashboards filter through the engine's population of « supervision » (`habpps.supervision.supervised`), the
one home of "my organisation and below" there too: the national administrator reads the whole network, the
others their own organisation's unit and the units below it — the same rules migration 0008 seeded for the
other lists (its `seed_populations`). Edited on each profile's « Portée » page like any population rule.
"""

from importlib import import_module

from django.db import migrations

RESOURCES = ("supervision",)


def seed(apps, schema_editor):
    import_module("habpps.authorization.migrations.0008_admin_population_rules").seed_populations(apps, RESOURCES)


class Migration(migrations.Migration):
    dependencies = [("authorization", "0008_admin_population_rules")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
