"""What a URL's shape says, without a profile: article or list page, its document id, and the
regexes a profile would use for a set of article URLs (`article_url`, `id_pattern`).

Government CMSs name article pages by a document id (`t20220301_174980.html`,
`content_6690471.htm`, `art_17_123135.html`, `/info/1896/76730.htm`, `page.php?xuh=48306`,
`article<32 hex>.html`) and list pages by a folder or an index (`/scdcn/`, `index_2.html`,
`node_122866.htm`, `list-5.html?page=2`), SITES.md §1 and §4. These functions read those shapes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import PurePosixPath
from urllib.parse import parse_qsl, urlsplit

_DIGITS_RE = re.compile(r"\d+")
# A hex document id: 32 characters (an MD5 or UUID, 河南 `article<32 hex>.html`, 四川 2022), or
# another run of ≥ 16 standing alone; it has digits and letters both.
_HEX = (
    r"(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])"
    r"(?:[0-9a-f]{32}(?![0-9a-z])|(?<![0-9a-z])[0-9a-f]{16,}(?![0-9a-z]))"
)
_HEX_RE = re.compile(_HEX, re.I)
# Query parameters that page or filter a list, never name a document.
PAGING_PARAMS = frozenset(
    {
        "page", "pagenum", "pageno", "pageindex", "pagesize", "perpage", "cur_page", "curpage",
        "currpage", "p", "pn", "nbegin", "ncount", "start", "offset", "limit", "size", "uid",
    }
)  # fmt: skip
# Query parameters that name a category or site section, not a document (`news.php?cid=15`).
CATEGORY_PARAMS = frozenset(
    {
        "cid", "catid", "cat_id", "cateid", "classid", "columnid", "channelid", "sortid", "type",
        "typeid", "nodeid", "colid", "siteid", "site_id", "webid", "unitid",
    }
)  # fmt: skip
# File stems of list (not article) pages: index, index_2, list1, list_15_2, node_122866_2,
# default, iList, zwgklist, newslist.
_LIST_STEM_RE = re.compile(
    r"^(?:\w*list|index|default|more|node|column|channel|category|col)(?:[_-]?\d+)*$", re.I
)
_PAGE_EXTENSIONS = frozenset(
    {"", ".html", ".htm", ".shtml", ".jhtml", ".xhtml", ".php", ".jsp", ".asp", ".aspx", ".do"}
)
NOT_PAGES = frozenset(
    {
        ".js", ".css", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".svg", ".webp", ".swf",
        ".mp4", ".mp3", ".flv", ".woff", ".woff2", ".ttf", ".xml", ".json",
    }
)  # fmt: skip
_DATE_PATH_RE = re.compile(
    r"(?:^|[/_t])(?:19|20)\d{2}(?:[-/]?[01]?\d)(?:[-/]?[0-3]?\d)?(?:[/_.]|$)|/(?:19|20)\d{2}/\d{1,2}/"
)


def _stem_and_suffix(path: str) -> tuple[str, str]:
    name = PurePosixPath(path).name
    suffix = PurePosixPath(name).suffix.lower()
    return (name[: -len(suffix)] if suffix else name), suffix


def is_page_url(url: str) -> bool:
    """False for scripts, styles, images and media: links that never lead to a page."""
    return _stem_and_suffix(urlsplit(url).path)[1] not in NOT_PAGES


def _document_query_value(query: str) -> tuple[str, str] | None:
    """(key, value) of the last all-digit query value (≥ 2 digits) that is not a paging key."""
    found = None
    for key, value in parse_qsl(query, keep_blank_values=True):
        lowered = key.lower()
        if value.isdigit() and len(value) >= 2 and lowered not in PAGING_PARAMS | CATEGORY_PARAMS:
            found = (key, value)
    return found


def document_id(url: str) -> str | None:
    """The document id a URL carries, or None (a list page, a folder, a name without digits).

    The last run of ≥ 3 digits (or of ≥ 16 hex characters) in the file name, else the last
    numeric query value that is not a paging parameter (`page.php?xuh=48306` → 48306)."""
    parts = urlsplit(url)
    stem, suffix = _stem_and_suffix(parts.path)
    if suffix not in _PAGE_EXTENSIONS or parts.path.endswith("/"):
        stem = ""
    if stem and not _LIST_STEM_RE.match(stem):
        hex_ids = _HEX_RE.findall(stem)
        if hex_ids:
            return str(hex_ids[-1]).lower()
        runs = [str(r) for r in _DIGITS_RE.findall(stem) if len(r) >= 3]
        if runs:
            return runs[-1]
    found = _document_query_value(parts.query)
    return found[1] if found else None


def looks_like_list_url(url: str) -> bool:
    """A folder, an index/list/node page or a numbered page of one (`index_2.html`)."""
    parts = urlsplit(url)
    stem = _stem_and_suffix(parts.path)[0]
    if parts.path.endswith("/") or not stem:
        return not _document_query_value(parts.query)
    return bool(_LIST_STEM_RE.match(stem)) and not _document_query_value(parts.query)


def looks_like_article_url(url: str) -> bool:
    """The URL names one document: an id in the file name or query, or a dated path."""
    if looks_like_list_url(url):
        return False
    return document_id(url) is not None or bool(_DATE_PATH_RE.search(urlsplit(url).path))


def url_shape(url: str) -> str:
    """The path (and query keys) with every number and long hex run replaced by `#`:
    `/scdcn/zggb/zjsc/202603/t20260312_470231.html` → `/scdcn/zggb/zjsc/#/t#_#.html`."""
    parts = urlsplit(url)
    path = _DIGITS_RE.sub("#", _HEX_RE.sub("#", parts.path))
    keys = "&".join(f"{k}=#" if v.isdigit() else f"{k}={v}" for k, v in parse_qsl(parts.query))
    return path + (f"?{keys}" if keys else "")


def folder_of(url: str) -> str:
    """The URL's folder path (`/scdcn/zggb/zjsc/` for …/zjsc/index.html and …/zjsc/)."""
    path = urlsplit(url).path or "/"
    return path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"


