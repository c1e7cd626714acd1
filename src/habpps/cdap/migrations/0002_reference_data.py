"""Seed the sections of CDP-2 and the alert permission (see habpps.cdap.reference); idempotent."""

from django.db import migrations

from habpps.cdap.reference import seed_cdap_reference_data


def seed(apps, schema_editor):
    seed_cdap_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("cdap", "0001_initial"), ("directory", "0002_reference_data")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
