"""--merge: one timeline per person across articles and sites."""

from __future__ import annotations

from typing import Any

from govcrawler.extraction.cases import extract_cases
from govcrawler.extraction.cases.merge import merge_rows


def article(pid: str, site: str, published: str, title: str, body: str) -> dict[str, Any]:
    return {
        "id": pid,
        "site": site,
        "site_name": "陕西省纪委监委" if site == "shaanxi" else "中央纪委国家监委",
        "url": f"https://example.invalid/{pid}",
        "column": None,
        "title": title,
        "published_at": published,
        "body": body,
    }


INVESTIGATED = article(
    "shaanxi:1",
    "shaanxi",
    "2026-05-06T11:00:00+08:00",
    "西安市公安局原局长、市政府原副市长庞一远接受审查调查",
    "据陕西省纪委监委消息：西安市公安局原局长、市政府原副市长庞一远涉嫌严重违纪违法，"
    "目前正接受陕西省纪委监委纪律审查和监察调查。",
)
EXPELLED = article(
    "ccdi:2",
    "ccdi",
    "2026-08-14T18:00:00+08:00",
    "陕西省西安市原副市长、市公安局原局长庞一远被开除党籍和公职",
    "经查，庞一远违规收受礼品礼金。\n"
    "2026年8月，陕西省西安市原副市长、市公安局原局长庞一远被开除党籍和公职，"
    "其涉嫌犯罪问题被移送检察机关依法审查起诉。",
)
NAMESAKE = article(
    "shaanxi:3",
    "shaanxi",
    "2026-06-21T11:00:00+08:00",
    "宝鸡市某镇原镇长庞一远接受审查调查",
    "据宝鸡市纪委监委消息：宝鸡市某镇原镇长庞一远涉嫌严重违纪违法，目前正接受审查调查。",
)


def test_one_person_across_sites_with_dated_stages_and_every_source() -> None:
    rows = [r for a in (EXPELLED, NAMESAKE, INVESTIGATED) for r in extract_cases(a)]
    people = merge_rows(rows)
    assert len(people) == 2  # the namesake in 宝鸡 stays apart
    person = next(p for p in people if len(p.sources) == 2)
    assert person.name == "庞一远" and person.region == "陕西"
    assert {s.article_id for s in person.sources} == {"shaanxi:1", "ccdi:2"}
    assert [(s.date, s.action) for s in person.timeline] == [
        ("2026-05-06", "审查调查"),
        ("2026-08", "开除党籍"),
        ("2026-08", "开除公职"),
        ("2026-08", "移送检察"),
    ]
    assert person.first_seen == "2026-05-06" and person.last_seen == "2026-08-14"
    assert person.actions == ["审查调查", "开除党籍", "开除公职", "移送检察"]
    other = next(p for p in people if p is not person)
    assert other.position == "宝鸡市某镇原镇长" and len(other.sources) == 1
    assert [p.name for p in people] == ["庞一远", "庞一远"]


def test_person_ids_are_stable_and_rows_without_a_position_stay_apart() -> None:
    bare = article(
        "x:4",
        "ccdi",
        "2026-09-01T09:00:00+08:00",
        "警示录",
        "2025年2月，省纪委监委对庞一远涉嫌严重违纪违法问题立案审查调查。2025年9月，庞一远被开除党籍。",
    )
    rows = [r for a in (INVESTIGATED, EXPELLED, bare) for r in extract_cases(a)]
    first = merge_rows(rows)
    again = merge_rows(list(reversed(rows)))
    assert sorted(p.person_id for p in first) == sorted(p.person_id for p in again)
    assert len(first) == 2  # nothing vouches that the bare name is the same person
    assert any(p.position is None for p in first)
