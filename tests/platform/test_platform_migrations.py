"""The models and their migrations agree: a deployment's `migrate` creates exactly what the code expects."""

from io import StringIO

from django.core.management import call_command


def test_no_model_change_lacks_its_migration(db):
    out = StringIO()
    call_command("makemigrations", "accounts", "directory", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
