"""python manage.py import_fts PATH [PATH ...] [--dry-run]: pages saved from FTS's public flow
API; the flows to us become contributions (funding.services.fts_imports)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from crp_portal.tables import error_messages
from funding.imports.fts import fts_pages_read
from funding.services.fts_imports import fts_import


class Command(BaseCommand):
    help = (
        "Import flows from pages saved from FTS's public flow API (/v1/public/fts/flow): those "
        "to our organisation (FTS_ORGANIZATION_ID) become contributions; a re-import updates "
        "newer versions and never duplicates; unmatched flows are listed, never dropped."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, paths: list[Path], dry_run: bool, no_progress: bool, **options):
        try:
            flows = fts_pages_read([(path.name, path.read_bytes()) for path in paths])
        except OSError as error:
            raise CommandError(f"Cannot read {error.filename}: {error.strerror}.") from error
        except ValidationError as error:
            raise CommandError(" ".join(error_messages(error))) from error
        with tqdm(
            total=len(flows), unit="flow", desc="Importing FTS flows", disable=no_progress,
            file=self.stderr,
        ) as bar:  # fmt: skip
            report = fts_import(flows=flows, dry_run=dry_run, progress=bar.update)
        for flow, reason in report.unmatched:
            self.stdout.write(f"Unmatched flow {flow.id} ({flow.amount_usd:,.0f} USD): {reason}")
        self.stdout.write(report.summary())
