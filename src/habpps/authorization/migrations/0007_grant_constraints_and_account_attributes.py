"""Grant constraints (one profile's permission under a contextual constraint) and accounts' attributes, the
AuthZEN sections ``grant_constraints`` and ``user_attributes`` of policy documents, with their change-capture
triggers (kind ``extension``: the change that commits reconciles them whole)."""

import importlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

TABLES = ("authorization_grantconstraint", "authorization_accountattributes")


def _touches():
    return importlib.import_module("habpps.authorization.migrations.0002_scoping_touches")


def create_triggers(apps, schema_editor) -> None:
    _touches().create_triggers(apps, schema_editor, TABLES)


def drop_triggers(apps, schema_editor) -> None:
    _touches().drop_triggers(apps, schema_editor, TABLES)


class Migration(migrations.Migration):

    dependencies = [
        ('authorization', '0006_pending_approval_window_and_arguments'),
        ('directory', '0004_access_windows'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AccountAttributes',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='modifié le')),
                ('attributes', models.JSONField(default=dict, verbose_name='attributs')),
                ('account', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='policy_attributes_row', to=settings.AUTH_USER_MODEL, verbose_name='compte')),
                ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': "attributs d'un compte",
                'verbose_name_plural': 'attributs des comptes',
            },
        ),
        migrations.CreateModel(
            name='GrantConstraint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='modifié le')),
                ('operation', models.CharField(max_length=60, verbose_name='opération')),
                ('obj', models.CharField(max_length=120, verbose_name='objet')),
                ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('constraint', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='grants', to='authorization.contextconstraint', verbose_name='contrainte')),
                ('role', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='grant_constraints', to='directory.servicerole', verbose_name='profil')),
            ],
            options={
                'verbose_name': "condition de la permission d'un profil",
                'verbose_name_plural': 'conditions des permissions des profils',
                'ordering': ['role__code', 'obj', 'operation', 'constraint__name'],
                'constraints': [models.UniqueConstraint(fields=('role', 'operation', 'obj', 'constraint'), name='grant_constraint_unique')],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
