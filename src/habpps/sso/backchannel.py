"""OpenID Back-Channel Logout 1.0: tell a service, server to server, that a person's sign-in has ended.

The logout token is a JWT signed with the provider's active key, naming the person by the service's pairwise
``sub`` (§2.4: ``iss``, ``aud``, ``iat``, ``exp``, ``jti``, ``events``; never a ``nonce``). It is posted once
the transaction that ended the sign-in has committed, with a short timeout: a service that does not answer is
noted on the sign-in and in the journal, it never blocks the person's own logout.
"""

from __future__ import annotations

import logging
import time
import uuid
from urllib import error, parse, request

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from jwcrypto import jwk, jwt
from oauth2_provider.settings import oauth2_settings

from habpps.journal.services import record_event
from habpps.sso.claims import subject
from habpps.sso.models import SignIn

logger = logging.getLogger(__name__)

EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_SECONDS = 120


def logout_token(sign_in: SignIn) -> str:
    key = jwk.JWK.from_pem(oauth2_settings.OIDC_RSA_PRIVATE_KEY.encode())
    now = int(time.time())
    claims = {
        "iss": sign_in.issuer,
        "aud": sign_in.client.application.client_id,
        "iat": now,
        "exp": now + LOGOUT_TOKEN_SECONDS,
        "jti": uuid.uuid4().hex,
        "sub": subject(sign_in.client, sign_in.account),
        "events": {EVENT: {}},
    }
    token = jwt.JWT(header={"alg": "RS256", "typ": "logout+jwt", "kid": key.thumbprint()}, claims=claims)
    token.make_signed_token(key)
    return token.serialize()


def post_logout_token(uri: str, token: str) -> str:
    """POST the token as the specification says; returns a short French status for the journal."""
    body = parse.urlencode({"logout_token": token}).encode()
    req = request.Request(uri, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with request.urlopen(req, timeout=settings.HABPPS_BACKCHANNEL_TIMEOUT_SECONDS) as response:
            return f"prévenu (HTTP {response.status})"
    except error.HTTPError as refusal:
        return f"refusé par le service (HTTP {refusal.code})"
    except (error.URLError, TimeoutError, OSError) as failure:
        return f"injoignable ({getattr(failure, 'reason', failure)})"[:200]


def end_sign_ins(sign_ins, reason: str) -> list[SignIn]:
    """Close these sign-ins now and tell their services after commit. Returns the closed rows."""
    closed = []
    now = timezone.now()
    for sign_in in sign_ins:
        sign_in.ended_at, sign_in.end_reason = now, reason
        sign_in.save(update_fields=["ended_at", "end_reason"])
        record_event(
            "sso.logout",
            org_scope=sign_in.account.org_scope,
            target=sign_in.account.login,
            data={"service": sign_in.client.service.name, "motif": reason},
        )
        closed.append(sign_in)
    if closed:
        transaction.on_commit(lambda: notify([sign_in.pk for sign_in in closed]))
    return closed


def notify(sign_in_ids: list[int]) -> None:
    """Post one logout token per ended sign-in whose service has a back-channel URI, and note the outcome."""
    for sign_in in SignIn.objects.filter(pk__in=sign_in_ids).select_related("client__application", "account"):
        uri = sign_in.client.backchannel_logout_uri
        if not uri:
            continue
        status = post_logout_token(uri, logout_token(sign_in))
        SignIn.objects.filter(pk=sign_in.pk).update(backchannel_status=status)
        logger.info("Déconnexion par canal arrière de %s : %s", uri, status)