# ---- regexes for a set of article URLs ---------------------------------------------------------


def _literal(text: str) -> str:
    return re.escape(text).replace("\\-", "-")


def _generalize(segment: str) -> str:
    """One path segment as a regex: hex ids `[0-9a-f]+`, numbers `\\d+`, the rest literal."""
    out, last = [], 0
    for match in re.finditer(_HEX + r"|\d+", segment, re.I):
        out.append(_literal(segment[last : match.start()]))
        out.append(r"\d+" if match[0].isdigit() else "[0-9a-f]+")
        last = match.end()
    out.append(_literal(segment[last:]))
    return "".join(out)


def _query_regex(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    if not pairs:
        return ""
    number = r"\d+"
    parts = [f"{_literal(k)}={number if v.isdigit() else _literal(v)}" for k, v in pairs]
    return r"\?" + "&".join(parts)


def article_url_regex(urls: Sequence[str], column_urls: Sequence[str] = ()) -> str | None:
    """A regex (searched, `$`-anchored) matching these article URLs and their kind, not the
    column: `/\\d+/t\\d+_\\d+\\.html$` for TRS, `/page\\.php\\?xuh=\\d+$` for 海南.

    Segments are aligned from the end; one that differs between URLs becomes `[^/]+`, numbers
    `\\d+`; leading segments that only repeat a column's own path (or match anything) are
    dropped, so the regex also fits the site's other columns. None without URLs."""
    if not urls:
        return None
    column_segments = {s for u in column_urls for s in urlsplit(u).path.split("/") if s}
    by_query: dict[str, list[list[str]]] = {}
    for url in urls:
        parts = urlsplit(url)
        segments = [_generalize(s) for s in parts.path.split("/")[1:]]
        by_query.setdefault(_query_regex(parts.query), []).append(segments)
    alternatives = []
    for query, paths in by_query.items():
        depth = min(len(p) for p in paths)
        tail = []
        for i in range(depth, 0, -1):
            values = {p[-i] for p in paths}
            tail.append(values.pop() if len(values) == 1 else "[^/]+")
        raw_tail = [s.replace("\\", "") for s in tail]
        while len(tail) > 1 and (tail[0] == "[^/]+" or raw_tail[0] in column_segments):
            tail, raw_tail = tail[1:], raw_tail[1:]
        alternatives.append("/" + "/".join(tail) + query + "$")
    unique = sorted(set(alternatives))
    return unique[0] if len(unique) == 1 else "(?:" + "|".join(unique) + ")"


def _id_regexes(url: str) -> list[str]:
    """Id regexes one URL suggests, the tightest first: group 1 is `document_id(url)`. A file
    name whose text around the id varies (广西 `gxjjw59a61d0a-126810.shtml`) needs the loose one."""
    doc = document_id(url)
    if doc is None:
        return []
    parts = urlsplit(url)
    stem, suffix = _stem_and_suffix(parts.path)
    group = "([0-9a-f]+)" if not doc.isdigit() else r"(\d+)"
    at = stem.lower().rfind(doc)
    if at >= 0:
        before, after = stem[:at], stem[at + len(doc) :]
        tail = _generalize(after) + _literal(suffix) + "$"
        return ["/" + _generalize(before) + group + tail, "/[^/]*?" + group + tail]
    found = _document_query_value(parts.query)
    return [rf"[?&]{_literal(found[0])}={group}(?:&|$)"] if found else []


def _fits(pattern: str, urls: list[str]) -> bool:
    """Every URL gives its document id under `pattern`, and distinct URLs distinct ids."""
    compiled = re.compile(pattern)
    ids = []
    for url in urls:
        match = compiled.search(url)
        if not match or match[1].lower() != document_id(url):
            return False
        ids.append(match[1])
    return len(set(ids)) == len(ids)


def infer_id_pattern(urls: Sequence[str]) -> str | None:
    """An `id_pattern` (group 1 = the document id) that every URL given agrees on and that
    gives distinct URLs distinct ids; None when the URLs carry no id or disagree."""
    unique = list(dict.fromkeys(urls))
    for rank in (0, 1):
        proposals = Counter(r[rank] for u in unique if len(r := _id_regexes(u)) > rank)
        if proposals:
            pattern = proposals.most_common(1)[0][0]
            if _fits(pattern, unique):
                return pattern
    return None
