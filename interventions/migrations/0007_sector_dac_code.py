"""Sectors carry their OECD DAC purpose code for the IATI export (issue 14, item 5); the shipped
sectors get theirs. Reversible: the reverse clears the codes it set (where unchanged)."""

import django.core.validators
from django.db import migrations, models


def load(apps, schema_editor):
    from interventions import catalogs

    catalogs.dac_codes_load(apps)


def unload(apps, schema_editor):
    from interventions import catalogs

    catalogs.dac_codes_unload(apps)


class Migration(migrations.Migration):
    dependencies = [("interventions", "0006_intervention_country")]

    operations = [
        migrations.AddField(
            model_name="sector",
            name="dac_code",
            field=models.CharField(
                blank=True,
                help_text="OECD DAC 5-digit purpose code (CRS), e.g. 72010; empty when none fits "
                "(the IATI export then uses the organisation's own vocabulary).",
                max_length=5,
                null=True,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[0-9]{5}\\Z", "Enter the 5-digit OECD DAC purpose code."
                    )
                ],
                verbose_name="DAC code",
            ),
        ),
        migrations.RunPython(load, unload),
    ]
