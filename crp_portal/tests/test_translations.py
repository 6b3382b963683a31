"""The interface in English, French, Spanish and Arabic (issue #15, item 5): every string of
every template is translated in each language, with the same named placeholders, and the .mo
files Django reads are compiled from the .po files in the repo (`make messages`).

The template strings are found as makemessages finds them (django.utils.translation.template.
templatize), read with Babel's Python extractor: no GNU gettext needed.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_python
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation.template import templatize

ROOT = Path(settings.BASE_DIR)
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def template_files() -> list[Path]:
    return sorted(
        path
        for path in ROOT.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and "node_modules" not in path.parts
    )


def template_messages() -> dict[tuple[str | tuple, str | None], str]:
    """Every translatable string of the templates → where it is: {(msgid, context): file}.
    A plural is (singular, plural)."""
    found = {}
    for path in template_files():
        code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for _line, function, message, _comments in extract_python(
            io.BytesIO(code.encode()), DEFAULT_KEYWORDS.keys(), [], {}
        ):
            if function in ("pgettext", "npgettext"):
                context, *rest = message
                message = rest[0] if len(rest) == 1 else tuple(rest[:2])
            else:
                context = None
                message = message if isinstance(message, str) else tuple(message[:2])
            found[(message, context)] = str(path.relative_to(ROOT))
    return found


def _catalog(language: str):
    with (ROOT / "locale" / language / "LC_MESSAGES" / "django.po").open("rb") as po:
        return read_po(po, locale=language)


def test_the_extraction_finds_the_pages_strings():
    """The test below reads what this finds: it must see plurals and ordinary strings."""
    found = template_messages()
    assert (("Plans", None)) in found
    assert (("%(counter)s published plan", "%(counter)s published plans"), None) in found
    assert len(found) > 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_string_is_translated_with_its_placeholders(language):
    catalog = _catalog(language)
    problems = []
    for (msgid, context), where in sorted(template_messages().items(), key=str):
        entry = catalog.get(msgid, context=context)
        forms = () if entry is None else entry.string
        forms = (forms,) if isinstance(forms, str) else tuple(forms)
        wanted = set(PLACEHOLDER.findall(msgid if isinstance(msgid, str) else msgid[1]))
        if entry is None:
            problems.append(f"{where}: {msgid!r} is not in locale/{language}")
        elif entry.fuzzy or not forms or not all(forms):
            problems.append(f"{where}: {msgid!r} is not translated in {language}")
        elif any(set(PLACEHOLDER.findall(form)) != wanted for form in forms):
            problems.append(f"{where}: {msgid!r} loses or adds a placeholder in {language}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_is_the_po_files(language):
    folder = ROOT / "locale" / language / "LC_MESSAGES"
    po, mo = folder / "django.po", folder / "django.mo"
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, (
        f"{mo} is missing or older than {po.name}: run `make messages`"
    )
