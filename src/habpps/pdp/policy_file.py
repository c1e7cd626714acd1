"""A decision point's policy from a document on disk (``habpps pdp --policy FILE``): the sidecar form, no database.

The document (YAML or JSON, ``docs/policy.schema.json``) is loaded through the engine — every rule checked — and
compiled once. Each process looks at the file's modification time at most every ``RELOAD_SECONDS`` and, when it
changed, loads and compiles the new version before swapping it in; a document that does not load leaves the
previous policy in service (and says why on the error stream), so a bad edit never empties a decision point.

Callers: without a token file, any caller is served (a sidecar listens on its service's loopback). With one
(``--tokens FILE``: lines ``name sha256-hex-digest``, the digest of a service token ``hab_…`` as the platform
stores it in ``habpps.api.tokens``), a request must present ``Authorization: Bearer <token>`` whose digest is
listed; a recognised header is then remembered, so the check costs a dict probe.

Administrative questions (``attribuer-profil``…) are about the platform's records, not the document's: they are
refused as not served, with a reason that says so (``habpps.pdp.administration``).
"""

from __future__ import annotations

import gc
import hashlib
import os
import threading
import time
from pathlib import Path
from typing import Any

import orjson
import yaml

from habpps.engine import RBAC, PolicyDocumentError, RBACError, Snapshot
from habpps.pdp.administration import NOT_SERVED
from habpps.pdp.app import Refusal, warn

RELOAD_SECONDS = 0.5

try:  # the C loader reads a national policy several times faster
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Loader = yaml.SafeLoader


def load_policy(path: Path) -> Snapshot:
    """Parse, load (all rules checked) and compile the document at ``path``."""
    return load_engine(path).compile()


def load_engine(path: Path) -> RBAC:
    """Parse and load (all rules checked) the document at ``path``, compiled once.

    The snapshot's millions of objects (national policy) are then frozen out of the cyclic garbage collector's
    sight (``gc.freeze``): requests allocate small dicts all the time, and a full collection walking the whole
    policy would stall a worker. Freed by reference counting all the same when a reload replaces it."""
    raw = path.read_bytes()
    try:
        doc = orjson.loads(raw) if path.suffix == ".json" else yaml.load(raw, Loader=_Loader)  # noqa: S506 - safe
    except orjson.JSONDecodeError as error:
        raise _unreadable(f"Texte JSON illisible (ligne {error.lineno}, colonne {error.colno}).") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (ligne {mark.line + 1}, colonne {mark.column + 1})" if mark else ""
        raise _unreadable(f"Texte YAML/JSON illisible{where}.") from error
    engine = RBAC.load(doc)
    engine.compile()
    del doc
    gc.collect()
    gc.freeze()
    return engine


def _unreadable(message: str) -> PolicyDocumentError:
    return PolicyDocumentError([{"path": "/", "code": "unparsable", "message": message}])


def read_tokens(path: Path) -> dict[str, str]:
    """``digest → service name`` from a token file (blank lines and ``#`` comments ignored)."""
    tokens: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 2 or len(parts[1]) != 64:
            raise ValueError(f"{path}, ligne {number} : « nom empreinte-sha256 » attendu.")
        tokens[parts[1].lower()] = parts[0]
    return tokens


class FileSource:
    """Snapshot from a policy document, reloaded when the file changes; optional service tokens."""

    journals = False
    administration = NOT_SERVED

    def __init__(self, path: str | os.PathLike[str], tokens: dict[str, str] | None = None) -> None:
        self.path = Path(path)
        self._mtime = self.path.stat().st_mtime_ns
        self._engine = load_engine(self.path)
        self._snapshot = self._engine.compile()
        self._next_look = time.monotonic() + RELOAD_SECONDS
        self._lock = threading.Lock()
        self._activation_lock = threading.Lock()
        self._digests = tokens
        self._known: dict[str, str] = {}

    def snapshot(self) -> Snapshot:
        if time.monotonic() >= self._next_look:
            self._look()
        return self._snapshot

    def _look(self) -> None:
        if not self._lock.acquire(blocking=False):
            return  # another thread is looking: serve the current snapshot meanwhile
        try:
            self._next_look = time.monotonic() + RELOAD_SECONDS
            try:
                mtime = self.path.stat().st_mtime_ns
            except OSError as error:
                warn(f"habpps pdp : politique illisible ({error}) ; la version précédente reste en service.")
                return
            if mtime == self._mtime:
                return
            try:
                engine = load_engine(self.path)
            except (OSError, ValueError, yaml.YAMLError, RBACError) as error:
                warn(f"habpps pdp : la nouvelle politique est refusée ({error}) ; la version précédente reste "
                     "en service.")
                self._mtime = mtime
                return
            self._engine, self._snapshot, self._mtime = engine, engine.compile(), mtime
        finally:
            self._lock.release()

    def validate_activation(self, user: str, roles: list[str], context: Any = None) -> None:
        """The engine's own activation rules (authorised roles, DSD, activation constraints in the request's
        ``context``): a session opened and closed at once."""
        engine = self._engine
        with self._activation_lock:
            session = f"pdp-{threading.get_ident()}"
            engine.create_session(user, session, roles, context=context)
            engine.delete_session(user, session)

    def service(self, authorization: str | None) -> str | None:
        if self._digests is None:
            return ""
        if authorization is None:
            return None
        name = self._known.get(authorization)
        if name is not None:
            return name
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token or len(token) > 200:
            return None
        name = self._digests.get(hashlib.sha256(token.strip().encode()).hexdigest())
        if name is not None and len(self._known) < 10_000:
            self._known[authorization] = name
        return name

    def journal(self, snapshot: Snapshot, refusals: list[Refusal], service: str, request_id: str | None) -> None:
        """Nothing to write to: a sidecar has no journal (its service logs what it enforces)."""
