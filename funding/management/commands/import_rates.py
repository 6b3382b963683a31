"""python manage.py import_rates FILE [--format ecb|csv] [--dry-run]: exchange rates from the
ECB's euro reference-rate CSV or a plain `date,currency,units_per_usd` file, all or none."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from crp_portal.tables import error_messages
from funding.imports.rates import FORMATS, rates_file_import


class Command(BaseCommand):
    help = (
        "Import exchange rates (units per USD): --format ecb reads the ECB's eurofxref CSV "
        "(units per EUR, converted), --format csv reads date,currency,units_per_usd (CSV or "
        "XLSX). A day's recorded rate is replaced when different. Idempotent."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=FORMATS, default="csv", dest="fmt")
        parser.add_argument("--dry-run", action="store_true", help="check the file, write nothing")

    def handle(self, *args, file: Path, fmt: str, dry_run: bool, **options) -> None:
        try:
            report = rates_file_import(
                name=file.name, content=file.read_bytes(), fmt=fmt, dry_run=dry_run
            )
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        except ValidationError as error:
            raise CommandError(" ".join(error_messages(error))) from error
        for note in report.notes:
            self.stdout.write(note)
        for row, message in report.errors:
            self.stdout.write(f"Row {row}: {message}")
        self.stdout.write(report.summary())
        if report.errors:
            raise CommandError("The file has errors; nothing was written.")
        if dry_run:
            self.stdout.write("A dry run: nothing was written.")
