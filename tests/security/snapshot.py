"""Proof that a refused call changed nothing: the SQL writes it ran, and a digest of every table.

Each call runs under a query capture. A call that wrote to no table but the ignored ones changed nothing; when
it did write, the digest of every table is taken again and compared with the last one, so a write rolled back
(a service refusing inside its transaction) is not mistaken for a change, and an unguarded write is not missed.
Sessions and the register of live sessions are ignored (each request refreshes its own), and the journal is
compared apart: a refusal may only add the record of a denied access.
"""

from __future__ import annotations

import hashlib
import re

from django.apps import apps

IGNORED_MODELS = frozenset(
    {"sessions.session", "accounts.accountsession", "journal.journalentry", "journal.journalhead"}
)
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)"?', re.IGNORECASE)


def ignored_tables() -> frozenset[str]:
    return frozenset(apps.get_model(label)._meta.db_table for label in IGNORED_MODELS)


def written_tables(queries: list[dict]) -> set[str]:
    """Tables the captured queries (``CaptureQueriesContext.captured_queries``) wrote to."""
    tables = set()
    for query in queries:
        match = _WRITE.match(query["sql"])
        if match:
            tables.add(match.group(1))
    return tables


def database_digest() -> dict[str, str]:
    """``{table: sha256 of its rows in primary-key order}`` for every model table but the ignored ones."""
    digest = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label_lower in IGNORED_MODELS or model._meta.proxy:
            continue
        rows = model._base_manager.order_by("pk").values_list()
        digest[model._meta.db_table] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digest


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(table for table in after if before.get(table) != after[table])
