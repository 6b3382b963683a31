"""`changed_at`: when a row's API representation last changed (incremental sync, issue 12).
Backfilled from `updated_at` where the model has one (others: the time of the migration). The
backfill's reverse is a no-op: the column goes with the field."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("interventions", "0007_sector_dac_code")]

    operations = [
        migrations.AddField(
            model_name="intervention",
            name="changed_at",
            field=models.DateTimeField(
                auto_now=True, db_index=True, default=django.utils.timezone.now
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="plantype",
            name="changed_at",
            field=models.DateTimeField(
                auto_now=True, db_index=True, default=django.utils.timezone.now
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="sector",
            name="changed_at",
            field=models.DateTimeField(
                auto_now=True, db_index=True, default=django.utils.timezone.now
            ),
            preserve_default=False,
        ),
        migrations.RunSQL(
            "UPDATE interventions_intervention SET changed_at = updated_at",
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
