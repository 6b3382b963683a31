"""Load the plans catalogs (idempotent; the same code as `manage.py load_catalogs`)."""

from django.db import migrations


def load(apps, schema_editor):
    from plans import catalogs

    catalogs.load_places(apps)  # the catalogs of later migrations load in them


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
