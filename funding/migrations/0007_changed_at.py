"""`changed_at`: when a row's API representation last changed (incremental sync, issue 12).
Backfilled from `updated_at` where the model has one (others: the time of the migration). The
backfill's reverse is a no-op: the column goes with the field."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("funding", "0006_rollup_bounds_wide_coverage_and_failures")]

    operations = [
        migrations.AddField(
            model_name="contribution",
            name="changed_at",
            field=models.DateTimeField(
                auto_now=True, db_index=True, default=django.utils.timezone.now
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="donor",
            name="changed_at",
            field=models.DateTimeField(
                auto_now=True, db_index=True, default=django.utils.timezone.now
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="exchangerate",
            name="changed_at",
            field=models.DateTimeField(
                auto_now=True, db_index=True, default=django.utils.timezone.now
            ),
            preserve_default=False,
        ),
        migrations.RunSQL(
            "UPDATE funding_contribution SET changed_at = updated_at",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            "UPDATE funding_donor SET changed_at = updated_at", reverse_sql=migrations.RunSQL.noop
        ),
        migrations.RunSQL(
            "UPDATE funding_exchangerate SET changed_at = updated_at",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
