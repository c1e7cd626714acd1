"""Time-bound access (ENG-5): the window of a profile given to a group or of a role given to an account.

SQLite adds a column by rebuilding the table, which drops its triggers: the change-capture triggers of the two
assignment tables (migration 0003) are put back afterwards, identical, on every database.
"""

import importlib

from django.db import migrations, models

TABLES = ("directory_grouproleassignment", "directory_accountroleassignment")


def _capture():
    return importlib.import_module("habpps.directory.migrations.0003_policy_sync_and_deployment")


def restore_triggers(apps, schema_editor) -> None:
    capture = _capture()
    vendor = schema_editor.connection.vendor
    for table, kind, _column, events in capture.TOUCHES:
        if table in TABLES:
            for event, _changed in events:
                on = f" ON {table}" if vendor == "postgresql" else ""
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {capture._trigger_name(table, kind, event)}{on}")
    for statement in capture._statements(vendor):
        if any(f" ON {table} " in statement for table in TABLES):
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0003_policy_sync_and_deployment'),
    ]

    operations = [
        migrations.AddField(
            model_name='accountroleassignment',
            name='daily_from',
            field=models.TimeField(blank=True, null=True, verbose_name='chaque jour de'),
        ),
        migrations.AddField(
            model_name='accountroleassignment',
            name='daily_until',
            field=models.TimeField(blank=True, null=True, verbose_name="chaque jour jusqu'à"),
        ),
        migrations.AddField(
            model_name='accountroleassignment',
            name='expiry_notice_sent_on',
            field=models.DateField(blank=True, null=True, verbose_name='préavis de fin envoyé le'),
        ),
        migrations.AddField(
            model_name='accountroleassignment',
            name='valid_from',
            field=models.DateField(blank=True, null=True, verbose_name='accès à partir du'),
        ),
        migrations.AddField(
            model_name='accountroleassignment',
            name='valid_until',
            field=models.DateField(blank=True, null=True, verbose_name="accès jusqu'au"),
        ),
        migrations.AddField(
            model_name='accountroleassignment',
            name='weekdays',
            field=models.CharField(blank=True, help_text='Chiffres de 1 (lundi) à 7 (dimanche).', max_length=7, verbose_name='jours de la semaine'),
        ),
        migrations.AddField(
            model_name='grouproleassignment',
            name='daily_from',
            field=models.TimeField(blank=True, null=True, verbose_name='chaque jour de'),
        ),
        migrations.AddField(
            model_name='grouproleassignment',
            name='daily_until',
            field=models.TimeField(blank=True, null=True, verbose_name="chaque jour jusqu'à"),
        ),
        migrations.AddField(
            model_name='grouproleassignment',
            name='expiry_notice_sent_on',
            field=models.DateField(blank=True, null=True, verbose_name='préavis de fin envoyé le'),
        ),
        migrations.AddField(
            model_name='grouproleassignment',
            name='valid_from',
            field=models.DateField(blank=True, null=True, verbose_name='accès à partir du'),
        ),
        migrations.AddField(
            model_name='grouproleassignment',
            name='valid_until',
            field=models.DateField(blank=True, null=True, verbose_name="accès jusqu'au"),
        ),
        migrations.AddField(
            model_name='grouproleassignment',
            name='weekdays',
            field=models.CharField(blank=True, help_text='Chiffres de 1 (lundi) à 7 (dimanche).', max_length=7, verbose_name='jours de la semaine'),
        ),
        migrations.RunPython(restore_triggers, migrations.RunPython.noop),
    ]
