"""Exact incremental sync (issue 12): the PostgreSQL triggers of partners/sync_sql.py, which stamp
`changed_at` and record "moved" tombstones, and the new tombstone kinds (catalogs) and reason.
Reversible: the reverse drops the triggers and their functions. On SQLite nothing is installed."""

from django.db import migrations, models


def install(apps, schema_editor):
    from partners import sync_sql

    sync_sql.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from partners import sync_sql

    sync_sql.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0001_api_tokens_and_deletions"),
        ("plans", "0004_changed_at"),
        ("objectives", "0005_changed_at"),
        ("interventions", "0008_changed_at"),
        ("funding", "0007_changed_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="deletion",
            name="kind",
            field=models.CharField(
                choices=[
                    ("plan", "Plan"),
                    ("objective", "Objective"),
                    ("intervention", "Intervention"),
                    ("contribution", "Contribution"),
                    ("donor", "Donor"),
                    ("country", "Country"),
                    ("region", "Region"),
                    ("strategic_objective", "Strategic objective"),
                    ("target_group", "Target group"),
                    ("sector", "Sector"),
                    ("plan_type", "Plan type"),
                    ("exchange_rate", "Exchange rate"),
                ],
                max_length=24,
            ),
        ),
        migrations.AlterField(
            model_name="deletion",
            name="reason",
            field=models.CharField(
                choices=[
                    ("deleted", "Deleted"),
                    ("withdrawn", "Withdrawn from publication"),
                    ("moved", "Moved to another plan or code"),
                ],
                default="deleted",
                max_length=16,
            ),
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
