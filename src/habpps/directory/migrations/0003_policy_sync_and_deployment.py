"""The policy change log, the change-capture triggers and the deployment calendar (ENG-11, ADM-1).

The triggers record, in ``directory_policytouch``, which entity's engine facts a write may have moved, whatever
made the write (a service, a queryset ``update``, a ``bulk_create``, raw SQL): the policy change that commits
consumes them and reconciles those entities only. Updates are recorded only when a column the engine policy
reads changes, so that e.g. a login's ``last_login`` update costs nothing.
"""


import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# (table, kind, id column, [(event, columns the UPDATE must change)])
TOUCHES = [
    ("accounts_account", "account", "id", [("INSERT", ()), ("UPDATE", ("status", "org_level", "fund_id", "partner_id"))]),
    ("accounts_account", "rebuild", "id", [("UPDATE", ("login",))]),
    ("directory_fund", "fund", "id", [("INSERT", ()), ("UPDATE", ("status",))]),
    ("directory_partner", "partner", "id", [("INSERT", ()), ("UPDATE", ("status", "fund_id"))]),
    ("directory_group", "group", "id", [("INSERT", ()), ("UPDATE", ("status", "partner_id"))]),
    ("directory_service", "service", "id", [("UPDATE", ("status",))]),
    ("directory_servicerole", "role", "id", [("INSERT", ()), ("UPDATE", ("status", "service_id"))]),
    ("directory_servicerole", "rebuild", "id", [("UPDATE", ("code",))]),
    ("directory_rolepermission", "role", "role_id", [("INSERT", ()), ("UPDATE", ()), ("DELETE", ())]),
    ("directory_groupmembership", "account", "account_id", [("INSERT", ()), ("UPDATE", ()), ("DELETE", ())]),
    ("directory_grouproleassignment", "group", "group_id", [("INSERT", ()), ("UPDATE", ()), ("DELETE", ())]),
    ("directory_accountroleassignment", "account", "account_id", [("INSERT", ()), ("UPDATE", ()), ("DELETE", ())]),
    ("directory_profileopening", "opening", "role_id", [("INSERT", ()), ("UPDATE", ()), ("DELETE", ())]),
]

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION habpps_policy_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE written jsonb;
BEGIN
    IF TG_OP = 'DELETE' THEN written := to_jsonb(OLD); ELSE written := to_jsonb(NEW); END IF;
    INSERT INTO directory_policytouch (kind, entity_id) VALUES (TG_ARGV[0], (written ->> TG_ARGV[1])::bigint);
    RETURN NULL;
END $$;
"""


def _trigger_name(table: str, kind: str, event: str) -> str:
    return f"habpps_touch_{table}_{kind}_{event.lower()}"


def _statements(vendor: str) -> list[str]:
    statements = [POSTGRES_FUNCTION] if vendor == "postgresql" else []
    for table, kind, column, events in TOUCHES:
        for event, changed in events:
            name = _trigger_name(table, kind, event)
            of = f" OF {', '.join(changed)}" if changed else ""
            row = "OLD" if event == "DELETE" else "NEW"
            if vendor == "postgresql":
                when = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in changed)
                statements.append(
                    f"CREATE TRIGGER {name} AFTER {event}{of} ON {table} FOR EACH ROW"
                    + (f" WHEN ({when})" if when else "")
                    + f" EXECUTE FUNCTION habpps_policy_touch('{kind}', '{column}')"
                )
            else:
                when = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in changed)
                statements.append(
                    f"CREATE TRIGGER {name} AFTER {event}{of} ON {table} FOR EACH ROW"
                    + (f" WHEN {when}" if when else "")
                    + f" BEGIN INSERT INTO directory_policytouch (kind, entity_id) VALUES ('{kind}', {row}.{column}); END"
                )
    return statements


def create_triggers(apps, schema_editor) -> None:
    for statement in _statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for table, kind, _column, events in TOUCHES:
        for event, _changed in events:
            on = f" ON {table}" if vendor == "postgresql" else ""
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {_trigger_name(table, kind, event)}{on}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS habpps_policy_touch()")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_account_organisation'),
        ('directory', '0002_reference_data'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PolicyChange',
            fields=[
                ('number', models.BigIntegerField(primary_key=True, serialize=False, verbose_name='version')),
                ('token', models.CharField(max_length=32, verbose_name='jeton')),
                ('calls', models.JSONField(default=list, verbose_name='appels du moteur')),
                ('rebuild', models.BooleanField(default=False, verbose_name='reconstruction complète')),
                ('committed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='enregistrée le')),
            ],
            options={
                'verbose_name': 'changement de la politique',
                'verbose_name_plural': 'journal des changements de la politique',
                'ordering': ['number'],
            },
        ),
        migrations.CreateModel(
            name='PolicyTouch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=16)),
                ('entity_id', models.BigIntegerField()),
            ],
            options={
                'verbose_name': 'entité modifiée',
                'indexes': [models.Index(fields=['kind', 'entity_id'], name='directory_p_kind_4be5e1_idx')],
            },
        ),
        migrations.CreateModel(
            name='ProfileOpening',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('opens_on', models.DateField(blank=True, help_text='Vide : pas encore programmé (fermé).', null=True, verbose_name='ouvert à partir du')),
                ('changed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='modifié le')),
                ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('fund', models.ForeignKey(blank=True, help_text='Vide : calendrier national, valable dans toute caisse sans date propre.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='profile_openings', to='directory.fund', verbose_name='caisse')),
                ('role', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='openings', to='directory.servicerole', verbose_name='profil')),
            ],
            options={
                'verbose_name': "ouverture d'un profil",
                'verbose_name_plural': 'déploiement des services',
                'ordering': ['role__service__name', 'role__name', 'fund__code'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('fund__isnull', False)), fields=('role', 'fund'), name='profile_opening_per_fund'), models.UniqueConstraint(condition=models.Q(('fund__isnull', True)), fields=('role',), name='profile_opening_national')],
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
