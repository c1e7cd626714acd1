"""Backup and restore (issue 13, docs/operations.md): ``scripts/backup.sh`` dumps the live database, and
``scripts/restore.sh`` restores it into a fresh one, where ``habpps journal verify`` passes and every table
holds what the original held."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

from reliability.processes import PROJECT, database_url
from security.world import build_world

pytestmark = pytest.mark.postgres


def row_counts(url: str) -> dict[str, int]:
    import psycopg

    tables = sorted(model._meta.db_table for model in apps.get_models(include_auto_created=True))
    with psycopg.connect(url) as db:
        return {table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


@pytest.mark.django_db(transaction=True)
def test_a_dump_restored_into_a_fresh_database_has_everything_and_an_intact_journal(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    build_world()  # both funds, conventions with their scanned documents, campaigns, journal entries
    source = database_url()
    restored_name = f"{connection.settings_dict['NAME']}_restauree"
    restored = source.rsplit("/", 1)[0] + f"/{restored_name}"
    env = {**os.environ, "HABPPS_VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": source}
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{restored_name}"')
        cursor.execute(f'CREATE DATABASE "{restored_name}"')
    try:
        written = subprocess.run(
            ["scripts/backup.sh", str(tmp_path / "sauvegardes")],
            cwd=PROJECT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        dump = next(Path(p) for p in written if p.endswith(".dump"))
        media = next(Path(p) for p in written if p.endswith("-media.tar.gz"))
        restore_env = {**env, "DATABASE_URL": restored, "HABPPS_VAR_DIR": str(tmp_path / "restauree")}
        result = subprocess.run(
            ["scripts/restore.sh", str(dump), str(media)],
            cwd=PROJECT,
            env=restore_env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert row_counts(restored) == row_counts(source)
        assert list((tmp_path / "restauree" / "media").rglob("*.pdf")), "les documents déposés sont restaurés"
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')
