"""python manage.py export_iati FILE: the published plans as an IATI 2.03 activity file, the same
document as GET /api/v1/iati/activities.xml without filters. Validated before it is written;
written whole or not at all (`-` writes to standard output)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partners.iati import NoActivities, iati_export
from partners.iati.schema import IatiInvalid
from plans.models import Plan


class Command(BaseCommand):
    help = (
        "Write the published plans as an IATI 2.03 iati-activities XML file (validated against "
        "the IATI activity schema first). FILE '-' writes to standard output."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="where to write the XML (an existing directory's file)")

    def handle(self, *args, file: str, **options) -> None:
        try:
            body = iati_export(Plan.objects.public())
        except NoActivities as error:
            raise CommandError(
                "No plan is published: an IATI file needs at least one activity; nothing was "
                "written."
            ) from error
        except IatiInvalid as error:
            lines = "\n".join(error.errors[:20])
            message = f"The export does not validate; nothing was written.\n{lines}"
            raise CommandError(message) from error
        if file == "-":
            self.stdout.write(body.decode("utf-8"), ending="")
            return
        path = Path(file)
        _write_whole(path, body)
        count = body.count(b"<iati-activity ")
        self.stdout.write(f"Wrote {count} IATI activities to {path}.")


def _write_whole(path: Path, body: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: a reader never sees half a file."""
    if path.is_dir():
        raise CommandError(f"Cannot write {path}: it is a directory; give a file name.")
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError as error:
        raise CommandError(f"Cannot write {path}: {error.strerror}.") from error
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise CommandError(f"Cannot write {path}: {error.strerror}.") from error
