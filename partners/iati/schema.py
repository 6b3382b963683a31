"""Validation of an export against the IATI 2.03 activity schema, copied into xsd/ (with its
README) so that it needs no network. The schema's xsd:sequence also enforces IATI's rule that
elements appear in the schema's order."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

XSD_DIR = Path(__file__).resolve().parent / "xsd"
ACTIVITIES_XSD = XSD_DIR / "iati-activities-schema.xsd"


class IatiInvalid(ValueError):
    """The document does not validate; `errors` lists the schema's messages with their lines."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors[:5]))


@lru_cache(maxsize=1)
def activities_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(ACTIVITIES_XSD)))


def iati_errors(document: etree._ElementTree) -> list[str]:
    """The schema's complaints about the document (none: it validates)."""
    schema = activities_schema()
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def iati_validate(document: etree._ElementTree) -> None:
    """Raise IatiInvalid unless the document validates against the 2.03 activity schema."""
    errors = iati_errors(document)
    if errors:
        raise IatiInvalid(errors)
