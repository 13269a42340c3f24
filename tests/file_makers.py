"""Tiny documents made by our own code, for attachment fixtures and tests: a PDF, a DOCX, a PNG.

Deterministic bytes (no timestamps), so the committed fixture files can be checked against what
these functions make (tests/test_files.py). The PDF is shaped like what Word/WPS export for
Chinese text: a Type0 font with Identity-H encoding and a ToUnicode CMap (text extraction reads
the CMap), but without an embedded font program, which keeps it a few hundred bytes.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any


def pdf_bytes(pages: list[list[str]]) -> bytes:
    """A PDF with one page per list of lines; every character gets its own CID."""
    chars = sorted({c for page in pages for line in page for c in line})
    cid = {c: i + 1 for i, c in enumerate(chars)}
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree exists
    tree = add(b"")
    bfchar = b"".join(b"<%04X> <%04X>\n" % (cid[c], ord(c)) for c in chars if ord(c) <= 0xFFFF)
    cmap = (
        b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        b"/CMapName /GovcrawlerTest-UTF16 def\n/CMapType 2 def\n"
        b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + b"%d beginbfchar\n" % len(chars)
        + bfchar
        + b"endbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )
    to_unicode = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap))
    descendant = add(
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GovcrawlerSong"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
        b" /FontDescriptor %d 0 R /DW 1000 /CIDToGIDMap /Identity >>" % (len(objects) + 2)
    )
    add(
        b"<< /Type /FontDescriptor /FontName /GovcrawlerSong /Flags 4"
        b" /FontBBox [0 -120 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120"
        b" /CapHeight 700 /StemV 80 >>"
    )
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /GovcrawlerSong /Encoding /Identity-H"
        b" /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (descendant, to_unicode)
    )
    kids = []
    for page in pages:
        ops = [b"BT /F1 14 Tf 18 TL 72 770 Td"]
        for line in page:
            ops.append(b"<" + b"".join(b"%04X" % cid[c] for c in line) + b"> Tj T*")
        ops.append(b"ET")
        content = b"\n".join(ops)
        stream = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842]"
                b" /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                % (tree, font, stream)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % tree
    objects[tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        xref,
    )
    return bytes(out)


_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def docx_bytes(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    """A minimal Word document: the paragraphs, then an optional table (rows of cells)."""
    body = "".join(f"<w:p><w:r><w:t>{_escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    if table:
        rows = "".join(
            "<w:tr>"
            + "".join(f"<w:tc><w:p><w:r><w:t>{_escape(c)}</w:t></w:r></w:p></w:tc>" for c in row)
            + "</w:tr>"
            for row in table
        )
        body += f"<w:tbl>{rows}</w:tbl>"
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{_W}"><w:body>{body}</w:body></w:document>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as docx:
        for name, text in (
            ("[Content_Types].xml", _DOCX_TYPES),
            ("_rels/.rels", _DOCX_RELS),
            ("word/document.xml", document),
        ):
            docx.writestr(zipfile.ZipInfo(name, date_time=(2026, 11, 20, 8, 0, 0)), text)
    return buffer.getvalue()


def png_bytes(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (180, 30, 40)) -> bytes:
    """A small one-colour PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height, 9))
        + chunk(b"IEND", b"")
    )


def jpeg_bytes(
    width: int = 8, height: int = 6, rgb: tuple[int, int, int] = (90, 120, 160)
) -> bytes:
    """A small one-colour JPEG (Pillow, from the test dependencies)."""
    from PIL import Image  # noqa: PLC0415  (only when the fixture files are made again)

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), rgb).save(buffer, "JPEG", quality=60)
    return buffer.getvalue()


# ---- the files of the replay fixtures (fixtures/<site>/file_*) -------------------------------

#: A word of our own that occurs only inside the PDF of anhui's article 61248 (the query test).
PDF_ONLY_WORD = "斑驳陆离样本词"
#: … and one only inside its Word attachment.
DOCX_ONLY_WORD = "鳞次栉比核对词"

_ANHUI = "http://img.ahjjjc.gov.cn/uploadfiles/340000"
_CCDI = "https://www.ccdi.gov.cn/yaowenn/202603"

