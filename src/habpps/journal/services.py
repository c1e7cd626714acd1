"""Appending to the journal: ``record_event`` is the one way every part of the platform writes an event.

The append runs inside the caller's transaction, so an administrative change that rolls back leaves no journal
row, and a journal write that fails rolls back the change it describes.
Appends are serialised on the chain-head row: on PostgreSQL with ``SELECT … FOR UPDATE`` (several processes
wait their turn, each reading the head its predecessor committed); on SQLite, which has no row locks, with an
UPDATE of the head issued before anything is read, which takes the database write lock first.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from . import anchors as _anchors
from .canonical import normalise_json, storable_text
from .chain import compute_hash
from .context import current_request_id
from .exceptions import BrokenChain, InvalidEvent
from .kinds import is_valid_kind
from .models import HEAD_PK, JournalEntry, JournalHead
from .signing import sign_head

_TEXT_LIMITS = {
    "org_scope": JournalEntry._meta.get_field("org_scope").max_length,
    "target": JournalEntry._meta.get_field("target").max_length,
    "request_id": JournalEntry._meta.get_field("request_id").max_length,
    "actor_identifier": JournalEntry._meta.get_field("actor_identifier").max_length,
}


def record_event(
    kind: str,
    *,
    actor: Any = None,
    org_scope: str = "",
    target: str = "",
    data: dict | None = None,
    before: dict | None = None,
    after: dict | None = None,
    request_id: str | None = None,
) -> JournalEntry:
    """Append one event to the journal and return the stored entry.

    ``kind`` is a dotted name (``auth.login.failure``, ``admin.partner.update``, ``cdap.consultation``);
    ``actor`` an account (``settings.AUTH_USER_MODEL``) or None, kept as its primary key and login identifier
    so the history outlives the account; ``org_scope`` a path such as ``national/fund:CAF75/partner:123`` that
    scoped search matches by prefix; ``data``, ``before`` and ``after`` JSON-serialisable mappings (dates,
    decimals and UUIDs become strings). ``request_id`` defaults to the current request's id.

    Raises :class:`~habpps.journal.exceptions.InvalidEvent` when a field cannot be journaled as given.
    """
    if not is_valid_kind(kind):
        raise InvalidEvent(f"Type d'événement invalide : {kind!r}.")
    actor_pk, actor_identifier = _actor_fields(actor)
    if request_id is None:
        request_id = current_request_id.get() or ""
    org_scope, target, request_id = storable_text(org_scope), storable_text(target), storable_text(request_id)
    actor_identifier = storable_text(actor_identifier)
    texts = {
        "org_scope": org_scope,
        "target": target,
        "request_id": request_id,
        "actor_identifier": actor_identifier,
    }
    for name, value in texts.items():
        if len(value) > _TEXT_LIMITS[name]:
            raise InvalidEvent(
                f"Champ « {name} » trop long pour le journal ({len(value)} > {_TEXT_LIMITS[name]})."
            )
    try:
        payload = {
            "data": normalise_json(data or {}),
            "before": None if before is None else normalise_json(before),
            "after": None if after is None else normalise_json(after),
        }
    except (TypeError, ValueError) as error:
        raise InvalidEvent(f"Données non sérialisables en JSON pour « {kind} » : {error}") from error

    # No savepoint inside the caller's transaction: if the append fails, the whole change must fail with it
    # (and PostgreSQL pays for every subtransaction on a long administrative transaction).
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        entry = JournalEntry(
            sequence=head.sequence + 1,
            occurred_at=timezone.now(),
            kind=kind,
            actor_pk=actor_pk,
            actor_identifier=actor_identifier,
            org_scope=org_scope,
            target=target,
            request_id=request_id,
            previous_hash=head.hash,
            **payload,
        )
        entry.hash = compute_hash(entry.hashed_content())
        entry.save()
        head.sequence, head.hash = entry.sequence, entry.hash
        head.signature = sign_head(entry.sequence, entry.hash)
        head.save(update_fields=["sequence", "hash", "signature"])
    sequence = entry.sequence
    if _anchors.anchoring_due(sequence):
        transaction.on_commit(lambda: _anchors.anchor_if_due(sequence))
    return entry


def _actor_fields(actor: Any) -> tuple[str, str]:
    """(primary key, login identifier) of an account; anonymous or absent actors give empty strings."""
    if actor is None or not getattr(actor, "is_authenticated", True):
        return "", ""
    identifier = actor.get_username() if hasattr(actor, "get_username") else str(actor)
    return str(actor.pk), identifier


def _locked_head() -> JournalHead:
    """The chain head, locked until the end of the transaction; created on the first append."""
    heads = JournalHead.objects.filter(pk=HEAD_PK)
    if connection.features.has_select_for_update:
        head = heads.select_for_update().first()
    else:
        # No row locks (SQLite): a write before any read takes the database write lock, so two appenders
        # can never both read the same head.
        heads.update(sequence=F("sequence"))
        head = heads.first()
    if head is not None:
        return head
    # First append (or a test database just emptied): concurrent appenders race to create the row; the unique
    # primary key lets exactly one win, the others wait for it and then take its lock.
    head, created = JournalHead.objects.get_or_create(pk=HEAD_PK)
    if created and JournalEntry.objects.exists():
        raise BrokenChain(
            "La tête de chaîne du journal a disparu alors que le journal contient des entrées : "
            "lancer « habpps journal verify »."
        )
    if connection.features.has_select_for_update:
        head = heads.select_for_update().get()
    return head
