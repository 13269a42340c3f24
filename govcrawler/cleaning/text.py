"""Whitespace and line normalisation shared by every extractor."""

from __future__ import annotations

import re

# Every kind of space a Chinese government page uses: ASCII, NBSP (&nbsp;), ideographic U+3000,
# zero-width and BOM characters left over from Word pastes.
_SPACE_RE = re.compile(r"[\s\u00a0\u3000\u2002-\u200a\u202f\u205f]+")
_INVISIBLE_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")


def normalize_space(text: str) -> str:
    """Trim and collapse every whitespace run to one ASCII space; drop invisible characters."""
    return _SPACE_RE.sub(" ", _INVISIBLE_RE.sub("", text)).strip()


def clean_lines(lines: list[str]) -> list[str]:
    """Normalise each line and drop the empty ones."""
    out = []
    for line in lines:
        norm = normalize_space(line)
        if norm:
            out.append(norm)
    return out
