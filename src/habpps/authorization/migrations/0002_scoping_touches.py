"""Change capture for the tables of contextual constraints and data scoping (ENG-5, ENG-8), and the national
administrator's permissions to edit them.

Like the directory's (migration directory 0003), the triggers record in ``directory_policytouch`` that a write
moved the policy — here the kind ``extension``: the change that commits reconciles those small tables whole.
"""

import importlib

from django.db import migrations

TABLES = (
    "authorization_contextattribute",
    "authorization_contextconstraint",
    "authorization_permissionconstraint",
    "authorization_populationrule",
    "authorization_fieldrule",
    "authorization_actionlimit",
)
EVENTS = ("INSERT", "UPDATE", "DELETE")


def _name(table: str, event: str) -> str:
    return f"habpps_touch_{table}_{event.lower()}"


def create_triggers(apps, schema_editor, tables=TABLES) -> None:
    vendor = schema_editor.connection.vendor
    for table in tables:
        for event in EVENTS:
            row = "OLD" if event == "DELETE" else "NEW"
            if vendor == "postgresql":
                schema_editor.execute(
                    f"CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table} FOR EACH ROW"
                    " EXECUTE FUNCTION habpps_policy_touch('extension', 'id')"
                )
            else:
                schema_editor.execute(
                    f"CREATE TRIGGER {_name(table, event)} AFTER {event} ON {table} FOR EACH ROW BEGIN"
                    f" INSERT INTO directory_policytouch (kind, entity_id) VALUES ('extension', {row}.id); END"
                )


def drop_triggers(apps, schema_editor, tables=TABLES) -> None:
    vendor = schema_editor.connection.vendor
    for table in tables:
        for event in EVENTS:
            on = f" ON {table}" if vendor == "postgresql" else ""
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {_name(table, event)}{on}")


def seed_permissions(apps, schema_editor) -> None:
    """The national administrator's new permissions (``directory.permissions.ADMINISTRATIVE_ROLES``)."""
    importlib.import_module("habpps.directory.migrations.0002_reference_data").seed(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("authorization", "0001_scoping_and_context"),
        ("directory", "0004_access_windows"),
    ]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(seed_permissions, migrations.RunPython.noop),
    ]
