"""`fetched_at` comes from govcrawler's own capture time, never from a header a server sent."""

from __future__ import annotations

from scrapy.http import HtmlResponse

from govcrawler.archive.replay import (
    CAPTURED_AT_HEADER,
    CAPTURED_FLAG,
    REPLAY_FLAG,
    trusted_capture_time,
)

URL = "https://www.ccdi.gov.cn/yaowenn/202603/t20260318_470355.html"
SPOOFED = {CAPTURED_AT_HEADER: "1999-01-01T00:00:00Z"}


def test_a_live_server_cannot_set_the_capture_time() -> None:
    assert trusted_capture_time(HtmlResponse(URL, headers=SPOOFED, body=b"<p>x</p>")) is None


def test_replayed_and_warc_captured_responses_carry_their_time() -> None:
    for flag in (REPLAY_FLAG, CAPTURED_FLAG):
        response = HtmlResponse(URL, headers=SPOOFED, body=b"<p>x</p>", flags=[flag])
        assert trusted_capture_time(response) == "1999-01-01T00:00:00Z"
