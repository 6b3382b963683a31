"""Deploy-time checks: production misconfiguration fails loudly (`check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.database, deploy=True)
def check_production_services(app_configs, **kwargs):
    errors = []
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        errors.append(
            Error("SQLite is for one laptop; set DATABASE_URL to PostgreSQL.", id="crp.E001")
        )
    if not settings.REDIS_URL:
        errors.append(
            Error("No REDIS_URL: Celery would run tasks inline in web requests.", id="crp.E002")
        )
    return errors
