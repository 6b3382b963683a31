"""Project-wide fixtures: API client and personas (STYLE §8), and service guards for CI.

Under CI=true a test that needs PostgreSQL, Redis or Chromium fails when they are missing; a
developer's laptop skips those tests instead, saying why.

The suite runs in parallel (`make test`: pytest-xdist). Each worker process has its own test
database (pytest-django names it test_<name>_gw0, _gw1...; SQLite's is in memory, one per
process) and its own Redis database (`_redis_url_of_this_worker`): the cache, the page cache
and the Celery broker of the worker subprocesses (funding/tests/conftest.py) all use it, so two
workers never see each other's keys or tasks. Live servers and private redis-servers listen on
ports the OS picks; temporary files come from tmp_path or tempfile, unique per process.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
REDIS_DATABASES = 16  # redis-server's default `databases`


def _redis_url_of_this_worker(url: str, worker: str) -> str:
    """REDIS_URL for xdist worker `worker` (gw0, gw1...): gw0 keeps the database number of
    REDIS_URL, gwN takes the Nth below it (15 → 15, 14, 13...), never 0 unless REDIS_URL
    names 0 (the database a developer's own server uses)."""
    if not url or not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    index = int(worker[2:])
    numbers = [base] + [n for n in range(base - 1, 0, -1)] + list(range(base + 1, REDIS_DATABASES))
    if index >= len(numbers):
        raise pytest.UsageError(f"{index + 1} xdist workers but only {len(numbers)} Redis DBs")
    return urlunsplit(parts._replace(path=f"/{numbers[index]}"))


def pytest_configure(config):
    """Test clients and the live server speak plain HTTP. Production settings redirect that to
    HTTPS, and the middleware reads the setting once, when a handler is built (the live server's
    is built before any function fixture), so turn it off before any handler exists;
    crp_portal/tests/test_hardening.py switches it back on where it tests the redirect."""
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False

    # Test databases need no crash durability: PostgreSQL sessions of the suite commit without
    # waiting for the disk (migrations, transactional tests' flushes). Same SQL, same answers.
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()

    # Settings were read before this hook (pytest-django loads them first): point the cache and
    # the broker at this worker's Redis database before anything connects, and tell the
    # processes tests start (the Celery worker, /healthz's check) through the environment.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    url = _redis_url_of_this_worker(settings.REDIS_URL, worker)
    if url != settings.REDIS_URL:
        os.environ["REDIS_URL"] = settings.REDIS_URL = settings.CELERY_BROKER_URL = url
        settings.CACHES["default"]["LOCATION"] = url
        from crp_portal.celery import app

        # Celery 5.6 looks up the Django-namespaced key before the plain one: set both.
        app.conf.broker_url = app.conf.CELERY_BROKER_URL = url


def pytest_terminal_summary(terminalreporter):
    """The fault tests' recovery times (record_property("recovery", ...)) and the generated
    client's request count (record_property("api_requests", ...); the fault tests' "requests" is
    their own count), also under xdist."""
    lines = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for name, value in getattr(report, "user_properties", ())
        if name == "recovery"
    ]
    if lines:
        terminalreporter.section("fault recovery times")
        for line in lines:
            terminalreporter.write_line(f"recovery: {line}")
    counts = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for name, value in getattr(report, "user_properties", ())
        if name == "api_requests"
    ]
    if counts:  # crp_portal/tests/test_generated_client.py: a plan entered through the API
        terminalreporter.section("API request counts")
        for line in counts:
            terminalreporter.write_line(line)


def require(condition: bool, why: str) -> None:
    """Fail under CI, skip elsewhere, when a real service a test needs is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{why} (CI=true: services must be present)")
    pytest.skip(why)


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def editor(db):
    """Editor of Tajikistan."""
    from plans.tests.factories import Role, UserFactory, assign

    user = UserFactory(username="editor-tjk")
    assign(user, Role.EDITOR, "TJK")
    return user


@pytest.fixture
def pak_editor(db):
    from plans.tests.factories import Role, UserFactory, assign

    user = UserFactory(username="editor-pak")
    assign(user, Role.EDITOR, "PAK")
    return user


@pytest.fixture
def partner(db):
    """A partner system's account: no staff rights, no countries."""
    from plans.tests.factories import UserFactory

    return UserFactory(username="partner", is_staff=False)


