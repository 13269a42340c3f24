"""Chinese date/time formats → ISO 8601 +08:00."""

from __future__ import annotations

import pytest

from govcrawler.extraction.dates import date_from_url, parse_datetime


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-05-07 07:00", "2022-05-07T07:00:00+08:00"),
        ("2020年6月6日 09:30", "2020-06-06T09:30:00+08:00"),
        ("2024年09月12日18:00", "2024-09-12T18:00:00+08:00"),
        ("发布时间：2018-2-24", "2018-02-24T00:00:00+08:00"),
        ("发布时间：\n            2024-09-12 18:00\n   ", "2024-09-12T18:00:00+08:00"),
        ("发布时间: 2018-03-05 17:29:46", "2018-03-05T17:29:46+08:00"),
        ("時間：2026-11-18 09:30", "2026-11-18T09:30:00+08:00"),
        ("2018/02/24 8:05", "2018-02-24T08:05:00+08:00"),
        ("2018.02.24", "2018-02-24T00:00:00+08:00"),
        ("2023-13-45 then 2022-1-2", "2022-01-02T00:00:00+08:00"),
        ("2022-05-07 25:00", "2022-05-07T00:00:00+08:00"),
    ],
)
def test_parse_datetime(text: str, expected: str) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", [None, "", "发布时间：", "第20期", "2023-02-30"])
def test_no_date_is_none_never_invented(text: str | None) -> None:
    assert parse_datetime(text) is None


def test_date_from_trs_url() -> None:
    assert (
        date_from_url("https://www.ccdi.gov.cn/scdcn/zggb/zjsc/202203/t20220301_174980.html")
        == "2022-03-01"
    )
    assert date_from_url("http://www.ahjjjc.gov.cn/sggb/p/61234.html") is None
