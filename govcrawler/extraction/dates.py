"""Chinese date/time strings → ISO 8601 in China time (+08:00).

Handles `2022-05-07 07:00`, `2020年6月6日 09:30`, `发布时间：2018-2-24`, `2018/02/24 17:29:46`,
`2018.02.24`, with or without seconds. A date shown without a time becomes midnight (T00:00:00),
a documented convention. Nothing is ever taken from the crawl clock: no date → None.
"""

from __future__ import annotations

import re
from datetime import datetime

_DATE_TIME_RE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
)
_URL_DATE_RE = re.compile(r"(?:^|[/_t])(?P<y>20\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?:[_/.]|$)")


def parse_datetime(text: str | None) -> str | None:
    """First valid date(-time) in `text` as `YYYY-MM-DDTHH:MM:SS+08:00`, or None."""
    if not text:
        return None
    for match in _DATE_TIME_RE.finditer(text):
        parts = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
        try:
            day = datetime(parts["y"], parts["m"], parts["d"])
        except ValueError:
            continue  # 2023-13-45 and the like: not a date, look further
        try:
            value = day.replace(hour=parts["H"], minute=parts["M"], second=parts["S"])
        except ValueError:
            value = day  # a real date with a broken time (25:00): keep the date only
        return value.strftime("%Y-%m-%dT%H:%M:%S+08:00")
    return None


def date_from_url(url: str) -> str | None:
    """The publication date a TRS-style URL carries (`/t20220301_174980.html`), as YYYY-MM-DD."""
    for match in _URL_DATE_RE.finditer(url):
        try:
            value = datetime(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            continue
        return value.strftime("%Y-%m-%d")
    return None
