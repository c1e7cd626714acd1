"""The whole single sign-on flow, driven against the running server by an independent OpenID Connect client
(Authlib: its OAuth2 session with PKCE, its JOSE implementation checking the ID token against the JWKS) and
plain HTTP — never the provider's own code. A small HTTP server plays the service's back-channel endpoint."""

from __future__ import annotations

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from habpps.accounts.models import AccountStatus
from habpps.directory import services as directory
from habpps.journal.models import JournalEntry
from habpps.sso.services import ClientSettings, register_client

PASSWORD = "Motdepasse#2025"
BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


class _Receiver(BaseHTTPRequestHandler):
    received: list[str] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length", 0))
        body = parse_qs(self.rfile.read(length).decode())
        type(self).received.append(body.get("logout_token", [""])[0])
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def service_endpoint():
    """The service's own server (loopback), receiving back-channel logout tokens."""
    _Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Receiver.received
    server.shutdown()


@pytest.fixture
def registered(transactional_db, live_server, network, service_endpoint):
    base, received = service_endpoint
    cdap = network.roles["cdap-ass-cesf"].service
    client, secret = register_client(
        network.national_admin,
        cdap,
        ClientSettings(
            redirect_uris=[f"{base}/callback"],
            post_logout_redirect_uris=[f"{base}/au-revoir"],
            backchannel_logout_uri=f"{base}/backchannel",
            confidential=True,
        ),
    )
    return live_server.url, network, client, secret, base, received


def _login_and_authorize(browser: requests.Session, authorize_url: str, login: str, redirect_base: str) -> str:
    """Follow the provider's redirects as a browser would, filling Habpps's login form; returns the callback."""
    response = browser.get(authorize_url, allow_redirects=False)
    for _ in range(10):
        location = response.headers.get("Location", "")
        if location.startswith(redirect_base):
            return location
        if response.status_code in (301, 302, 303):
            response = browser.get(urljoin(response.url, location), allow_redirects=False)
            continue
        form_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
        assert form_token, f"page inattendue ({response.status_code}) : {response.text[:300]}"
        response = browser.post(
            response.url,
            data={"csrfmiddlewaretoken": form_token.group(1), "username": login, "password": PASSWORD},
            headers={"Referer": response.url},
            allow_redirects=False,
        )
    raise AssertionError("la connexion n'aboutit pas au service")


