"""Activation constraints (a profile activated in a session only while a contextual constraint holds), the policy
section ``activation_constraints``, with its change-capture trigger (kind ``extension``: the change that commits
reconciles it whole)."""

import importlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

TABLES = ("authorization_activationconstraint",)


def _touches():
    return importlib.import_module("habpps.authorization.migrations.0002_scoping_touches")


def create_triggers(apps, schema_editor) -> None:
    _touches().create_triggers(apps, schema_editor, TABLES)


def drop_triggers(apps, schema_editor) -> None:
    _touches().drop_triggers(apps, schema_editor, TABLES)


class Migration(migrations.Migration):

    dependencies = [
        ('authorization', '0009_supervision_population_rules'),
        ('directory', '0004_access_windows'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ActivationConstraint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='modifié le')),
                ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('constraint', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='activations', to='authorization.contextconstraint', verbose_name='contrainte')),
                ('role', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='activation_constraints', to='directory.servicerole', verbose_name='profil')),
            ],
            options={
                'verbose_name': "condition d'activation d'un profil",
                'verbose_name_plural': "conditions d'activation des profils",
                'ordering': ['role__code', 'constraint__name'],
                'constraints': [models.UniqueConstraint(fields=('role', 'constraint'), name='activation_constraint_unique')],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
