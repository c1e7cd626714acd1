"""On PostgreSQL, make the journal append-only in the database itself, whatever code or tool connects.

Entries: UPDATE is always refused; DELETE only inside a transaction that set ``habpps.journal_purge`` to
``on`` (``SET LOCAL``, which the purge does after taking its advisory lock). This guards against mistakes and
casual tampering by the application role; a database superuser can still drop the trigger, which is what the
hash chain and the signed checkpoints make evident. Checkpoints and their runs are never modified or deleted.

TRUNCATE is deliberately not blocked: Django's test framework empties tables with it between transactional
tests, and a truncated journal is detected by verification (the signed head no longer matches).
On other databases (SQLite) this migration does nothing; the ORM-level refusals still apply.
"""

from django.db import migrations

INSTALL = """
CREATE OR REPLACE FUNCTION habpps_journal_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND TG_TABLE_NAME = 'journal_journalentry'
       AND coalesce(current_setting('habpps.journal_purge', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'Le journal est en ajout seul : % refusé sur %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER journal_entry_append_only
    BEFORE UPDATE OR DELETE ON journal_journalentry
    FOR EACH ROW EXECUTE FUNCTION habpps_journal_refuse_change();
CREATE TRIGGER journal_checkpoint_append_only
    BEFORE UPDATE OR DELETE ON journal_purgecheckpoint
    FOR EACH ROW EXECUTE FUNCTION habpps_journal_refuse_change();
CREATE TRIGGER journal_purgedrun_append_only
    BEFORE UPDATE OR DELETE ON journal_purgedrun
    FOR EACH ROW EXECUTE FUNCTION habpps_journal_refuse_change();
"""

UNINSTALL = """
DROP TRIGGER IF EXISTS journal_entry_append_only ON journal_journalentry;
DROP TRIGGER IF EXISTS journal_checkpoint_append_only ON journal_purgecheckpoint;
DROP TRIGGER IF EXISTS journal_purgedrun_append_only ON journal_purgedrun;
DROP FUNCTION IF EXISTS habpps_journal_refuse_change();
"""


def _run_on_postgresql(schema_editor, sql):
    # A raw cursor without parameters, so that the ``%`` of RAISE is not taken for a placeholder.
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def install(apps, schema_editor):
    _run_on_postgresql(schema_editor, INSTALL)


def uninstall(apps, schema_editor):
    _run_on_postgresql(schema_editor, UNINSTALL)


class Migration(migrations.Migration):
    dependencies = [("journal", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
