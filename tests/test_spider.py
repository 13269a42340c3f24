"""Spider construction: one spider class per profile, arguments validated up front."""

from __future__ import annotations

import pytest

from govcrawler.sites import all_profiles
from govcrawler.spiders import sites
from govcrawler.spiders.site_spider import SiteSpider


def spider_class(key: str) -> type[SiteSpider]:
    cls = next(
        c for c in vars(sites).values() if isinstance(c, type) and getattr(c, "name", None) == key
    )
    assert issubclass(cls, SiteSpider)
    return cls


def test_one_spider_per_profile() -> None:
    classes = [c for c in vars(sites).values() if isinstance(c, type) and issubclass(c, SiteSpider)]
    names = {getattr(c, "name", None) for c in classes} - {None}
    assert names == set(all_profiles())


def test_arguments() -> None:
    spider = spider_class("ccdi")(max_pages="2", since="2026-01-05", columns="要闻,执纪审查")
    assert spider.max_pages == 2 and spider.since == "2026-01-05"
    assert [c.name for c in spider.selected] == ["要闻", "执纪审查"]
    assert spider.allowed_domains == ["www.ccdi.gov.cn", "ccdi.gov.cn"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"columns": "不存在"}, "unknown column"),
        ({"max_pages": "0"}, "max_pages"),
        ({"since": "2026-13-01"}, "month"),
    ],
)
def test_bad_arguments_fail_before_crawling(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        spider_class("ccdi")(**kwargs)
