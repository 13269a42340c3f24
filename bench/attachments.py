"""Attachment text: pypdf against pdfminer.six on Chinese PDFs, and the DOCX reader.

Usage: python bench/attachments.py [--pages 1,10,50] [--font PATH]

PDFs are made here from our own generated sentences, in two shapes: (a) tests/file_makers.py's
minimal PDF (Type0, Identity-H, ToUnicode, no font program), and (b) with fpdf2 and a real CJK
TrueType font embedded as a subset (what Word/WPS exports look like), when fpdf2 and a CJK font
are installed (`pip install fpdf2`; Debian `fonts-wqy-microhei`). For each library: seconds per
document and how much of the text comes back (difflib ratio over the text without whitespace; 1.0
= every character in order). Prints one table; the figures go to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import difflib
import io
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.file_makers import docx_bytes, pdf_bytes

WORDS = [
    "监督",
    "检查",
    "清单",
    "示范",
    "文本",
    "基层",
    "权力",
    "运行",
    "公开",
    "结果",
    "事项",
    "流程",
    "办理",
    "主体",
    "群众",
    "利益",
    "乡镇",
    "纪委",
    "日常",
    "纠正",
    "处理",
    "整改",
    "台账",
    "会议",
    "通报",
    "说明",
    "材料",
    "制度",
    "规定",
    "执行",
    "落实",
    "责任",
    "考核",
    "档案",
    "资金",
    "项目",
    "工程",
    "采购",
    "合同",
    "审批",
    "印章",
    "使用",
    "管理",
    "集体",
    "资产",
    "资源",
    "年度",
    "季度",
    "情况",
    "报告",
]
FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


def sentences(pages: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    return [
        ["".join(rng.choice(WORDS) for _ in range(12)) + "。" for _ in range(30)]
        for _ in range(pages)
    ]


def fpdf_pdf(pages: list[list[str]], font: Path) -> bytes | None:
    try:
        from fpdf import FPDF
    except ImportError:
        return None
    pdf = FPDF()
    pdf.add_font("cjk", fname=str(font))
    pdf.set_font("cjk", size=11)
    for page in pages:
        pdf.add_page()
        for line in page:
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def with_pypdf(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def with_pdfminer(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return str(extract_text(io.BytesIO(data)))


def with_python_docx(data: bytes) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def recall(expected: str, got: str) -> float:
    squash = re.compile(r"\s+")
    a, b = squash.sub("", expected), squash.sub("", got)
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def timed(read: Callable[[bytes], str], data: bytes, repeat: int) -> tuple[float, str]:
    read(data)  # imports and caches out of the timing
    start = time.perf_counter()
    for _ in range(repeat):
        text = read(data)
    return (time.perf_counter() - start) / repeat, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", default="1,10,50")
    parser.add_argument("--font", type=Path, default=None)
    args = parser.parse_args()
    font = args.font or next((Path(f) for f in FONTS if Path(f).exists()), None)
    readers = {"pypdf": with_pypdf, "pdfminer.six": with_pdfminer}
    print(f"{'document':<34} {'bytes':>9}  " + "  ".join(f"{n:>22}" for n in readers))
    for count in (int(n) for n in args.pages.split(",")):
        pages = sentences(count)
        expected = "\n".join(line for page in pages for line in page)
        shapes = {f"minimal PDF, {count} pages": pdf_bytes(pages)}
        if font is not None:
            made = fpdf_pdf(pages, font)
            if made is not None:
                shapes[f"fpdf2 + {font.stem}, {count} pages"] = made
        for label, data in shapes.items():
            cells = []
            for read in readers.values():
                seconds, text = timed(read, data, repeat=3 if count < 50 else 1)
                cells.append(f"{seconds * 1000:9.1f} ms  r={recall(expected, text):.3f}")
            print(f"{label:<34} {len(data):>9}  " + "  ".join(f"{c:>22}" for c in cells))
    paragraphs = [line for page in sentences(10) for line in page]
    data = docx_bytes(paragraphs)
    seconds, text = timed(with_python_docx, data, repeat=5)
    print(
        f"{'DOCX (python-docx), 300 paragraphs':<34} {len(data):>9}  "
        f"{seconds * 1000:9.1f} ms  r={recall(chr(10).join(paragraphs), text):.3f}"
    )


if __name__ == "__main__":
    main()
