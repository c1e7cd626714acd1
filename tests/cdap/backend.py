"""A small back end on loopback that speaks the CDAP wire format, for the HTTP adapter's tests.

It serves the demo source's files as JSON and can be told to misbehave: answer slowly, fail, send garbage,
send a file that breaks the schema, or send more sections than were asked for.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from habpps.cdap.sources import UnknownBeneficiary
from habpps.cdap.sources.demo import SECTION_BUILDERS, DemoBeneficiaryFileSource
from habpps.cdap.sources.wire import encode_file


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # The adapter hung up before a slow answer was written: exactly what the timeout tests provoke.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class FakeBackend:
    def __init__(self, source: DemoBeneficiaryFileSource) -> None:
        self.source = source
        self.behaviour = "ok"
        self.delay = 0.0
        self.requests: list[dict] = []
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep the test output clean
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                backend.handle(self)

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/api"

    def __enter__(self) -> FakeBackend:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlparse(handler.path)
        parts = url.path.strip("/").split("/")  # api, caisses, <fund>, dossiers, <number>
        sections = [s for s in parse_qs(url.query).get("rubriques", [""])[0].split(",") if s]
        self.requests.append(
            {"path": url.path, "sections": sections, "authorization": handler.headers.get("Authorization")}
        )
        if self.delay:
            time.sleep(self.delay)
        if self.behaviour == "error":
            return self.send(handler, 500, b'{"erreur": "base Cristal indisponible"}')
        if self.behaviour == "garbage":
            return self.send(handler, 200, b"<html>maintenance</html>")
        if len(parts) != 5 or parts[:2] != ["api", "caisses"] or parts[3] != "dossiers":
            return self.send(handler, 400, b"{}")
        fund_code, number = parts[2], parts[4]
        asked = list(SECTION_BUILDERS) if self.behaviour == "extra-sections" else sections
        try:
            document = encode_file(self.source.fetch(fund_code, number, asked))
        except UnknownBeneficiary:
            return self.send(handler, 404, b'{"erreur": "dossier inconnu"}')
        if self.behaviour == "schema":
            document["rubriques"] = {code: {"tableaux": [{"titre": 3}]} for code in document["rubriques"]}
        if self.behaviour == "wrong-number":
            document["numero"] = "7654321"
        self.send(handler, 200, json.dumps(document).encode())

    @staticmethod
    def send(handler: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
