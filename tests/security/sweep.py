"""The sweep itself: call a URL as an actor, tell a refusal from an answer, and record what went wrong.

A refusal is 401 (the API without credentials), 403, 404 or 405, or a redirect to the login page. A refused
call must leave every table as it was (``snapshot``) and may add to the journal only the record of a denied
access. An answer (200, a redirect elsewhere) to someone who must be refused is a breach; any 5xx is a defect.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from habpps.journal.models import JournalEntry
from security.snapshot import changed_tables, database_digest, ignored_tables, written_tables

REFUSAL_STATUSES = frozenset({401, 403, 404, 405})
DENIAL_KIND_PREFIXES = ("access.",)


def login_url() -> str:
    return reverse("accounts:login")


def is_refusal(response) -> bool:
    if response.status_code in REFUSAL_STATUSES:
        return True
    return response.status_code == 302 and response["Location"].split("?")[0] == login_url()


def journal_count() -> int:
    """Entries other than denials: a refused call must not add any."""
    entries = JournalEntry.objects.all()
    for prefix in DENIAL_KIND_PREFIXES:
        entries = entries.exclude(kind__startswith=prefix)
    return entries.count()


def body_text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@dataclass(frozen=True)
class JsonBody:
    """A request body sent as JSON (API calls), as opposed to a form's fields."""

    content: object


@dataclass
class Report:
    """What the sweep saw: every call made, and the problems found (one line each)."""

    calls: int = 0
    refused: int = 0
    problems: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        self.problems.append(message)


class Caller:
    """One actor's browser (a test client logged in as the account, or anonymous)."""

    def __init__(
        self, kind: str, side: str | None, account, report: Report, *, token: str | None = None
    ) -> None:
        """A browser session for ``account``; with ``token``, an API client presenting it as a bearer token."""
        self.kind, self.side, self.account, self.report = kind, side, account, report
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = Client(raise_request_exception=False, headers=headers)
        if account is not None and token is None:
            self.client.force_login(account)
        self.ignored = ignored_tables()
        self.digest, self.entries = database_digest(), journal_count()

    @property
    def label(self) -> str:
        return self.kind if self.side is None else f"{self.kind} {self.side.upper()}"

    def call(self, method: str, url: str, data: dict | None = None):
        """Make the request; returns the response and the tables changed since the previous call."""
        self.report.calls += 1
        with CaptureQueriesContext(connection) as captured:
            if method == "get":
                response = self.client.get(url)
            elif method == "post" and not isinstance(data, JsonBody):
                response = self.client.post(url, data or {})
            else:  # an API call: JSON body, any method
                payload = None if data is None else data.content
                response = getattr(self.client, method)(url, payload, content_type="application/json")
        changed: list[str] = []
        written = written_tables(captured.captured_queries)
        if written - self.ignored:
            digest = database_digest()
            changed = changed_tables(self.digest, digest)
            self.digest = digest
        journalled = False
        if written & self.ignored:
            entries = journal_count()
            journalled, self.entries = entries != self.entries, entries
        return response, changed, journalled

    def must_be_refused(self, method: str, url: str, data: dict | None = None) -> None:
        response, changed, journalled = self.call(method, url, data)
        if is_refusal(response):
            self.report.refused += 1
        else:
            self.report.fail(
                f"{self.label} : {method.upper()} {url} répond {response.status_code} au lieu d'un refus "
                f"(403/404{', redirection vers la connexion' if self.account is None else ''})"
            )
        if changed:
            self.report.fail(f"{self.label} : {method.upper()} {url} a modifié {', '.join(changed)}")
        if journalled:
            self.report.fail(f"{self.label} : {method.upper()} {url} a écrit dans le journal")

    def may_use(self, method: str, url: str, forbidden_markers: list[str], data: dict | None = None) -> None:
        response, _changed, _journalled = self.call(method, url, data)
        if response.status_code >= 500:
            self.report.fail(f"{self.label} : {method.upper()} {url} répond {response.status_code}")
            return
        if 200 <= response.status_code < 300 and forbidden_markers and (method == "get" or data is not None):
            text = body_text(response)
            leaked = [marker for marker in forbidden_markers if marker in text]
            if leaked:
                self.report.fail(
                    f"{self.label} : {method.upper()} {url} montre des données de l'autre caisse : "
                    f"{', '.join(leaked)}"
                )
