"""Extraction quality measures shared by the benchmark and the regression tests.

Body text is compared as character bigrams over letters and digits (Chinese has no word breaks;
a language with spaces is compared as word tokens), and checked for boilerplate leaks.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

_NOT_WORD = re.compile(r"[\W_]+")
_CJK = re.compile(r"[\u3400-\u9fff]")

# Phrases that never belong in an article body (footer, widget, captcha, nav). A phrase counts as
# leaked only when the ground truth does not contain it itself.
LEAK_PHRASES = (
    "版权所有", "版權所有", "ICP备", "ICP備", "公网安备", "公網安備", "技术支持", "技術支持",
    "请输入验证码", "請輸入驗證碼", "手机站", "手機站", "分享到", "上一篇", "下一篇", "返回首页",
    "返回首頁", "打印本页", "关闭窗口", "關閉窗口", "微信扫一扫", "邮政编码", "郵政編碼", "网站地图",
    "往期回顾", "扫一扫", "责任编辑", "相关链接", "相关新闻", "Copyright", "All rights reserved",
)  # fmt: skip


def tokens(text: str) -> Counter[str]:
    """Character bigrams over letters and digits for Chinese text, lower-cased words otherwise."""
    if len(_CJK.findall(text)) * 4 >= len(text.replace(" ", "")) or not text.strip():
        chars = _NOT_WORD.sub("", text)
        return Counter(chars[i : i + 2] for i in range(len(chars) - 1))
    return Counter(w.lower() for w in re.findall(r"\w+", text))


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


def body_score(got: str, truth: str) -> Score:
    a, b = tokens(got), tokens(truth)
    overlap = sum((a & b).values())
    if not overlap:
        return Score(0.0, 0.0, 0.0)
    p, r = overlap / sum(a.values()), overlap / sum(b.values())
    return Score(p, r, 2 * p * r / (p + r))


def leaked_phrases(got: str, truth: str = "", without: tuple[str, ...] = ()) -> list[str]:
    """Boilerplate phrases (and the case's own must-not-appear snippets) present in `got`."""
    leaks = [p for p in LEAK_PHRASES if p in got and p not in truth]
    return leaks + [s for s in without if s and s in got]


@dataclass
class Case:
    """One evaluation page: HTML (raw bytes) and what is known to be right about it."""

    name: str
    html: bytes
    url: str | None
    body: str | None = None
    with_snippets: tuple[str, ...] = ()
    without_snippets: tuple[str, ...] = ()
    fields: dict[str, Any] = field(default_factory=dict)  # title/published_at/source/author
    host: str = ""  # the site the page came from: halves are split by host


FIELD_NAMES = ("title", "published_at", "source", "author")


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def load_cases(folder: Path) -> list[Case]:
    """Cases from `<id>.html[.gz]` + `<id>.json`, or `articles/<id>.html` + `groundtruth/<id>.json`."""
    if (folder / "groundtruth").is_dir():
        pairs = [
            (folder / "articles" / f"{t.stem}.html", t)
            for t in sorted((folder / "groundtruth").glob("*.json"))
        ]
    else:
        pairs = []
        for truth in sorted(folder.glob("*.json")):
            stem = truth.name[: -len(".json")]
            page = next(
                (p for p in (folder / f"{stem}.html", folder / f"{stem}.html.gz") if p.exists()),
                None,
            )
            if page is not None:
                pairs.append((page, truth))
    cases = []
    for page, truth_path in pairs:
        truth = json.loads(truth_path.read_text("utf-8"))
        cases.append(
            Case(
                name=truth_path.stem,
                html=_read(page),
                url=truth.get("url") or None,
                body=truth.get("body"),
                with_snippets=tuple(truth.get("with", ())),
                without_snippets=tuple(truth.get("without", ())),
                # Only ground truth with a displayed title states fields (elsewhere "source" names
                # provenance; corpus/ pages, which carry a `group`, hold the <title> text instead).
                fields=(
                    {k: truth[k] for k in FIELD_NAMES if k in truth}
                    if "title" in truth and "group" not in truth
                    else {}
                ),
                host=truth.get("host") or _host(truth.get("url") or ""),
            )
        )
    return cases


def _host(url: str) -> str:
    return (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()


TUNING, CHECKING = "tuning", "checking"


def split_by_host(cases: list[Case]) -> dict[str, str]:
    """Host → `tuning` or `checking`: hosts in the order of their SHA-256, each to the half with
    fewer pages so far (ties to tuning). Deterministic, blind to the pages' content and scores,
    and every page of a host lands in the same half."""
    pages = Counter(case.host for case in cases)
    sizes = {TUNING: 0, CHECKING: 0}
    halves: dict[str, str] = {}
    for host in sorted(pages, key=lambda h: hashlib.sha256(h.encode()).hexdigest()):
        half = min(sizes, key=lambda k: (sizes[k], k != TUNING))
        halves[host] = half
        sizes[half] += pages[host]
    return halves


def read_split(path: Path) -> dict[str, str]:
    """The committed split (`host<TAB>half` lines, `#` comments)."""
    halves = {}
    for line in path.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            host, half = line.split("\t")
            halves[host] = half
    return halves
