"""The lean decision point (API-1, ENG-11): AuthZEN 1.0 and ``/api/v1/decisions`` around a compiled snapshot.

A decision costs the engine about a microsecond; over HTTP the framework costs far more. This package answers the
decision endpoints with a raw WSGI application (``app``) that does only what a decision needs — route by path,
read the JSON body (orjson), probe a dict for the token, ask the snapshot, write JSON — so that a decision
process runs close to what its WSGI server allows. The wire formats live in ``authzen`` (OpenID AuthZEN
Authorization API 1.0) and ``decisions_v1`` (the platform's own endpoint); where the snapshot comes from is a
*source*: a policy document on disk (``policy_file``, ``habpps pdp``) or the platform's database following the
policy change log (``platform_source``, ``habpps serve --decisions``).
"""
