"""WSGI entry point of ``habpps pdp`` (gunicorn ``habpps.pdp.file_app:application``).

Reads ``HABPPS_PDP_POLICY`` (the policy document) and, when set, ``HABPPS_PDP_TOKENS`` (the token file) — the CLI
sets both — and builds the application at import, so that a document that does not load stops the server at
start with its error instead of serving nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from habpps.pdp.app import make_app
from habpps.pdp.policy_file import FileSource, read_tokens

_tokens = os.environ.get("HABPPS_PDP_TOKENS")
source = FileSource(os.environ["HABPPS_PDP_POLICY"], read_tokens(Path(_tokens)) if _tokens else None)
application = make_app(source)
