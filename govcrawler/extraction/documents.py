"""The text of an attachment: PDF (pypdf) and Word .docx (python-docx), from the file's bytes.

The kind is read from the bytes, not the URL or Content-Type (sites serve PDFs as
`application/octet-stream`, 2018–2026): `%PDF-` near the start, or a ZIP holding
`word/document.xml`. Other files (.doc, .wps, .xls, images, archives) have no text here. pypdf
was chosen over pdfminer.six after measuring both on Chinese PDFs (bench/attachments.py,
BENCHMARKS.md): the same text, 2–4× faster. Both readers are pure Python; the crawl runs this in
a worker thread so a long PDF does not hold up the downloads.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile

import docx
from pypdf import PdfReader

from govcrawler.cleaning.text import normalize_space
from govcrawler.extraction.page_kind import binary_kind

logger = logging.getLogger(__name__)

DOCX_MAIN_PART = "word/document.xml"
_BLANK_RUNS_RE = re.compile(r"\n{2,}")


class DocumentError(ValueError):
    """A PDF or Word file whose text could not be read (damaged, encrypted, unsupported)."""


def document_kind(data: bytes) -> str | None:
    """`pdf`, `docx`, or None for a file with no text reader here (page_kind.binary_kind
    tells a PDF and a ZIP; a ZIP is a .docx when it holds Word's main part)."""
    kind = binary_kind(data)
    if kind == "pdf":
        return "pdf"
    if kind == "zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if DOCX_MAIN_PART in archive.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            return None
    return None


def document_text(data: bytes) -> str | None:
    """The text of a PDF or .docx file, one line per text line or paragraph, blank lines and
    whitespace runs collapsed; None for other files. Raises DocumentError when a PDF or Word file
    cannot be read. An image-only (scanned) PDF gives ""."""
    kind = document_kind(data)
    if kind is None:
        return None
    try:
        lines = _pdf_lines(data) if kind == "pdf" else _docx_lines(data)
    except Exception as exc:  # both libraries raise many unrelated types on damaged files
        raise DocumentError(f"{kind}: {type(exc).__name__}: {exc}") from exc
    text = "\n".join(normalize_space(line) for line in lines)
    return _BLANK_RUNS_RE.sub("\n", text).strip()


def _pdf_lines(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise DocumentError("encrypted with a password")
    lines: list[str] = []
    for page in reader.pages:
        lines += (page.extract_text() or "").splitlines()
    return lines


def _docx_lines(data: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(normalize_space(c.text) for c in row.cells))
    return lines
