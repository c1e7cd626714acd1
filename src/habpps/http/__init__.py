"""What every request meets at the door, before any view reads it (issue 18, SEC-1, API-1).

- ``bodies``: bodies above the size limit are a 413 and JSON nested too deep a 400, refused before parsing;
- ``rate_limits``: API calls per token and per network address, over the figures a 429 with ``Retry-After``;
- ``caching``: ``Cache-Control: no-store`` on every answer to a signed-in person and on the API;
- ``logs``: client errors (4xx) leave one line in the logs, never a traceback.
"""
