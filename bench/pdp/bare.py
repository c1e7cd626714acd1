"""The reference of ``bench/pdp``: a bare WSGI application — read the JSON body, answer a fixed JSON decision.

It is what the WSGI server allows with no decision at all: served by the same gunicorn, workers, threads and wrk
load as the decision servers, its rate is the floor the ratio is measured against.
"""

from __future__ import annotations

ANSWER = b'{"decision":true}'
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(ANSWER)))]


def application(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    start_response("200 OK", HEADERS)
    return [ANSWER]
