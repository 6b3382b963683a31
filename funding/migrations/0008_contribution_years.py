"""Usage years (issue #12, item 4): the year(s) of its plan a contribution is for. Each existing
contribution is for the year of its date (which the services kept inside its plan's period),
with its whole amount: every plan year's figures stay what they were."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


def each_for_the_year_of_its_date(apps, schema_editor):
    Contribution = apps.get_model("funding", "Contribution")
    ContributionYear = apps.get_model("funding", "ContributionYear")
    rows = Contribution.objects.values_list("pk", "contributed_on", "amount", "amount_usd")
    ContributionYear.objects.bulk_create(
        (
            ContributionYear(contribution_id=pk, year=on.year, amount=amount, amount_usd=usd)
            for pk, on, amount, usd in rows.iterator(chunk_size=2000)
        ),
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0007_changed_at"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContributionYear",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1990),
                            django.core.validators.MaxValueValidator(2100),
                        ]
                    ),
                ),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2, max_digits=16, verbose_name="amount (original currency)"
                    ),
                ),
                (
                    "amount_usd",
                    models.DecimalField(
                        decimal_places=2, max_digits=16, verbose_name="amount (USD)"
                    ),
                ),
                (
                    "contribution",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="years",
                        to="funding.contribution",
                    ),
                ),
            ],
            options={
                "verbose_name": "year a contribution is for",
                "ordering": ["contribution", "year"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("contribution", "year"),
                        name="contribution_year_once",
                        violation_error_message="A year is given twice for this contribution.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("amount__gte", 0), ("amount_usd__gte", 0)),
                        name="contribution_year_not_negative",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("year__gte", 1990), ("year__lte", 2100)),
                        name="contribution_year_range",
                    ),
                ],
            },
        ),
        migrations.RunPython(each_for_the_year_of_its_date, migrations.RunPython.noop),
    ]