def test_code_flow_with_pkce_claims_userinfo_refresh_and_backchannel_logout(registered):
    url, net, client, secret, base, received = registered
    discovery = requests.get(f"{url}/.well-known/openid-configuration", timeout=10).json()
    assert discovery["issuer"] == url
    assert discovery["backchannel_logout_supported"] is True
    assert "S256" in discovery["code_challenge_methods_supported"]
    jwks = JsonWebKey.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json())

    oauth = OAuth2Session(
        client.application.client_id,
        secret,
        scope="openid profile email habilitations",
        redirect_uri=f"{base}/callback",
        code_challenge_method="S256",
    )
    verifier = "v" * 64
    authorize_url, state = oauth.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce="n-0S6_WzA2Mj"
    )
    assert create_s256_code_challenge(verifier) in authorize_url
    callback = _login_and_authorize(requests.Session(), authorize_url, net.user_a.login, base)
    assert parse_qs(urlparse(callback).query)["state"] == [state]

    token = oauth.fetch_token(discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier)
    claims = jwt.decode(
        token["id_token"],
        jwks,
        claims_options={"iss": {"essential": True, "value": url}, "aud": {"essential": True, "value": client.application.client_id}},
    )
    claims.validate()
    assert claims["nonce"] == "n-0S6_WzA2Mj"
    assert claims["preferred_username"] == net.user_a.login
    assert claims["organisation"]["partenaire"]["nom"] == "CCAS A"
    assert [h["profil"] for h in claims["habilitations"]] == ["cdap-ass-cesf"]
    assert claims["habilitations"][0]["unite"] == f"partner:{net.partner_a.pk}"
    assert claims["sub"] != str(net.user_a.pk)  # pairwise, not the database key

    userinfo = oauth.get(discovery["userinfo_endpoint"]).json()
    assert userinfo["sub"] == claims["sub"]
    assert userinfo["email"] == net.user_a.email

    refreshed = oauth.refresh_token(discovery["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["access_token"] != token["access_token"]

    # The person is suspended: the service is told at once, with a logout token signed by the provider.
    directory.set_account_status(net.fund_admin_a, net.user_a, AccountStatus.SUSPENDED)
    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(received) == 1
    logout = jwt.decode(received[0], jwks)
    logout.validate()
    assert logout["sub"] == claims["sub"]
    assert logout["aud"] == client.application.client_id
    assert logout["iss"] == url
    assert BACKCHANNEL_EVENT in logout["events"]
    assert "nonce" not in logout

    kinds = set(JournalEntry.objects.values_list("kind", flat=True))
    assert {"sso.authorization", "sso.token.issue", "sso.logout", "admin.sso.client.create"} <= kinds


def test_a_person_without_a_profile_of_the_service_is_not_signed_in(registered):
    url, net, client, secret, base, received = registered
    oauth = OAuth2Session(client.application.client_id, secret, scope="openid", redirect_uri=f"{base}/callback",
                          code_challenge_method="S256")
    authorize_url, _ = oauth.create_authorization_url(f"{url}/oidc/authorize/", code_verifier="w" * 64)
    browser = requests.Session()
    with pytest.raises(AssertionError):
        _login_and_authorize(browser, authorize_url, net.fund_admin_a.login, base)
    page = browser.get(authorize_url, allow_redirects=False)
    assert page.status_code == 403
    assert "aucun profil" in page.text


def test_pkce_is_required(registered):
    url, net, client, secret, base, received = registered
    browser = requests.Session()
    query = f"response_type=code&client_id={client.application.client_id}&redirect_uri={base}/callback&scope=openid"
    location = ""
    response = browser.get(f"{url}/oidc/authorize/?{query}", allow_redirects=False)
    # Logged out: the login comes first; once logged in the request is refused for its missing challenge.
    callback = _login_and_authorize(browser, f"{url}/oidc/authorize/?{query}", net.user_a.login, base)
    location = parse_qs(urlparse(callback).query)
    assert response.status_code == 302
    assert location["error"] == ["invalid_request"]
    assert "code" not in location


def test_logout_tells_the_services(registered):
    url, net, client, secret, base, received = registered
    oauth = OAuth2Session(client.application.client_id, secret, scope="openid", redirect_uri=f"{base}/callback",
                          code_challenge_method="S256")
    authorize_url, _ = oauth.create_authorization_url(f"{url}/oidc/authorize/", code_verifier="x" * 64)
    browser = requests.Session()
    _login_and_authorize(browser, authorize_url, net.user_a.login, base)
    home = browser.get(f"{url}/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home.text).group(1)
    browser.post(f"{url}/compte/deconnexion/", data={"csrfmiddlewaretoken": token}, headers={"Referer": f"{url}/"})
    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(received) == 1


def test_api_registers_a_client_shows_the_secret_once_and_rotates_it(client, network):
    client.force_login(network.national_admin)
    url = "/api/v1/services/cdap/client-oidc"
    refused = client.put(url, {"redirect_uris": ["pas une adresse"]}, content_type="application/json")
    assert refused.status_code == 422
    created = client.put(url, {"redirect_uris": ["https://cdap.exemple.fr/retour"]}, content_type="application/json")
    assert created.status_code == 201
    secret = created.json()["client_secret"]
    shown = client.get(url).json()
    assert "client_secret" not in shown and shown["confidential"] is True
    rotated = client.post(f"{url}/secret").json()["client_secret"]
    assert rotated != secret
    client.force_login(network.fund_admin_a)
    assert client.get(url).status_code == 403


def test_rotated_signing_key_stays_published(tmp_path):
    from habpps.sso.keys import load_keys, retire_inactive, rotate

    first, inactive = load_keys(tmp_path)
    assert inactive == []
    rotate(tmp_path)
    second, inactive = load_keys(tmp_path)
    assert second != first and inactive == [first]
    assert retire_inactive(tmp_path) == 1
    assert load_keys(tmp_path)[1] == []


def test_rp_initiated_logout_ends_the_habpps_session_and_tells_the_services(registered):
    url, net, client, secret, base, received = registered
    oauth = OAuth2Session(client.application.client_id, secret, scope="openid", redirect_uri=f"{base}/callback",
                          code_challenge_method="S256")
    verifier = "y" * 64
    authorize_url, _ = oauth.create_authorization_url(f"{url}/oidc/authorize/", code_verifier=verifier)
    browser = requests.Session()
    callback = _login_and_authorize(browser, authorize_url, net.user_a.login, base)
    token = oauth.fetch_token(f"{url}/oidc/token/", authorization_response=callback, code_verifier=verifier)
    response = browser.get(
        f"{url}/oidc/logout/",
        params={
            "id_token_hint": token["id_token"],
            "client_id": client.application.client_id,
            "post_logout_redirect_uri": f"{base}/au-revoir",
        },
        allow_redirects=False,
    )
    assert response.status_code == 302 and response.headers["Location"].startswith(f"{base}/au-revoir")
    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(received) == 1
    # The Habpps session is over too: the home page asks to log in again.
    assert browser.get(f"{url}/", allow_redirects=False).status_code == 302


def test_sweep_ends_sign_ins_whose_habpps_session_timed_out(registered):
    """Nobody makes a request when a session times out: the sweep (timer or command) tells the service."""
    from datetime import timedelta

    from habpps.accounts.models import AccountSession
    from habpps.sso.signins import sweep

    url, net, client, secret, base, received = registered
    oauth = OAuth2Session(client.application.client_id, secret, scope="openid", redirect_uri=f"{base}/callback",
                          code_challenge_method="S256")
    authorize_url, _ = oauth.create_authorization_url(f"{url}/oidc/authorize/", code_verifier="z" * 64)
    _login_and_authorize(requests.Session(), authorize_url, net.user_a.login, base)
    assert sweep() == []
    AccountSession.objects.filter(account=net.user_a).update(
        last_activity_at=AccountSession.objects.get(account=net.user_a, ended_at__isnull=True).last_activity_at
        - timedelta(days=1)
    )
    assert [s.end_reason for s in sweep()] == ["session Habpps terminée ou inactive"]
    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(received) == 1
