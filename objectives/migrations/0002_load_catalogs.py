"""Load the objectives catalogs (idempotent; the same code as `manage.py load_catalogs`)."""

from django.db import migrations


def load(apps, schema_editor):
    from objectives import catalogs

    catalogs.load(apps)


class Migration(migrations.Migration):
    dependencies = [("objectives", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
