"""`changed_at`: when a row's API representation last changed (incremental sync, issue 12).
Backfilled from `updated_at` where the model has one (others: the time of the migration). The
backfill's reverse is a no-op: the column goes with the field."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("objectives", "0004_m2m_history")]

    operations = [
        migrations.AddField(
            model_name="objective",
            name="changed_at",
            field=models.DateTimeField(
                auto_now=True, db_index=True, default=django.utils.timezone.now
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="strategicobjective",
            name="changed_at",
            field=models.DateTimeField(
                auto_now=True, db_index=True, default=django.utils.timezone.now
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="targetgroup",
            name="changed_at",
            field=models.DateTimeField(
                auto_now=True, db_index=True, default=django.utils.timezone.now
            ),
            preserve_default=False,
        ),
        migrations.RunSQL(
            "UPDATE objectives_objective SET changed_at = updated_at",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