#: (site, fixture name, URL, Content-Type, maker): every file a fixture article links that the
#: replay crawls fetch. `python -m tests.file_makers` writes them with their capture.json files.
FIXTURE_FILES: tuple[tuple[str, str, str, str, Any], ...] = (
    (
        "anhui",
        "file_61248_decision",
        f"{_ANHUI}/file/20261120/20261120101210_5532.pdf",
        "application/pdf",
        lambda: pdf_bytes(
            [
                [
                    "违规收受礼金问题处理决定",
                    "一、某镇财政所工作人员在办理补贴发放业务期间收受服务对象礼金，给予党内警告处分。",
                    "二、某村党支部书记在集体工程验收中收受施工方礼金，给予党内严重警告处分。",
                ],
                [f"本决定核验编号：{PDF_ONLY_WORD}。", "区纪委监委第三监督检查室"],
            ]
        ),
    ),
    (
        "anhui",
        "file_61248_notes",
        f"{_ANHUI}/file/20261120/20261120101244_5533.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        lambda: docx_bytes(
            ["整改情况报送说明", f"请于12月31日前报送整改台账，台账封面注明{DOCX_ONLY_WORD}。"],
            [["单位", "整改事项", "完成时限"], ["各乡镇", "自查自纠", "12月31日"]],
        ),
    ),
    (
        "anhui",
        "file_61248_photo",
        f"{_ANHUI}/image/20261120/20261120101533_7710.png",
        "image/png",
        lambda: png_bytes(6, 4, (200, 40, 40)),
    ),
    (
        "anhui",
        "file_61230_notice",
        f"{_ANHUI}/file/20261118/20261118153012_4821.pdf",
        "application/pdf",
        lambda: pdf_bytes([["厅局级干部违反中央八项规定精神问题通报", "（2026年第4期）"]]),
    ),
    (
        "anhui",
        "file_61234_photo",
        f"{_ANHUI}/image/20261119/20261119092715_3306.jpg",
        "image/jpeg",
        lambda: jpeg_bytes(8, 6, (60, 90, 140)),
    ),
    (
        "ccdi",
        "file_470214_list",
        f"{_CCDI}/P020260311538114076329.pdf",
        "application/pdf",
        lambda: pdf_bytes([["基层小微权力监督清单（示范文本）", "一、集体资产资源管理事项"]]),
    ),
    (
        "ccdi",
        "file_470214_notes",
        f"{_CCDI}/P020260311538117325104.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        lambda: docx_bytes(["示范文本填写说明", "各地结合实际细化事项清单。"]),
    ),
    (
        "ccdi",
        "file_470281_photo",
        f"{_CCDI}/W020260318347261590873.jpg",
        "image/jpeg",
        lambda: jpeg_bytes(8, 6, (120, 120, 120)),
    ),
    (
        "ccdi",
        "file_470355_photo",
        "https://www.ccdi.gov.cn/specialn/jzzz/jzzzyxzj/202603/W020260314518836207451.jpg",
        "image/jpeg",
        lambda: jpeg_bytes(8, 6, (30, 60, 30)),
    ),
    (
        "ccdi",
        "file_470310_photo_1",
        f"{_CCDI}/W020260316402718853624.jpg",
        "image/jpeg",
        lambda: jpeg_bytes(8, 6, (150, 100, 50)),
    ),
    (
        "ccdi",
        "file_470310_photo_2",
        f"{_CCDI}/W020260316402731164097.jpg",
        "image/jpeg",
        lambda: jpeg_bytes(8, 6, (50, 100, 150)),
    ),
    (
        "guizhou",
        "file_8509937_photo",
        "http://www.gzdis.gov.cn/gzdt/jlsc/202611/W020261110390125674310.jpg",
        "image/jpeg",
        lambda: jpeg_bytes(8, 6, (10, 80, 160)),
    ),
    (
        "shaanxi",
        "file_91166_photo",
        "https://www.qinfeng.gov.cn/__local/4/3C/9A/1F2E3D4C5B6A79880A1B2C3D4E5_6A7B8C9D_2F1A0.jpg",
        "image/jpeg",
        lambda: jpeg_bytes(8, 6, (160, 20, 90)),
    ),
)


def write_fixture_files(fixtures: Path) -> list[Path]:
    """(Re)write every file of FIXTURE_FILES and its capture.json under `fixtures`."""
    written = []
    for site, name, url, content_type, make in FIXTURE_FILES:
        suffix = url.rsplit(".", 1)[-1]
        body = fixtures / site / f"{name}.{suffix}"
        body.write_bytes(make())
        capture = {
            "url": url,
            "status": 200,
            "headers": {"Content-Type": content_type},
            "fetched_at": "2026-11-20T08:00:00Z",
            "body": body.name,
        }
        (fixtures / site / f"{name}.capture.json").write_text(
            json.dumps(capture, ensure_ascii=False, indent=2) + "\n", "utf-8"
        )
        written.append(body)
    return written


if __name__ == "__main__":
    for path in write_fixture_files(Path(__file__).resolve().parents[1] / "fixtures"):
        print(path)
