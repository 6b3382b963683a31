"""schemathesis over every operation of the published OpenAPI schema, against the WSGI app.

Anonymous and token-authenticated (superuser: writes reach the services) requests alike must
never get a 5xx nor a response that breaks the schema. Bounded by max_examples so the whole
module runs in a couple of minutes on two cores.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

MAX_EXAMPLES = 5


@pytest.fixture(scope="module")
def _module_data(django_db_setup, django_db_blocker):
    """The demo plans, loaded once for the module inside a transaction rolled back at its end
    (each test's own transaction nests in it as a savepoint, as with setUpTestData)."""
    from django.db import transaction

    from demo import loader
    from funding import services

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            for plan in loader.demo_load():
                services.plan_rollup_recompute(plan_id=plan.pk)
            services.group_rollups_recompute()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def data(_module_data, db):
    """Requests go through the plain WSGI app: keep Django from closing the test's database
    connection at each request's end, as django.test.Client does."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def superuser_token(superuser):
    from partners.services import api_token_create

    return api_token_create(user=superuser, name="schemathesis")[1]


def _load_schema():
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    # Production settings redirect plain HTTP to HTTPS; the middleware reads that once, when the
    # handler is built, so build this plain-HTTP test handler without the redirect.
    with override_settings(SECURE_SSL_REDIRECT=False):
        application = WSGIHandler()
    return schemathesis.openapi.from_wsgi("/api/schema/", application)


schema = _load_schema()


# 401 / 404 / 429 are DRF's documented behaviour but not listed per operation in the schema, so
# status_code_conformance is left out; everything else the response says must match the schema.
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@HYPOTHESIS
def test_anonymous_requests_never_5xx_nor_break_the_schema(case, data):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
@HYPOTHESIS
def test_token_requests_never_5xx_nor_break_the_schema(case, data, superuser_token):
    case.call_and_validate(headers={"Authorization": f"Token {superuser_token}"}, checks=CHECKS)
