"""Time windows on a whole account or a whole profile (ENG-5), with their change-capture triggers."""

import importlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

TABLES = ("authorization_accountwindow", "authorization_rolewindow")


def _touches():
    return importlib.import_module("habpps.authorization.migrations.0002_scoping_touches")


def create_triggers(apps, schema_editor) -> None:
    _touches().create_triggers(apps, schema_editor, TABLES)


def drop_triggers(apps, schema_editor) -> None:
    _touches().drop_triggers(apps, schema_editor, TABLES)


class Migration(migrations.Migration):

    dependencies = [
        ('authorization', '0002_scoping_touches'),
        ('directory', '0004_access_windows'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AccountWindow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('valid_from', models.DateField(blank=True, null=True, verbose_name='accès à partir du')),
                ('valid_until', models.DateField(blank=True, null=True, verbose_name="accès jusqu'au")),
                ('daily_from', models.TimeField(blank=True, null=True, verbose_name='chaque jour de')),
                ('daily_until', models.TimeField(blank=True, null=True, verbose_name="chaque jour jusqu'à")),
                ('weekdays', models.CharField(blank=True, help_text='Chiffres de 1 (lundi) à 7 (dimanche).', max_length=7, verbose_name='jours de la semaine')),
                ('expiry_notice_sent_on', models.DateField(blank=True, null=True, verbose_name='préavis de fin envoyé le')),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='modifié le')),
                ('account', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='access_window_row', to=settings.AUTH_USER_MODEL, verbose_name='compte')),
                ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': "période d'accès d'un compte",
                'verbose_name_plural': "périodes d'accès des comptes",
            },
        ),
        migrations.CreateModel(
            name='RoleWindow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('valid_from', models.DateField(blank=True, null=True, verbose_name='accès à partir du')),
                ('valid_until', models.DateField(blank=True, null=True, verbose_name="accès jusqu'au")),
                ('daily_from', models.TimeField(blank=True, null=True, verbose_name='chaque jour de')),
                ('daily_until', models.TimeField(blank=True, null=True, verbose_name="chaque jour jusqu'à")),
                ('weekdays', models.CharField(blank=True, help_text='Chiffres de 1 (lundi) à 7 (dimanche).', max_length=7, verbose_name='jours de la semaine')),
                ('expiry_notice_sent_on', models.DateField(blank=True, null=True, verbose_name='préavis de fin envoyé le')),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='modifié le')),
                ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('role', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='access_window_row', to='directory.servicerole', verbose_name='profil')),
            ],
            options={
                'verbose_name': "période d'usage d'un profil",
                'verbose_name_plural': "périodes d'usage des profils",
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
