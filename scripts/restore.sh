#!/usr/bin/env bash
# Restore a backup of scripts/backup.sh: `scripts/restore.sh BACKUP [MEDIA_ARCHIVE]`
#   - BACKUP habpps-….dump: restored with pg_restore into the database of DATABASE_URL, which must exist and
#     be empty (createdb); BACKUP habpps-….sqlite3: copied to the SQLite file of DATABASE_URL (or
#     $HABPPS_VAR_DIR/habpps.sqlite3), which must not exist;
#   - MEDIA_ARCHIVE: unpacked under $HABPPS_VAR_DIR;
# then the journal's hash chain is verified on the restored copy (`habpps journal verify`): the script fails
# if the restored journal is not intact. Run `habpps migrate` afterwards only when restoring into a newer
# version of the application.
set -euo pipefail
cd "$(dirname "$0")/.."
backup=${1:?"usage : scripts/restore.sh SAUVEGARDE [ARCHIVE_DES_FICHIERS]"}
media=${2:-}
var_dir=${HABPPS_VAR_DIR:-$PWD/var}
habpps=${HABPPS:-.venv/bin/habpps}

case "$backup" in
  *.dump)
    case "${DATABASE_URL:-}" in
      postgres://* | postgresql://*) ;;
      *) echo "DATABASE_URL doit désigner la base PostgreSQL (vide) à restaurer." >&2; exit 2 ;;
    esac
    pg_restore --no-owner --no-privileges --exit-on-error --dbname "$DATABASE_URL" "$backup"
    ;;
  *.sqlite3)
    database=${DATABASE_URL#sqlite:///}
    database=${database:-$var_dir/habpps.sqlite3}
    if [ -e "$database" ]; then
      echo "La base $database existe déjà : restaurez dans un fichier neuf." >&2
      exit 2
    fi
    mkdir -p "$(dirname "$database")"
    cp "$backup" "$database"
    ;;
  *)
    echo "Sauvegarde inconnue : $backup (attendu : .dump ou .sqlite3)" >&2
    exit 2
    ;;
esac

if [ -n "$media" ]; then
  mkdir -p "$var_dir"
  tar -xzf "$media" -C "$var_dir"
fi

"$habpps" journal verify
