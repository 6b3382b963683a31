"""python manage.py import_contributions FILE [--dry-run]: a CSV or XLSX file of contributions,
recorded or corrected by reference through funding.services, all rows or none."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from crp_portal.tables import error_messages
from funding.imports.contributions import contributions_file_read
from funding.services import contributions_import


class Command(BaseCommand):
    help = (
        "Import contributions from a CSV or XLSX file (columns: reference, donor, plan, amount, "
        "currency, status, contributed_on; optional objective, intervention, units_per_usd). "
        "A known reference is corrected, an unchanged one left alone; nothing is written unless "
        "every row is valid. Idempotent."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file: Path, dry_run: bool, no_progress: bool, **options) -> None:
        try:
            rows = contributions_file_read(name=file.name, content=file.read_bytes())
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        except ValidationError as error:
            raise CommandError(" ".join(error_messages(error))) from error
        with tqdm(
            total=len(rows), unit="row", desc="Importing contributions", disable=no_progress,
            file=self.stderr,
        ) as bar:  # fmt: skip
            report = contributions_import(rows=rows, dry_run=dry_run, progress=bar.update)
        for row, message in report.errors:
            self.stdout.write(f"Row {row}: {message}")
        self.stdout.write(report.summary())
        if report.errors:
            raise CommandError("The file has errors; nothing was written.")
