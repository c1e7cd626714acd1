"""The journal (AUD-1..4): an append-only, hash-chained record of what happened on the platform.

Every authentication event, administrative change, workflow transition, consultation and denied access is
appended through :func:`habpps.journal.services.record_event`. Each entry carries the SHA-256 of its canonical
form and of its predecessor, so any edit, insertion or removal outside the controlled purge is evident to
``habpps journal verify``. Auditors search and export the journal within their own organisational scope.
"""
