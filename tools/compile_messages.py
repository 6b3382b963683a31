"""Compile locale/<lang>/LC_MESSAGES/django.po files into the .mo files Django reads, with Babel
(`make messages`; no GNU gettext needed). Fuzzy entries are left out, as msgfmt does.

Not `pybabel compile`: its checks take the percent sign of "25 % funded" for a format ("% f")
and refuse the catalog. crp_portal/tests/test_translations.py checks what matters instead:
every template string translated, with the same named placeholders.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def compile_po(po: Path) -> Path:
    language = po.parent.parent.name
    with po.open("rb") as source:
        catalog = read_po(source, locale=language)
    mo = po.with_suffix(".mo")
    with mo.open("wb") as target:
        write_mo(target, catalog)
    return mo


if __name__ == "__main__":
    for name in sys.argv[1:] or sorted(str(p) for p in Path("locale").glob("*/LC_MESSAGES/*.po")):
        print(f"compiled {compile_po(Path(name))}")
