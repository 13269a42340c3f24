"""A generated JSONL archive for the query tests and bench/query.py: invented article text in
both scripts, several sites, run files, versions (with `version`/`supersedes`), tombstones
(`removed: true`) and legacy duplicates without `version`. Deterministic for a given seed.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from govcrawler.cleaning.script import _converter

# Sites of the generated archive: key → (name, columns). Text is our own invention.
SITES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ccdi": ("中央纪委国家监委", ("执纪审查", "党纪政务处分", "要闻")),
    "anhui": ("安徽省纪委监委", ("厅局级干部", "县处级及以下")),
    "guangdong": ("广东省纪委监委", ("审查调查", "通报曝光")),
    "fujian": ("福建省纪委监委", ("审查调查", "工作动态")),
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢"
GIVEN = "伟芳敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国志宏海波晓东文辉"
PLACES = ("合肥市", "芜湖市", "广州市", "深圳市", "福州市", "厦门市", "蚌埠市", "汕头市", "泉州市")
ORGS = ("财政局", "自然资源局", "住房和城乡建设局", "交通运输局", "国资委", "人民医院", "教育局")
POSTS = ("原局长", "原副局长", "原党委书记", "原主任", "原副主任", "原总经理")
TITLES = (
    "{place}{org}{post}{name}接受纪律审查和监察调查",
    "{place}{org}{post}{name}被开除党籍和公职",
    "{place}{org}{post}{name}严重违纪违法被“双开”",
    "{place}通报{n}起违反中央八项规定精神问题",
    "{name}受到留党察看处分",
    "{place}召开警示教育大会",
)
SENTENCES = (
    "据{site_name}消息，{place}{org}{post}{name}涉嫌严重违纪违法，目前正接受纪律审查和监察调查。",
    "经查，{name}丧失理想信念，违规收受礼品礼金，利用职务上的便利为他人谋取利益并非法收受财物。",
    "依据有关规定，经研究决定，给予{name}开除党籍处分，按照规定取消其享受的待遇。",
    "将其涉嫌犯罪问题移送检察机关依法审查起诉，所涉财物一并移送。",
    "会议强调，要坚持严的基调，一体推进不敢腐、不能腐、不想腐。",
    "{year}年以来，全市共立案{n}件，处分{m}人。",
    "给予{name}留党察看一年处分。",
    "给予{name}党内严重警告处分。",
    "对{name}进行诫勉谈话。",
    "{name}滥用职权、玩忽职守，涉嫌渎职犯罪，已被依法采取留置措施。",
    "各级党组织要把学习教育同推动发展结合起来，营造风清气正的政治生态。",
    "群众可通过信访举报平台反映问题，纪检监察机关将依规依纪依法处理。",
)


def to_traditional(text: str) -> str:
    return str(_converter("s2t").convert(text))


def sha(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass
class Archive:
    """What was written: every line's record (when kept) and counts for sanity checks."""

    root: Path
    records: list[dict[str, Any]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    articles: int = 0
    lines: int = 0
    bytes: int = 0


def _fill(rng: random.Random, template: str, site_name: str, name: str) -> str:
    return template.format(
        site_name=site_name,
        place=rng.choice(PLACES),
        org=rng.choice(ORGS),
        post=rng.choice(POSTS),
        name=name,
        year=rng.randint(2019, 2025),
        n=rng.randint(2, 60),
        m=rng.randint(2, 60),
    )


def make_article(rng: random.Random, site: str, number: int, published: datetime) -> dict[str, Any]:
    """One schema-shaped record (version 1) with invented text; 30 % in traditional script."""
    site_name, columns = SITES[site]
    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
    title = _fill(rng, rng.choice(TITLES), site_name, name)
    body = "\n".join(
        _fill(rng, s, site_name, name) for s in rng.choices(SENTENCES, k=rng.randint(4, 9))
    )
    column = rng.choice(columns)
    script = "zh-Hant" if rng.random() < 0.3 else "zh-Hans"
    if script == "zh-Hant":
        title, body, column = to_traditional(title), to_traditional(body), to_traditional(column)
    return {
        "id": f"{site}:{number}",
        "site": site,
        "site_name": site_name,
        "url": f"https://www.example.gov.cn/{site}/{published:%Y%m}/t{published:%Y%m%d}_{number}.html",
        "column": column,
        "title": title,
        "published_at": None
        if rng.random() < 0.02
        else published.strftime("%Y-%m-%dT%H:%M:00+08:00"),
        "source": site_name,
        "author": None,
        "editor": None,
        "body": body,
        "images": [],
        "attachments": [],
        "script": script,
        "fetched_at": "",
        "http_status": 200,
        "content_sha256": sha(body),
        "extractor": "profile",
        "version": 1,
        "supersedes": None,
        "schema_version": 2,
    }


def _events(
    rng: random.Random,
    n_articles: int,
    *,
    start: datetime,
    days: int,
    changed: float,
    removed: float,
) -> Iterator[tuple[datetime, str, dict[str, Any]]]:
    """(fetch time, site, record) for every line the archive will hold, unordered."""
    sites = list(SITES)
    for number in range(1, n_articles + 1):
        site = sites[number % len(sites)]
        published = start + timedelta(days=rng.random() * days)
        published = published.replace(second=0, microsecond=0)
        rec = make_article(rng, site, number, published)
        legacy = site == "fujian"  # archived before versioning (schema 1): no `version`
        fetched = published + timedelta(hours=rng.randint(1, 30))
        if legacy:
            del rec["version"], rec["supersedes"]
            rec["schema_version"] = 1
        yield fetched, site, rec
        version, previous = 1, rec
        if rng.random() < changed:
            fetched += timedelta(days=rng.randint(1, 40))
            new = dict(previous, body=previous["body"] + "\n（本文已更新）")
            new["content_sha256"] = sha(new["body"])
            if legacy:
                new.pop("version", None)
            else:
                version += 1
                new["version"], new["supersedes"] = version, previous["content_sha256"]
            yield fetched, site, new
            previous = new
        if not legacy and rng.random() < removed:
            fetched += timedelta(days=rng.randint(1, 40))
            version += 1
            yield (
                fetched,
                site,
                {  # the tombstone of record schema 2
                    **{k: previous[k] for k in ("id", "site", "site_name", "url", "column")},
                    **{k: previous[k] for k in ("title", "published_at")},
                    "fetched_at": "",
                    "http_status": 404,
                    "version": version,
                    "supersedes": previous["content_sha256"],
                    "removed": True,
                    "schema_version": 2,
                },
            )


def generate(
    root: Path,
    n_articles: int,
    *,
    seed: int = 7,
    start: datetime = datetime(2023, 1, 1),
    days: int = 730,
    changed: float = 0.06,
    removed: float = 0.02,
    run_days: int = 7,
    keep: bool = True,
    on_line: Callable[[dict[str, Any]], None] | None = None,
) -> Archive:
    """Write `root/<site>/<run start>.jsonl`, one file per site per `run_days` of fetch time.

    Lines are written as they are generated (a file is not in fetch order), so a million
    articles need little memory when `keep` is false.
    """
    rng = random.Random(seed)
    archive = Archive(root, articles=n_articles)
    handles: dict[Path, IO[str]] = {}
    try:
        for fetched, site, rec in _events(
            rng, n_articles, start=start, days=days, changed=changed, removed=removed
        ):
            run_start = start + timedelta(days=(fetched - start).days // run_days * run_days)
            path = root / site / f"{run_start:%Y%m%dT%H%M%SZ}.jsonl"
            out = handles.get(path)
            if out is None:
                path.parent.mkdir(parents=True, exist_ok=True)
                out = handles[path] = path.open("w", encoding="utf-8")
                archive.files.append(path)
            rec["fetched_at"] = fetched.strftime("%Y-%m-%dT%H:%M:%SZ")
            line = json.dumps(rec, ensure_ascii=False) + "\n"
            out.write(line)
            archive.lines += 1
            archive.bytes += len(line.encode("utf-8"))
            if keep:
                archive.records.append(rec)
            if on_line:
                on_line(rec)
    finally:
        for out in handles.values():
            out.close()
    return archive
