"""python manage.py import_indicators FILE --user NAME [--dry-run]: context indicators (INFORM
Risk and Severity, HDI rank, State of Fragility) from a CSV or XLSX file of country, indicator,
year, value, written to the plans of each country that cover the year, as NAME."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from crp_portal.tables import error_messages
from plans.services_indicators import indicators_file_read, indicators_import


class Command(BaseCommand):
    help = (
        "Import context indicators from a CSV or XLSX file (columns: country, indicator, year, "
        "value; optional of, label, source, source_url). Each row goes to the single-country "
        "plans of its country whose period covers its year, written as --user (an editor of "
        "the country); rows reaching no plan are listed. Nothing is written unless every row is "
        "valid. Idempotent."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="username the plans are edited as")
        parser.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, file: Path, user: str, dry_run: bool, no_progress: bool, **options):
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user “{user}”.")
        try:
            rows = indicators_file_read(name=file.name, content=file.read_bytes())
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        except ValidationError as error:
            raise CommandError(" ".join(error_messages(error))) from error
        with tqdm(
            total=len(rows), unit="row", desc="Importing indicators", disable=no_progress,
            file=self.stderr,
        ) as bar:  # fmt: skip
            report = indicators_import(rows=rows, actor=actor, dry_run=dry_run, progress=bar.update)
        for row in report.rows:
            for message in row.errors:
                self.stdout.write(f"Row {row.row}: {message}")
            if not row.errors:
                reached = ", ".join(row.plans) or "no plan"
                notes = f" ({' '.join(row.notes)})" if row.notes else ""
                self.stdout.write(f"Row {row.row}: {reached}{notes}")
        self.stdout.write(report.summary())
        if report.errors:
            raise CommandError("The file has errors; nothing was written.")
