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
from habpps.api.problems import ApiProblem
from habpps.api.tokens import Caller, recognise


class ServiceToken(HttpBearer):
    """``Authorization: Bearer hab_…`` of a registered service."""

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        caller = recognise(token)
        if caller is None or caller.kind != TokenKind.SERVICE:
            return None
        refuse_unstorable_text(request)
        return caller


# Why a personal token is refused while its account owes a duty of the web login (AUT-1, AUT-4, AUT-8): the
# token must not be a way around the forced change, the expiry or the second factor (red-team finding 7).
DUTY_PROBLEMS = {
    "change_password": (
        "mot-de-passe-a-changer",
        "Ce compte doit choisir son mot de passe personnel : connectez-vous à l'interface web et changez-le "
        "avant d'utiliser un jeton.",
    ),
    "expired_password": (
        "mot-de-passe-expire",
        "Le mot de passe de ce compte a expiré : connectez-vous à l'interface web et choisissez-en un nouveau "
        "avant d'utiliser un jeton.",
    ),
    "enrol_second_factor": (
        "second-facteur-requis",
        "Votre organisation exige une double authentification pour ce compte : configurez-la dans l'interface "
        "web avant d'utiliser un jeton.",
    ),
}


def duty_refusal(account: Account) -> ApiProblem | None:
    """The 403 problem a personal token of ``account`` gets while the account owes a duty, else None."""
    from habpps.accounts import clock
    from habpps.accounts.duties import pending_duty
    from habpps.accounts.policy import current_policy

    duty = pending_duty(account, current_policy(), clock.now())
    if duty is None:
        return None
    code, detail = DUTY_PROBLEMS[duty.code]
    return ApiProblem(403, code, detail)


class PersonalToken(HttpBearer):
    """``Authorization: Bearer hab_…`` of a personal token: the request acts as the token's account."""

    def authenticate(self, request: HttpRequest, token: str) -> Account | None:
        caller = recognise(token)
        if caller is None or caller.kind != TokenKind.PERSONAL:
            return None
        account = Account.objects.select_related("fund", "partner").filter(pk=caller.account_id).first()
        if account is None or not account.is_active:
            return None
        refused = duty_refusal(account)
        if refused is not None:
            raise refused
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
