"""Profile selectors: CSS (parsel's dialect, `::text`/`::attr()`) or `xpath:…`, compiled once."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from parsel.csstranslator import css2xpath


class SelectorError(ValueError):
    """A selector that neither parsel's CSS nor lxml's XPath accepts."""


@dataclass(frozen=True)
class CompiledSelector:
    source: str
    xpath: etree.XPath

    def select(self, root: etree._Element) -> list[object]:
        result = self.xpath(root)
        return list(result) if isinstance(result, list) else [result]


def compile_selector(source: str) -> CompiledSelector:
    """`xpath:<expr>` or a CSS selector → a compiled XPath; raises SelectorError when invalid."""
    try:
        expr = source[6:] if source.startswith("xpath:") else css2xpath(source)
        return CompiledSelector(source, etree.XPath(expr))
    except Exception as exc:  # cssselect and lxml raise several unrelated types
        raise SelectorError(f"invalid selector {source!r}: {exc}") from exc
