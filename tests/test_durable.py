"""The run file's lines: one JSON object per record, exactly the line a Scrapy `-O file.jsonl`
feed writes, from a record dict that is a copy (export/durable.py, item.py)."""

from __future__ import annotations

import dataclasses
import json
from io import BytesIO
from pathlib import Path
from typing import Any

from scrapy.exporters import JsonLinesItemExporter

from govcrawler.export.durable import DurableJsonlWriter
from govcrawler.item import Article, Tombstone, new_attachment, new_image


def records() -> list[Article | Tombstone | dict[str, Any]]:
    image = new_image("https://www.example.gov.cn/a/1.jpg", "现场照片「一」")
    attachment = new_attachment("https://www.example.gov.cn/a/决定.pdf", "处分决定")
    attachment.update(size=1234, sha256="ab" * 32, text='第一条\n"引号"与\\反斜杠\t')
    article = Article(
        id="example:1",
        site="example",
        site_name="某省纪委监委",
        url="https://www.example.gov.cn/a/1.html",
        column="审查调查",
        title="某某接受纪律审查和监察调查",
        published_at="2026-12-01T09:30:00+08:00",
        source="某省纪委监委网站",
        author=None,
        editor="王某",
        body="第一段。\n\n第二段：😀 与 \u2028 分隔符。",
        images=[image],
        attachments=[attachment],
        script="zh-Hant",
        warc_offset=0,
    )
    tombstone = Tombstone(
        id="example:2",
        site="example",
        site_name="某省纪委监委",
        url="https://www.example.gov.cn/a/2.html",
        column=None,
        title=None,
        published_at=None,
        fetched_at="2026-12-06T00:00:00Z",
        http_status=410,
        version=3,
        supersedes="cd" * 32,
    )
    return [article, tombstone, {"case": "某某", "actions": ["开除党籍"], "n": 1, "x": None}]


def test_each_line_is_the_line_scrapys_jsonlines_exporter_writes(tmp_path: Path) -> None:
    expected = BytesIO()
    exporter = JsonLinesItemExporter(expected, encoding="utf-8")
    writer = DurableJsonlWriter(tmp_path / "run.jsonl")
    for record in records():
        exporter.export_item(record)
        writer.append(record)
    writer.sync()
    assert writer.close() == tmp_path / "run.jsonl"
    written = (tmp_path / "run.jsonl").read_bytes()
    assert written == expected.getvalue()
    assert [json.loads(line)["site"] for line in written.splitlines()[:2]] == ["example"] * 2


def test_to_dict_is_asdict_and_a_copy() -> None:
    for record in records()[:2]:
        assert isinstance(record, Article | Tombstone)
        plain = record.to_dict()
        assert plain == dataclasses.asdict(record)
        assert list(plain) == [f.name for f in dataclasses.fields(record)]
    article = records()[0]
    assert isinstance(article, Article)
    plain = article.to_dict()
    plain["images"][0]["caption"] = "changed"
    plain["attachments"].clear()
    assert article.images[0]["caption"] == "现场照片「一」" and len(article.attachments) == 1
