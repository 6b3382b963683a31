"""Fail when a project module is over 600 lines, migrations and tests aside (STYLE §1: a module
past ~600 lines becomes a package). Run by `make lint`."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 600
SKIPPED = {".venv", "var", "migrations", "tests", "node_modules", ".git"}


def main() -> int:
    too_long = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if SKIPPED & set(relative.parts[:-1]):
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > LIMIT:
            too_long.append((lines, relative))
    for lines, relative in too_long:
        print(f"{relative}: {lines} lines (over {LIMIT}: split it by job)")
    return 1 if too_long else 0


if __name__ == "__main__":
    sys.exit(main())
