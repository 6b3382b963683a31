# The real-worker fixtures of the funding tests (a `celery worker` subprocess on the test database).
from funding.tests.conftest import celery_worker, services_for_worker  # noqa: F401
