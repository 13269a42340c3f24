"""A site's captures as a redesign would serve them: for testing that crawls survive redesigns.

A CMS redesign keeps the URLs and the text and changes the markup: every class and id renamed,
lists rebuilt from other tags (`ul/li` → `div/p`, `table` → `div`), blocks wrapped in new
boxes. `redesign_html` does that to one page (deterministically: the same seed gives the same
names), `redesign_captures` to a capture folder (fixtures/README.md format), keeping the URLs,
headers, encodings and `.expected.json` files, so the same expectations can be checked against
the redesigned copy.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from lxml import html as lxml_html
from lxml.html import HtmlElement

from govcrawler.archive.capture_files import CAPTURE_SUFFIX, read_capture
from govcrawler.extraction.article import parse_html
from govcrawler.extraction.decode import decode_html

# Old tag → new tag; the element's children stay.
_BLOCK_TAGS = {
    "ul": "div", "ol": "div", "dl": "div", "table": "div", "tbody": "div", "thead": "div",
    "tfoot": "div", "tr": "div",
}  # fmt: skip
# Entries: a paragraph when they hold only inline content, else a box.
_ENTRY_TAGS = ("li", "dt", "dd", "td", "th")
_INLINE = frozenset(
    {"a", "span", "em", "i", "b", "strong", "font", "img", "br", "small", "label", "script"}
)
# Containers wrapped in a new box (a redesign's extra layout level).
_WRAPPED = frozenset({"ul", "ol", "dl", "table", "section", "article", "header", "footer", "nav"})


def _new_name(old: str, seed: str, kind: str) -> str:
    digest = hashlib.sha256(f"{seed}:{kind}:{old}".encode()).hexdigest()[:8]
    return f"r{digest}"


def _only_inline(node: HtmlElement) -> bool:
    return all(isinstance(c.tag, str) and c.tag in _INLINE for c in node.iterchildren())


def redesign_tree(root: HtmlElement, seed: str = "redesign") -> None:
    """Rewrite a parsed page in place (see the module doc)."""
    body = root.find("body")
    if body is None:
        return
    for node in list(body.iter()):
        if not isinstance(node.tag, str):
            continue
        _rename(node, seed)
        old_tag = node.tag
        if old_tag in ("script", "style"):
            continue
        if old_tag in _WRAPPED:
            parent = node.getparent()
            if parent is not None:
                box = lxml_html.Element("div")
                parent.replace(node, box)
                box.tail, node.tail = node.tail, None
                box.append(node)
                box.set("class", _new_name(f"wrap-{old_tag}", seed, "class"))
        if old_tag in _BLOCK_TAGS:
            node.tag = _BLOCK_TAGS[old_tag]
        elif old_tag in _ENTRY_TAGS:
            node.tag = "p" if _only_inline(node) else "div"
        for attr in ("colspan", "rowspan", "cellpadding", "cellspacing", "valign", "width"):
            node.attrib.pop(attr, None)


def _rename(node: HtmlElement, seed: str) -> None:
    classes = (node.get("class") or "").split()
    if classes:
        node.set("class", " ".join(_new_name(c, seed, "class") for c in classes))
    if node.get("id"):
        node.set("id", _new_name(node.get("id") or "", seed, "id"))


def redesign_html(html: str, seed: str = "redesign") -> str:
    """A page's HTML as a redesign would serve it (see the module doc)."""
    root = parse_html(html)
    if root is None:
        return html
    redesign_tree(root, seed)
    doctype = root.getroottree().docinfo.doctype or "<!DOCTYPE html>"
    return doctype + "\n" + str(lxml_html.tostring(root, encoding="unicode", method="html"))


def redesign_body(body: bytes, content_type: str | None, seed: str = "redesign") -> bytes:
    """A served HTML body redesigned, in the encoding it was served in."""
    decoded = decode_html(body, content_type)
    return redesign_html(decoded.text, seed).encode(decoded.encoding, "xmlcharrefreplace")


def redesign_captures(source: Path, target: Path, seed: str = "redesign") -> list[Path]:
    """Copy a capture folder to `target` with every HTML page redesigned; other bodies, the
    sidecars and the expected files are copied as they are. Returns the redesigned bodies."""
    changed = []
    for path in sorted(source.rglob("*")):
        if path.is_dir():
            continue
        out = target / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, out)
    for sidecar in sorted(target.rglob(f"*{CAPTURE_SUFFIX}")):
        capture = read_capture(sidecar)
        kind = (capture.content_type or "text/html").split(";")[0].strip().lower()
        if kind != "text/html" or capture.body_path.suffix not in (".html", ".htm"):
            continue
        capture.body_path.write_bytes(redesign_body(capture.body, capture.content_type, seed))
        changed.append(capture.body_path)
    return changed
