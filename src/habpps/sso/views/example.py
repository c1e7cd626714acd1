"""A small example service, as another team would write it, signing its users in through Habpps (demo).

It is an ordinary OpenID Connect relying party — public client with PKCE — that talks to the provider only
over HTTP: discovery, authorization redirect, code exchange at the token endpoint, ID token checked against the
JWKS, userinfo, and a back-channel logout endpoint. It lives in this code base only so that a visitor of the
demo can see the round trip and the claims each login receives; it reads none of Habpps's tables except its own
record of logouts received and, to find its registration, the client whose redirect URI is its own callback.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from urllib import error, parse, request

from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from jwcrypto import jwk, jwt
from oauth2_provider.models import Application

from habpps.sso.models import ExampleLogout

SESSION_KEY = "habpps.sso_example"
EVENT = "http://schemas.openid.net/event/backchannel-logout"


def _get_json(url: str, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with request.urlopen(request.Request(url, headers=headers), timeout=10) as response:
        return json.loads(response.read())


def _post_form(url: str, data: dict) -> dict:
    body = parse.urlencode(data).encode()
    with request.urlopen(request.Request(url, data=body), timeout=10) as response:
        return json.loads(response.read())


def _discovery(req) -> dict:
    return _get_json(req.build_absolute_uri("/.well-known/openid-configuration"))


def _client_id(req) -> str | None:
    callback = req.build_absolute_uri(reverse("sso:example-callback"))
    for app in Application.objects.filter(redirect_uris__contains=callback):
        if callback in app.redirect_uris.split():
            return app.client_id
    return None


def _verify(token: str, discovery: dict, audience: str) -> dict:
    """Check the JWT's signature against the provider's key set, then its issuer, audience and expiry."""
    keys = jwk.JWKSet.from_json(json.dumps(_get_json(discovery["jwks_uri"])))
    checked = jwt.JWT(jwt=token, key=keys, algs=["RS256"], check_claims={"iss": discovery["issuer"], "aud": audience})
    claims = json.loads(checked.claims)
    if claims.get("exp", 0) < time.time():
        raise ValueError("jeton expiré")
    return claims


class ExampleHomeView(TemplateView):
    template_name = "sso/example.html"
    extra_context = {"title": gettext_lazy("Service d'exemple connecté par Habpps")}

    def get_context_data(self, **kwargs) -> dict:
        state = self.request.session.get(SESSION_KEY, {})
        signed_in = state.get("claims")
        logged_out = False
        if signed_in and ExampleLogout.objects.filter(
            subject=signed_in.get("sub", ""), received_at__gt=state.get("since_iso", "1970-01-01")
        ).exists():
            logged_out, signed_in = True, None
            self.request.session.pop(SESSION_KEY, None)
        return super().get_context_data(
            claims=signed_in,
            claims_json=json.dumps(signed_in, ensure_ascii=False, indent=2) if signed_in else "",
            userinfo_json=json.dumps(state.get("userinfo"), ensure_ascii=False, indent=2) if signed_in else "",
            logged_out=logged_out,
            registered=_client_id(self.request) is not None,
            **kwargs,
        )


PROVIDER_ERRORS = (error.URLError, OSError, ValueError, KeyError)


def _provider_unreachable(req) -> TemplateResponse:
    """The example service could not talk to the provider: say so in its own page (a service's own problem,
    shown by the service, not a server error of Habpps)."""
    req.session.pop(SESSION_KEY, None)
    return TemplateResponse(
        req, "sso/example.html", {"title": _("Service d'exemple connecté par Habpps"), "provider_error": True}
    )


def example_login(req):
    client_id = _client_id(req)
    if client_id is None:
        return redirect("sso:example")
    try:
        authorization_endpoint = _discovery(req)["authorization_endpoint"]
    except PROVIDER_ERRORS:
        return _provider_unreachable(req)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    req.session[SESSION_KEY] = {"pending": {"verifier": verifier, "state": state, "nonce": nonce}}
    query = parse.urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": req.build_absolute_uri(reverse("sso:example-callback")),
            "scope": "openid profile email habilitations",
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return redirect(f"{authorization_endpoint}?{query}")


def example_callback(req):
    pending = req.session.get(SESSION_KEY, {}).get("pending")
    client_id = _client_id(req)
    if not pending or client_id is None or req.GET.get("state") != pending["state"] or "code" not in req.GET:
        return HttpResponseBadRequest(_("Retour de connexion invalide ou expiré."))
    try:
        discovery = _discovery(req)
        tokens = _post_form(
            discovery["token_endpoint"],
            {
                "grant_type": "authorization_code",
                "code": req.GET["code"],
                "redirect_uri": req.build_absolute_uri(reverse("sso:example-callback")),
                "client_id": client_id,
                "code_verifier": pending["verifier"],
            },
        )
        claims = _verify(tokens["id_token"], discovery, client_id)
        userinfo = _get_json(discovery["userinfo_endpoint"], tokens["access_token"])
    except PROVIDER_ERRORS:
        return _provider_unreachable(req)
    if claims.get("nonce") != pending["nonce"]:
        return HttpResponseBadRequest(_("Retour de connexion invalide ou expiré."))
    req.session[SESSION_KEY] = {
        "claims": claims,
        "userinfo": userinfo,
        "id_token": tokens["id_token"],
        "since_iso": timezone.now().isoformat(),
    }
    return redirect("sso:example")


@require_POST
def example_logout(req):
    """RP-initiated logout: the example forgets the person and sends him to Habpps's end-session endpoint."""
    state = req.session.pop(SESSION_KEY, {})
    try:
        discovery = _discovery(req)
    except PROVIDER_ERRORS:
        return _provider_unreachable(req)
    query = {"post_logout_redirect_uri": req.build_absolute_uri(reverse("sso:example"))}
    if state.get("id_token"):
        query["id_token_hint"] = state["id_token"]
    if client_id := _client_id(req):
        query["client_id"] = client_id
    return redirect(f"{discovery['end_session_endpoint']}?{parse.urlencode(query)}")


@csrf_exempt
@require_POST
def example_backchannel(req):
    """OpenID Back-Channel Logout 1.0 receiver: verify the logout token, remember its subject."""
    client_id = _client_id(req)
    try:
        claims = _verify(req.POST.get("logout_token", ""), _discovery(req), client_id or "")
    except Exception:  # noqa: BLE001 - any invalid token is a 400, as §2.8 says
        return HttpResponseBadRequest("logout_token invalide")
    if EVENT not in claims.get("events", {}) or "nonce" in claims or not claims.get("sub"):
        return HttpResponseBadRequest("logout_token invalide")
    ExampleLogout.objects.create(subject=claims["sub"])
    response = HttpResponse(status=200)
    response["Cache-Control"] = "no-store"
    return response
