"""Change capture for the records the engine's derived rules come from (ENG-11, ENG-12, issue 16 §2).

The convention perimeters, the partners' administrative roles and their delegations are derived from conventions,
versions, bulletins, sub-perimeters, the national doctrine, the role hierarchy and a partner's type. Like the
directory's triggers (migration directory 0003), these record in ``directory_policytouch`` what a write may have
moved, whatever made it: the kind ``rules`` with the partner's id, so that the change that commits derives that
partner's rules again instead of every partner's (30,000 at national scale). A write that moves every partner's
rules (the doctrine, the hierarchy) records the id 0: everything is derived again.
"""

from django.db import migrations

PARTNER_OF_CONVENTION = "SELECT c.partner_id AS partner FROM conventions_convention c WHERE c.id = {row}.convention_id"
PARTNER_OF_VERSION = (
    "SELECT c.partner_id AS partner FROM conventions_conventionversion v JOIN conventions_convention c ON c.id = v.convention_id"
    " WHERE v.id = {row}.version_id"
)
PARTNER_OF_BULLETIN = (
    "SELECT c.partner_id AS partner FROM conventions_bulletin b JOIN conventions_conventionversion v ON v.id = b.version_id"
    " JOIN conventions_convention c ON c.id = v.convention_id WHERE b.id = {row}.bulletin_id"
)
PARTNER_OF_PERIMETER = (
    "SELECT p.partner_id AS partner FROM conventions_delegatedperimeter p WHERE p.id = {row}.delegatedperimeter_id"
)
ALL = ("INSERT", "UPDATE", "DELETE")

# (table, events, the SELECT giving the partner id from the written row — {row} is NEW or OLD)
TOUCHES = [
    ("conventions_convention", ALL, "SELECT {row}.partner_id AS partner"),
    ("conventions_conventionversion", ALL, PARTNER_OF_CONVENTION),
    ("conventions_bulletin", ALL, PARTNER_OF_VERSION),
    ("conventions_bulletinprofile", ALL, PARTNER_OF_BULLETIN),
    ("conventions_delegatedperimeter", ALL, "SELECT {row}.partner_id AS partner"),
    ("conventions_delegatedperimeter_groups", ALL, PARTNER_OF_PERIMETER),
    ("conventions_delegatedperimeter_roles", ALL, PARTNER_OF_PERIMETER),
    ("directory_partner", ("UPDATE",), "SELECT {row}.id AS partner"),  # its type (the doctrine it follows)
    ("directory_doctrinerule", ALL, "SELECT 0 AS partner"),
    ("authorization_roleinheritance", ALL, "SELECT 0 AS partner"),
]

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION habpps_rules_touch() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE written record;
BEGIN
    IF TG_OP = 'DELETE' THEN written := OLD; ELSE written := NEW; END IF;
    EXECUTE 'INSERT INTO directory_policytouch (kind, entity_id) SELECT ''rules'', partner FROM ('
        || TG_ARGV[0] || ') AS touched WHERE partner IS NOT NULL' USING written;
    RETURN NULL;
END $$;
"""


def _name(table: str, event: str) -> str:
    return f"habpps_rules_{table}_{event.lower()}"


def create_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FUNCTION)
    for table, events, select in TOUCHES:
        for event in events:
            row = "OLD" if event == "DELETE" else "NEW"
            of = " OF partner_type_id" if table == "directory_partner" else ""
            if vendor == "postgresql":
                query = select.format(row="($1)").replace("'", "''")
                schema_editor.execute(
                    f"CREATE TRIGGER {_name(table, event)} AFTER {event}{of} ON {table} FOR EACH ROW"
                    f" EXECUTE FUNCTION habpps_rules_touch('{query}')"
                )
            else:
                query = select.format(row=row)
                schema_editor.execute(
                    f"CREATE TRIGGER {_name(table, event)} AFTER {event}{of} ON {table} FOR EACH ROW BEGIN"
                    f" INSERT INTO directory_policytouch (kind, entity_id) SELECT 'rules', partner FROM ({query})"
                    " AS touched WHERE partner IS NOT NULL; END"
                )


def drop_triggers(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for table, events, _select in TOUCHES:
        for event in events:
            on = f" ON {table}" if vendor == "postgresql" else ""
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {_name(table, event)}{on}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS habpps_rules_touch()")


class Migration(migrations.Migration):
    dependencies = [
        ("conventions", "0005_read_conventions_permission"),
        ("directory", "0004_access_windows"),
        ("authorization", "0006_pending_approval_window_and_arguments"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
