"""Search text: script folding, query terms, the 1–2 character gram tokens, snippets.

Both the archive text and the query are folded to simplified script (OpenCC t2s, character for
character), so 開除黨籍 and 开除党籍 are the same search. Terms of three or more characters go to
the trigram index; shorter ones (党, 留置) to a unigram+bigram token index, because a trigram
index cannot find them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from govcrawler.cleaning.script import to_simplified

#: Terms shorter than this are looked up in the gram index instead of the trigram index.
TRIGRAM_MIN = 3


def fold(text: str) -> str:
    """The searchable form of archive text or a query: simplified script."""
    return to_simplified(text)


_WORD_RE = re.compile(r"[^\W_]+")  # runs of letters/digits: what unicode61 keeps as tokens


#: Prefix of a title's gram tokens, so one token list holds both fields apart. A private-use
#: character: never in archive text, and a token character for FTS5's unicode61 tokenizer.
TITLE_MARK = "\ue000"
#: … and of the attachment text's gram tokens.
FILES_MARK = "\ue001"


def attachment_text(record: dict[str, Any]) -> str:
    """The text of a record's attachments (PDF and Word files, schema_version 4), one after the
    other; "" for a record without any (older records, tombstones)."""
    entries = record.get("attachments")
    if not isinstance(entries, list):
        return ""
    texts = [e["text"] for e in entries if isinstance(e, dict) and isinstance(e.get("text"), str)]
    return "\n".join(texts)


def grams(folded: str, mark: str = "") -> str:
    """Distinct 1- and 2-character tokens of `folded` (letters/digits only), space-separated,
    each prefixed with `mark`.

    Stored in an FTS5 table with the unicode61 tokenizer, so a 1–2 character term is one token
    lookup. A pair spanning punctuation or a line break is not a token: 纪。委 never matches 纪委.
    """
    tokens: set[str] = set()
    for run in _WORD_RE.findall(folded.lower()):
        tokens.update(run)
        tokens.update(map(str.__add__, run, run[1:]))
    return mark + (" " + mark).join(tokens) if tokens else ""


def grams_match(terms: tuple[str, ...], field: str | None) -> str:
    """The FTS5 query on the gram tokens for short `terms`, in the title, the body or (no
    field) any of title, body and attachment text."""
    parts = []
    for term in terms:
        title, body = fts_phrase(TITLE_MARK + term), fts_phrase(term)
        files = fts_phrase(FILES_MARK + term)
        parts.append(
            {"title": title, "body": body}.get(field or "", f"({title} OR {body} OR {files})")
        )
    return " AND ".join(parts)


@dataclass(frozen=True)
class Terms:
    """A query split into terms (all must match), folded, by the index that answers each."""

    folded: tuple[str, ...]

    @property
    def long(self) -> tuple[str, ...]:
        return tuple(t for t in self.folded if len(t) >= TRIGRAM_MIN)

    @property
    def short(self) -> tuple[str, ...]:
        return tuple(t.lower() for t in self.folded if len(t) < TRIGRAM_MIN)


def parse_terms(text: str | None) -> Terms:
    """Whitespace separates terms; every term must occur. Raises ValueError for unusable terms."""
    folded = tuple(fold(t) for t in (text or "").split())
    for term in folded:
        if len(term) < TRIGRAM_MIN and not term.isalnum():
            raise ValueError(
                f"search term {term!r}: a 1–2 character term must be letters or digits "
                "(punctuation is only searchable inside a longer term)"
            )
    return Terms(folded)


def fts_phrase(term: str) -> str:
    """An FTS5 string literal: the term as one phrase."""
    return '"' + term.replace('"', '""') + '"'


_SPACE_RE = re.compile(r"\s+")


def snippet(text: str, terms: Terms, width: int = 60) -> tuple[str, list[tuple[int, int]]]:
    """A window of `text` around the first match and the (start, end) spans of every match in it.

    Matching is done on the folded text; OpenCC t2s maps character for character, so positions
    carry over to the original (when a conversion ever changes the length, the folded text is shown).
    """
    flat = _SPACE_RE.sub(" ", text).strip()
    folded = fold(flat)
    shown = flat if len(folded) == len(flat) else folded
    haystack = folded.lower()
    needles = [t.lower() for t in terms.folded]
    first = min((i for n in needles if (i := haystack.find(n)) >= 0), default=0)
    start = max(0, first - width // 4)
    end = min(len(shown), start + width)
    start = max(0, min(start, end - width))
    spans: list[tuple[int, int]] = []
    for needle in needles:
        i = haystack.find(needle, start)
        while 0 <= i < end:
            spans.append((i - start, min(i + len(needle), end) - start))
            i = haystack.find(needle, i + len(needle))
    window = shown[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(shown) else ""
    offset = len(prefix)
    spans = sorted((a + offset, b + offset) for a, b in spans)
    return prefix + window + suffix, _merge(spans)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def mark(text: str, spans: list[tuple[int, int]], before: str, after: str) -> str:
    """`text` with each span wrapped in before/after (ANSI codes on a terminal, brackets else)."""
    out: list[str] = []
    pos = 0
    for a, b in spans:
        out += [text[pos:a], before, text[a:b], after]
        pos = b
    out.append(text[pos:])
    return "".join(out)
