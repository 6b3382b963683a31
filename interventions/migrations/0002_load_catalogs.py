"""Load the interventions catalogs (idempotent; the same code as `manage.py load_catalogs`)."""

from django.db import migrations


def load(apps, schema_editor):
    from interventions import catalogs

    catalogs.load(apps)


class Migration(migrations.Migration):
    dependencies = [("interventions", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
