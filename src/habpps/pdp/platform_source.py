"""The platform's decisions for the lean server (``habpps serve --decisions``): its database, its tokens, its journal.

The snapshot is the process's compiled policy (``policy_cache.current_policy``), which follows the policy change
log exactly as the platform's own processes do (NOTIFY listener, version probe). Callers present the platform's
service tokens (``habpps.api.tokens``); a recognised ``Authorization`` header is remembered for the same
freshness bound as the tokens' own cache (``HABPPS_POLICY_PROBE_SECONDS``), so a revoked token stops working
within the delay a revoked habilitation does, and the check is otherwise a dict probe. Refusals are journalled
as the platform's decision endpoint journals them (``habpps.api.pdp``).

Administrative questions (``attribuer-profil``…) are answered by the platform's registered answerers
(``habpps.authorization.admin_questions``), the very code its ``/api/v1/decisions`` calls: same answer, reason,
sentence and journal entry, whichever of the two the reverse proxy routes a question to.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.db import connection

from habpps.api import pdp
from habpps.api.models import TokenKind
from habpps.api.tokens import recognise
from habpps.authorization import admin_questions
from habpps.authorization.policy_cache import CompiledPolicy, current_policy
from habpps.authorization.sessions import validate_activation
from habpps.engine import Snapshot
from habpps.journal.context import current_request_id, is_sane_request_id, new_request_id
from habpps.pdp.app import Refusal


def fresh_connection() -> None:
    """Before a request thread reads the database: drop its connection if it broke or outlived ``CONN_MAX_AGE``.

    Django does this when a request starts (``close_old_connections`` on ``request_started``); the lean server
    never sends that signal, so without this a connection lost once (a database restart, a network cut) would
    stay broken for that thread for good. Only the database's own paths pay it (a token not yet recognised, an
    administrative question), never a permission question answered from the snapshot. Inside a transaction
    (a test's) the connection is left alone."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()


class PlatformAdministration:
    """The platform's answers to administrative questions, as its pages and its ``/api/v1/decisions`` give them."""

    always_explained = False

    def __init__(self) -> None:
        # The registry's own keys (a live view): one hash probe per question, and an operation an app registers
        # after this server is built is answered too, without this module knowing its name.
        self.operations = admin_questions.operations()

    def answer(self, user: str, operation: str, obj: str, org: str | None) -> admin_questions.AdminAnswer:
        fresh_connection()
        return admin_questions.answer(user, operation, obj, org)


class PlatformSource:
    journals = True
    administration = PlatformAdministration()

    def __init__(self) -> None:
        self._known: dict[str, tuple[float, str]] = {}
        self._local = threading.local()

    def snapshot(self) -> Snapshot:
        compiled = current_policy()
        self._local.compiled = compiled
        return compiled.snapshot

    def service(self, authorization: str | None) -> str | None:
        if authorization is None:
            return None
        known = self._known.get(authorization)
        if known is not None and known[0] > time.monotonic():
            return known[1]
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return None
        fresh_connection()
        caller = recognise(token.strip())
        if caller is None or caller.kind != TokenKind.SERVICE:
            self._known.pop(authorization, None)
            return None
        ttl = settings.HABPPS_POLICY_PROBE_SECONDS
        if ttl > 0:
            if len(self._known) > 10_000:  # tokens are few: this only bounds a flood of made-up headers
                self._known.clear()
            self._known[authorization] = (time.monotonic() + ttl, caller.name)
        return caller.name

    def validate_activation(self, user: str, roles: list[str], context: Any = None) -> None:
        validate_activation(user, roles, context)

    def journal(self, snapshot: Snapshot, refusals: list[Refusal], service: str, request_id: str | None) -> None:
        compiled: CompiledPolicy = getattr(self._local, "compiled", None) or current_policy()
        verdicts = [
            pdp.Verdict(query=pdp.DecisionQuery(user=user, operation=operation, obj=obj, org=org,
                                                active_roles=active_roles), granted=False, decision=decision)
            for user, operation, obj, org, decision, active_roles in refusals
        ]
        token = current_request_id.set(request_id if request_id and is_sane_request_id(request_id)
                                       else new_request_id())
        try:
            pdp.journal_verdicts(compiled, verdicts, service)
        finally:
            current_request_id.reset(token)
