"""The public stylesheet's colour pairs meet WCAG 2.1 AA contrast (4.5:1 for text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

CSS = Path(settings.BASE_DIR) / "static" / "css" / "site.css"
WHITE = "#ffffff"


def _colours() -> dict[str, str]:
    root = re.search(r":root\s*{(.*?)}", CSS.read_text(), re.S).group(1)
    found = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b", root))
    # #555 is #555555
    return {k: v if len(v) == 7 else "#" + "".join(c * 2 for c in v[1:]) for k, v in found.items()}


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_wcag():
    assert round(contrast("#000000", WHITE), 1) == 21.0
    assert round(contrast("#777777", WHITE), 2) == 4.48  # the classic just-failing grey


@pytest.mark.parametrize(
    ("foreground", "background"),
    [
        ("ink", "white"),  # body text
        ("muted", "white"),  # secondary text
        ("muted", "soft"),  # figure labels on the headline cards, the footer
        ("ink", "soft"),  # figures on the headline cards
        ("brand", "white"),  # links
        ("brand", "soft"),  # links in the filter box, inactive year tabs
        ("white", "brand"),  # header, buttons, the active year tab
        ("warn", "white"),  # "Not yet costed"
        ("warn", "soft"),
    ],
)
def test_text_colours_meet_aa(foreground, background):
    colours = {**_colours(), "white": WHITE}
    ratio = contrast(colours[foreground], colours[background])
    assert ratio >= 4.5, f"{foreground} on {background}: {ratio:.2f}:1"


def test_chart_bars_stand_out_from_the_page():
    colours = _colours()
    # Non-text contrast (WCAG 1.4.11): graphical objects need 3:1 against what is next to them.
    assert contrast(colours["received"], WHITE) >= 3
    assert contrast(colours["received"], colours["required"]) >= 3
