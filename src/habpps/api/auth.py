"""How callers authenticate (API-1).

- **Registered services** (the portal's other applications) present a service token: it opens the decision
  endpoint only, and nothing of the directory.
- **People's administration tools** either present a personal token, which acts as its account, or — from a
  browser on the same site, e.g. the interactive documentation — use their open session, and then every unsafe
  request must carry the CSRF token (``X-CSRFToken`` header), as Django's forms do.

Whatever the way in, a person's request is decided by the engine exactly as the pages decide it: the token or
session only says who is asking. Authentication also refuses text the database cannot store (``inputs``).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from habpps.accounts.models import Account
from habpps.api.inputs import refuse_unstorable_text
from habpps.api.models import TokenKind
from habpps.api.tokens import Caller, recognise


class ServiceToken(HttpBearer):
    """``Authorization: Bearer hab_…`` of a registered service."""

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        caller = recognise(token)
        if caller is None or caller.kind != TokenKind.SERVICE:
            return None
        refuse_unstorable_text(request)
        return caller


class PersonalToken(HttpBearer):
    """``Authorization: Bearer hab_…`` of a personal token: the request acts as the token's account."""

    def authenticate(self, request: HttpRequest, token: str) -> Account | None:
        caller = recognise(token)
        if caller is None or caller.kind != TokenKind.PERSONAL:
            return None
        account = Account.objects.select_related("fund", "partner").filter(pk=caller.account_id).first()
        if account is None or not account.is_active:
            return None
        refuse_unstorable_text(request)
        request.user = account
        return account


class Session(SessionAuth):
    """An open session of the web interface, CSRF-checked on unsafe methods."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Account | None:
        user = request.user
        if not (user.is_authenticated and user.is_active):
            return None
        refuse_unstorable_text(request)
        return user


service_auth = [ServiceToken()]
person_auth = [PersonalToken(), Session()]
