"""The published OpenAPI document, fuzzed by schemathesis (API-1): no 5xx, no response outside the document.

Every operation of ``/api/v1/openapi.json`` is called with generated inputs — valid and invalid — as the
national administrator (personal token) or a registered service (decision endpoint), on the small network of
the fixtures. A bounded number of examples per operation keeps the run to a few minutes.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from habpps.api import tokens

# Django's WSGI handler, not `habpps.wsgi`: the production entry point also starts the policy listener thread,
# which would outlive this module and refresh the shared policy cache behind later tests' backs (PostgreSQL).
application = get_wsgi_application()

EXAMPLES_PER_OPERATION = 15

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# Loading the document is one request to the application, which reads no table: no database needed here.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests here reach the WSGI application directly, not through Django's test client: like the client,
    keep `close_old_connections` off the request signals, or on PostgreSQL the test's own connection (inside
    the test transaction, so not in autocommit) is closed at the end of the first request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def credentials(network) -> dict[str, str]:
    return {
        "service": f"Bearer {tokens.register_service('portail-fuzz').secret}",
        "person": f"Bearer {tokens.create_personal_token(network.national_admin, 'fuzz').secret}",
    }


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_server_error_and_every_response_matches_the_document(case, credentials):
    who = "service" if case.path.startswith("/api/v1/decisions") else "person"
    case.call_and_validate(headers={"Authorization": credentials[who]}, checks=CHECKS)