@pytest.fixture
def outsider(db):
    """A staff user with no role anywhere."""
    from plans.tests.factories import UserFactory

    return UserFactory(username="outsider")


@pytest.fixture
def superuser(db):
    from plans.tests.factories import UserFactory

    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def on_postgres(settings):
    require(
        settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        "needs PostgreSQL: set DATABASE_URL",
    )


@pytest.fixture(scope="session", autouse=True)
def _demo_baseline(django_db_setup, django_db_blocker):
    """Note how each worker's fresh test database looks, for the demo's copy (demo/tests/
    snapshot.py)."""
    from demo.tests import snapshot

    with django_db_blocker.unblock():
        snapshot.session_began()


@pytest.fixture
def demo(db):
    """The two seed plans with demo funding, as `load_demo` leaves them (loaded once per
    session and copied into each test: demo/tests/snapshot.py)."""
    from demo.tests import snapshot

    return snapshot.demo_plans()


@pytest.fixture(autouse=True)
def _tasks_inline_unless_worker(request, settings):
    """Tests run rollup tasks inline, unless marked `redis` (a real worker on a real broker)."""
    if request.node.get_closest_marker("redis") is None:
        settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture(autouse=True)
def _static_without_manifest(settings):
    """Tests render templates without running collectstatic first, and hash passwords fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_answer_cache():
    """Each test starts with no stored page or API answer: ids and data repeat across tests."""
    from crp_portal import outages, pagecache

    outages.reset()
    pagecache.pages_bump()


@pytest.fixture(autouse=True)
def _api_unthrottled(settings):
    """API throttles off by default (many requests from one test client); throttle tests set
    their own rates."""
    settings.API_THROTTLE_RATES = {"anon": None, "partner": None}


@pytest.fixture(autouse=True)
def _catalogs_survive_flushes(request):
    """Transactional tests end with a flush that empties every table, catalogs included (they
    come from data migrations); put them back so a later test finds the countries it expects."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (marker is not None and marker.kwargs.get("transaction"))
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.management import create_contenttypes

    from plans.models import Country

    if not Permission.objects.exists():  # a flush that skipped post_migrate
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.clear_cache()  # ids cached before the flush are gone
        for app_config in apps.get_app_configs():
            create_contenttypes(app_config, verbosity=0)
            create_permissions(app_config, verbosity=0)
    if not Country.objects.exists():
        from funding import catalogs as funding_catalogs
        from interventions import catalogs as intervention_catalogs
        from objectives import catalogs as objective_catalogs
        from plans import catalogs as plan_catalogs

        for catalogs in (
            plan_catalogs,
            objective_catalogs,
            intervention_catalogs,
            funding_catalogs,
        ):
            catalogs.load()


@pytest.fixture(autouse=True)
def _plain_http_test_client(settings):
    """The test client speaks plain HTTP; production redirects it to HTTPS (tested on its own
    in crp_portal/tests/test_hardening.py, which switches the redirect back on)."""
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def _demo_first(
    request,
    _catalogs_survive_flushes,
    _static_without_manifest,
    _tasks_inline_unless_worker,
    _fresh_answer_cache,
):
    """A test's `demo` is set up before its other fixtures make rows (personas, factories), so
    the demo can be copied in rather than loaded (demo/tests/snapshot.py); after the autouse
    fixtures it needs (settings, catalogs put back after a flush)."""
    if "demo" in request.fixturenames:
        request.getfixturevalue("demo")


@pytest.fixture(autouse=True)
def _language_reset_after_each_test():
    """A request to /fr/… leaves its language active in the thread (Django's LocaleMiddleware
    activates it and nothing deactivates it): start each test in the default language."""
    from django.utils import translation

    yield
    translation.deactivate()
