"""Security headers and cookies: CSP, frame denial, CSRF, HttpOnly/SameSite cookies; HSTS, Secure and __Host-
cookies in production (OWASP ASVS V3.4, V14.4)."""

import json
import os
import subprocess
import sys

from django.test import Client
from django.urls import reverse

from .conftest import log_in

LOGIN = reverse("accounts:login")


def test_pages_carry_the_security_headers(client, db):
    response = client.get(LOGIN)
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]  # authentication pages are never cached


def test_the_session_cookie_is_http_only_and_same_site(client, network):
    response = log_in(client, network.user_a.login)
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 30 * 60


def test_a_post_without_the_csrf_token_is_refused(network):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": network.user_a.login, "password": "Motdepasse#2025"})
    assert response.status_code == 403
    client.force_login(network.user_a)
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert client.get(reverse("home")).status_code == 200  # still signed in: the forged logout did nothing


PROBE = (
    "import json, habpps.settings as s; print(json.dumps({'hsts': s.SECURE_HSTS_SECONDS, "
    "'subdomains': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, 'ssl_redirect': s.SECURE_SSL_REDIRECT, "
    "'session_secure': s.SESSION_COOKIE_SECURE, 'csrf_secure': s.CSRF_COOKIE_SECURE, "
    "'session_name': s.SESSION_COOKIE_NAME, 'csrf_name': s.CSRF_COOKIE_NAME}))"
)


def test_production_turns_on_hsts_and_host_only_secure_cookies():
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("HABPPS_", "SECRET", "DATABASE"))}
    environment.update(
        HABPPS_ENVIRONMENT="production", SECRET_KEY="s" * 64, ALLOWED_HOSTS="habpps.example.fr"
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True, timeout=60, check=True
    )
    values = json.loads(result.stdout)
    assert values["hsts"] >= 31536000 and values["subdomains"] and values["ssl_redirect"]
    assert values["session_secure"] and values["csrf_secure"]
    assert values["session_name"].startswith("__Host-") and values["csrf_name"].startswith("__Host-")
