"""Opening and checking sign-ins to services: who may sign in, and whose sign-in no longer holds."""

from __future__ import annotations

from django.utils import timezone

from habpps.accounts import clock
from habpps.accounts.models import Account, SessionEndReason
from habpps.accounts.policy import current_policy as authentication_policy
from habpps.accounts.sessions import live_sessions
from habpps.authorization.policy_cache import current_policy
from habpps.journal.services import record_event
from habpps.sso.backchannel import end_sign_ins
from habpps.sso.claims import habilitations
from habpps.sso.models import ServiceClient, SignIn

REASON_LABELS = {
    SessionEndReason.LOGOUT: "déconnexion",
    SessionEndReason.IDLE: "inactivité",
    SessionEndReason.REPLACED: "nouvelle connexion",
    SessionEndReason.REVOKED: "compte suspendu ou supprimé",
    SessionEndReason.PASSWORD_RESET: "mot de passe réinitialisé",
}
NO_LONGER_IN_FORCE = "compte ou organisation suspendu"
NO_HABILITATION = "plus aucun profil de ce service"
SESSION_OVER = "session Habpps terminée ou inactive"


def may_sign_in(client: ServiceClient, account: Account) -> bool:
    """A person signs into a service only while he holds one of its profiles (the engine says which)."""
    return bool(habilitations(client, account))


def open_sign_in(client: ServiceClient, account: Account, session_key: str, issuer: str) -> SignIn:
    """Record the sign-in (whom to tell later) and journal the authorization."""
    sign_in = SignIn.objects.create(
        account=account, client=client, session_key=session_key, issuer=issuer, signed_in_at=timezone.now()
    )
    record_event(
        "sso.authorization",
        actor=account,
        org_scope=account.org_scope,
        target=account.login,
        data={"service": client.service.name},
    )
    return sign_in


def sweep() -> list[SignIn]:
    """End the live sign-ins whose person is no longer in force, holds no profile of the service any more (an
    end date passed), or whose Habpps session is over — an idle person never makes the request that would end
    it, so ``habpps sso sweep`` runs this every minute or so."""
    snapshot = current_policy().snapshot
    policy, now = authentication_policy(), clock.now()
    ended = []
    for sign_in in SignIn.objects.filter(ended_at__isnull=True).select_related("account", "client__service"):
        if not live_sessions(sign_in.account, policy, now).exists():
            ended += end_sign_ins([sign_in], SESSION_OVER)
        elif not snapshot.has_user(sign_in.account.login):
            ended += end_sign_ins([sign_in], NO_LONGER_IN_FORCE)
        elif not habilitations(sign_in.client, sign_in.account):
            ended += end_sign_ins([sign_in], NO_HABILITATION)
    return ended
