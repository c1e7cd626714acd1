"""Fixtures of the API tests: the demo-like network of ``tests/conftest.py``, tokens, and a client per caller."""

from __future__ import annotations

import pytest
from django.test import Client

from habpps.api import tokens


@pytest.fixture(autouse=True)
def _api_settings(settings) -> None:
    # Each refusal written inside its request, so that a test reads the journal right after its call.
    settings.HABPPS_API_DENIAL_JOURNAL = "immediate"
    tokens.forget_recognised_tokens()


class ApiClient(Client):
    """A test client that sends JSON and a bearer token."""

    def __init__(self, secret: str | None = None, **defaults) -> None:
        if secret is not None:
            defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
        super().__init__(**defaults)

    def post_json(self, path: str, data, **extra):
        return self.post(path, data=data, content_type="application/json", **extra)

    def patch_json(self, path: str, data, **extra):
        return self.patch(path, data=data, content_type="application/json", **extra)


@pytest.fixture
def service_token(db) -> tokens.IssuedToken:
    return tokens.register_service("portail-cdap")


@pytest.fixture
def service_client(service_token) -> ApiClient:
    return ApiClient(service_token.secret)


@pytest.fixture
def client_for(network):
    """``client_for(account)``: a client presenting a personal token of ``account``."""

    def make(account) -> ApiClient:
        return ApiClient(tokens.create_personal_token(account, "tests").secret)

    return make
