# The withdrawn status (issue #15, item 3): a reviewer takes a plan out of public view; archived
# plans stay public. Only the choices change: no row is rewritten.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0005_last_updated_on_first_published_required"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalplan",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("in_review", "In review"),
                    ("published", "Published"),
                    ("archived", "Archived"),
                    ("withdrawn", "Withdrawn"),
                ],
                db_index=True,
                default="draft",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="plan",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("in_review", "In review"),
                    ("published", "Published"),
                    ("archived", "Archived"),
                    ("withdrawn", "Withdrawn"),
                ],
                db_index=True,
                default="draft",
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="plantransition",
            name="from_status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("in_review", "In review"),
                    ("published", "Published"),
                    ("archived", "Archived"),
                    ("withdrawn", "Withdrawn"),
                ],
                max_length=16,
            ),
        ),
        migrations.AlterField(
            model_name="plantransition",
            name="to_status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("in_review", "In review"),
                    ("published", "Published"),
                    ("archived", "Archived"),
                    ("withdrawn", "Withdrawn"),
                ],
                max_length=16,
            ),
        ),
    ]
