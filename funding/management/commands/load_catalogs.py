"""Load or refresh every catalog (countries, regions, strategic objectives, sectors, ...)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from funding import catalogs as funding_catalogs
from interventions import catalogs as intervention_catalogs
from objectives import catalogs as objective_catalogs
from plans import catalogs as plan_catalogs


class Command(BaseCommand):
    help = "Load the catalogs from pycountry and the organisation's lists. Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        countries = plan_catalogs.load()
        objective_catalogs.load()
        intervention_catalogs.load()
        currencies = funding_catalogs.load()
        self.stdout.write(f"Catalogs loaded: {countries} countries, {currencies} currencies.")
