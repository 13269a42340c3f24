"""`govcrawler check-site KEY [--live]`: what each rule of a site profile matches, in a minute.

For maintainers diagnosing a redesigned site. One list page per column and one article are
fetched through Scrapy itself (robots.txt, the honest User-Agent, the profile's politeness and
the blocked-page checks all apply); without `--live` they are replayed from the captures in
fixtures/KEY. The report says, per column: HTTP status, list entries and article links found,
the pagination family's next page and why; for the article: which selector of each [article]
rule matched, the fields extracted with their evidence, and whether the profile or the generic
extractor produced the body; per column also what list discovery finds on the page and whether
the profile's list selector drifted from it, and at the end the rules the pages suggest
(issue 14). Exit status 0 when every column has article links and the article body came from
the profile, else 1.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response, TextResponse
from scrapy.settings import Settings
from twisted.python.failure import Failure

from govcrawler.cli.demo import DEMO_CAPTURES
from govcrawler.extraction.article import Extraction, extract_article, parse_html
from govcrawler.extraction.decode import decode_html
from govcrawler.extraction.discovery import discover_links
from govcrawler.extraction.drift import list_drift
from govcrawler.extraction.list_walk import next_list_page
from govcrawler.extraction.listing import article_links
from govcrawler.extraction.proposal import ColumnPage, propose, toml_literal
from govcrawler.sites import ARTICLE_RULE_NAMES, ArticleRules, SiteProfile, get_profile
from govcrawler.spiders.page_response import content_type
from govcrawler.spiders.site_spider import SiteSpider

LINKS_SHOWN = 3


@dataclass
class ListReport:
    column: str
    url: str
    status: int | None = None
    error: str | None = None
    final_url: str | None = None  # after redirects
    encoding: str | None = None
    items: int | None = None  # entries the [list] items selector matched (None: no selector)
    links: list[str] = field(default_factory=list)
    next_page: str | None = None
    pagination: str = ""
    discovered: list[str] = field(default_factory=list)  # article links discovery found
    drift: str = ""  # the drift verdict (profile links against discovery's)
    drifted: bool = False
    html: str = field(default="", repr=False)  # the decoded page, for the proposal


@dataclass
class ArticleReport:
    url: str
    column: str
    status: int | None = None
    error: str | None = None
    final_url: str | None = None
    encoding: str | None = None
    extractor: str | None = None  # profile | generic
    fields: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    rules: dict[str, str] = field(
        default_factory=dict
    )  # rule → first selector matching, or why not
    discovered: bool = False  # its link came from discovery (the profile's list found none)


@dataclass
class SiteReport:
    site: str
    mode: str  # replay | live
    columns: list[ListReport] = field(default_factory=list)
    article: ArticleReport | None = None
    proposal: dict[str, Any] = field(default_factory=dict)  # rules inferred from the pages

    @property
    def ok(self) -> bool:
        return (
            bool(self.columns)
            and all(c.links for c in self.columns)
            and self.article is not None
            and self.article.extractor == "profile"
        )

    def to_dict(self) -> dict[str, Any]:
        data = {**asdict(self), "ok": self.ok}
        for column in data["columns"]:
            del column["html"]
        return data


# ---- pure core --------------------------------------------------------------------------------


def check_list(
    body: bytes, url: str, content_type: str | None, profile: SiteProfile, report: ListReport
) -> None:
    """Fill `report` with what the profile's [list] and [pagination] rules find on a list page."""
    decoded = decode_html(body, content_type)
    report.encoding = decoded.encoding
    root = parse_html(decoded.text)
    if profile.list.items is not None and root is not None:
        report.items = len(profile.list.items.select(root))
    report.links = [e.url for e in article_links(decoded.text, url, profile)]
    step = next_list_page(decoded.text, url, profile, 1)  # what the crawl would follow
    report.next_page, report.pagination = step.url, step.drift or step.how
    report.discovered = [e.url for e in discover_links(decoded.text, url, profile.domains)]
    verdict = list_drift(report.links, report.discovered)
    report.drift, report.drifted, report.html = verdict.reason, verdict.drifted, decoded.text


def propose_rules(report: SiteReport, profile: SiteProfile) -> dict[str, Any]:
    """The [list]/[pagination]/id_pattern the fetched column pages suggest (empty without any)."""
    pages = [ColumnPage(c.column, c.final_url or c.url, c.html) for c in report.columns if c.html]
    if not pages:
        return {}
    proposal = propose(pages, profile.key, profile.name)
    return {**proposal.tables(), "notes": list(proposal.notes)}


def rule_matches(html: str, rules: ArticleRules) -> dict[str, str]:
    """For each [article] rule with selectors: the first selector that matches (and how often)."""
    root = parse_html(html)
    found: dict[str, str] = {}
    for name in ARTICLE_RULE_NAMES:
        selectors = getattr(rules, name)
        if not selectors:
            continue
        found[name] = "no selector matched"
        for selector in selectors:
            count = len(selector.select(root)) if root is not None else 0
            if count:
                found[name] = f"{selector.source} ({count} match{'es' if count > 1 else ''})"
                break
    return found


def check_article(
    body: bytes, url: str, content_type: str | None, profile: SiteProfile, report: ArticleReport
) -> None:
    """Fill `report` with the fields extraction gets from one article page, and their evidence."""
    decoded = decode_html(body, content_type)
    report.encoding = decoded.encoding
    report.rules = rule_matches(decoded.text, profile.article)
    result = extract_article(decoded.text, url, profile, column_hint=report.column)
    if not isinstance(result, Extraction):
        report.error = f"not an article: {result.reason} ({result.detail})"
        return
    report.extractor = result.extractor
    report.evidence = result.evidence
    report.fields = {
        "title": result.title,
        "published_at": result.published_at,
        "source": result.source,
        "author": result.author,
        "editor": result.editor,
        "column": result.column,
        "body": f"{len(result.body.splitlines())} lines, {len(result.body)} characters",
        "body_start": result.body.split("\n", 1)[0][:60],
        "images": len(result.images),
        "attachments": len(result.attachments),
    }


def format_report(report: SiteReport, profile: SiteProfile) -> str:
    """The human-readable report."""
    ev = profile.evidence
    lines = [
        f"check-site {profile.key} ({profile.name}), {report.mode}; profile {ev.status}, "
        f"evidence {ev.date}",
        f"pagination: {profile.pagination.kind}",
    ]
    for col in report.columns:
        lines += ["", f"column {col.column}: {col.url}"]
        if col.final_url and col.final_url != col.url:
            lines.append(f"  redirected to {col.final_url}")
        if col.error:
            lines.append(f"  FAILED: {col.error}")
            continue
        lines.append(f"  HTTP {col.status}, decoded as {col.encoding}")
        if col.items is not None and profile.list.items is not None:
            lines.append(f"  list entries ({profile.list.items.source}): {col.items}")
        shown = ", ".join(col.links[:LINKS_SHOWN]) + (" …" if len(col.links) > LINKS_SHOWN else "")
        lines.append(f"  article links: {len(col.links)}" + (f": {shown}" if shown else ""))
        if not col.links:
            lines.append("  WARNING: no article links (check [list] items / article_url)")
        lines.append(f"  next page: {col.next_page or 'none'} ({col.pagination})")
        lines.append(
            f"  discovery: {len(col.discovered)} article links"
            + (f"; DRIFT: {col.drift}" if col.drifted else "")
        )
    art = report.article
    lines.append("")
    if art is None:
        lines.append("article: none fetched (no column gave an article link)")
    else:
        via = ", a link discovery found" if art.discovered else ""
        lines.append(f"article: {art.url} (column {art.column}{via})")
        if art.final_url and art.final_url != art.url:
            lines.append(f"  redirected to {art.final_url}")
        if art.status is not None:
            lines.append(f"  HTTP {art.status}, decoded as {art.encoding}")
        for rule, matched in art.rules.items():
            lines.append(f"  [article] {rule}: {matched}")
        if art.error:
            lines.append(f"  FAILED: {art.error}")
        else:
            fallback = (
                " (FALLBACK: no profile body selector matched)"
                if art.extractor != "profile"
                else ""
            )
            lines.append(f"  body by: {art.extractor}{fallback}")
            for name, value in art.fields.items():
                where = art.evidence.get(name)
                lines.append(f"  {name}: {value}" + (f"  [{where}]" if where else ""))
    if report.proposal:
        lines += ["", "proposed rules (inferred from the column pages; paste what fits):"]
        for name, value in report.proposal.items():
            if name == "notes":
                lines += [f"  # {note}" for note in value]
            elif isinstance(value, dict):
                lines.append(f"  [{name}]")
                lines += [f"  {k} = {toml_literal(v)}" for k, v in value.items()]
            else:
                lines.append(f"  {name} = {toml_literal(value)}")
    lines += ["", "verdict: " + ("OK" if report.ok else "NEEDS ATTENTION")]
    return "\n".join(lines)


# ---- Scrapy shell -------------------------------------------------------------------------------


class SiteCheckSpider(SiteSpider):
    """One list page per column and the first article linked, each turned into a report."""

    report: SiteReport

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.report = SiteReport(self.name, self.settings.get("GOVCRAWLER_CHECK_MODE", "live"))
        self._article_requested = False
        for column in self.selected:
            entry = ListReport(column.name, column.url)
            self.report.columns.append(entry)
            yield scrapy.Request(
                column.url,
                callback=self.check_list_page,
                errback=self.failed,
                cb_kwargs={"entry": entry},
                meta={"handle_httpstatus_all": True},
                dont_filter=True,
            )

    def check_list_page(self, response: Response, entry: ListReport) -> Iterator[scrapy.Request]:
        entry.status, entry.final_url = response.status, response.url
        if not isinstance(response, TextResponse):
            entry.error = f"not HTML ({response.headers.get('Content-Type')!r})"
            return
        check_list(response.body, response.url, content_type(response), self.profile, entry)
        # A drifted list still yields an article to check: the first link discovery found.
        links = entry.links or entry.discovered
        if links and not self._article_requested:
            self._article_requested = True
            article = ArticleReport(links[0], entry.column, discovered=not entry.links)
            self.report.article = article
            yield scrapy.Request(
                article.url,
                callback=self.check_article_page,
                errback=self.failed,
                cb_kwargs={"entry": article},
                meta={"handle_httpstatus_all": True},
            )

    def check_article_page(self, response: Response, entry: ArticleReport) -> None:
        entry.status, entry.final_url = response.status, response.url
        if not isinstance(response, TextResponse):
            entry.error = f"not HTML ({response.headers.get('Content-Type')!r})"
            return
        check_article(response.body, response.url, content_type(response), self.profile, entry)

    def failed(self, failure: Failure) -> None:
        """Blocked (challenge/captcha), robots.txt, DNS, timeouts: said in the report."""
        request = getattr(failure, "request", None)
        entry = request.cb_kwargs.get("entry") if request is not None else None
        if entry is not None:
            entry.error = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"


def check_settings(live: bool, fixtures: Path, scratch: Path | None = None) -> Settings:
    """Project settings (robots.txt, UA, politeness unchanged), no feeds, nothing learned or
    recorded in the user's archive and ledger (they go to `scratch`); replay unless live."""
    settings = Settings()
    settings.setmodule("govcrawler.settings", priority="project")
    settings.set("FEEDS", {}, priority="cmdline")
    settings.set("GOVCRAWLER_BOILERPLATE_DIR", "", priority="cmdline")
    if scratch is not None:
        settings.set("GOVCRAWLER_DATA", str(scratch), priority="cmdline")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    settings.set(
        "GOVCRAWLER_CHECK_MODE", "live" if live else f"replay of {fixtures}", priority="cmdline"
    )
    if not live:
        settings.set("GOVCRAWLER_REPLAY", str(fixtures), priority="cmdline")
    return settings


def run_check(profile: SiteProfile, settings: Settings) -> SiteReport:
    """Crawl one list page per column and one article; return the report."""
    spider_cls = type(
        f"{profile.key.title()}CheckSpider",
        (SiteCheckSpider,),
        {"name": profile.key, "profile": profile},
    )
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider_cls)
    process.crawl(crawler)
    process.start()
    spider = crawler.spider
    assert isinstance(spider, SiteCheckSpider)
    return spider.report


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "check-site",
        help="report what a site profile's rules match (maintainers)",
        description="Fetch a site's column pages (live, or from its captures) and report what "
        "the profile's list, pagination and article rules find there.",
        epilog="exit codes: 0 every rule found what it should; 1 a column or the article check "
        "found nothing or failed; 2 usage error",
    )
    parser.add_argument("site", help="profile key (see `govcrawler sites`)")
    parser.add_argument(
        "--live",
        action="store_true",
        help="fetch from the live site (politely: robots.txt, delay, one list page per column "
        "and one article); default: replay fixtures/KEY",
    )
    parser.add_argument(
        "--fixtures", type=Path, default=DEMO_CAPTURES, help="capture folder (default: %(default)s)"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    profile = get_profile(args.site)
    if not args.live and not (args.fixtures / profile.key).is_dir():
        raise ValueError(f"no captures for {profile.key} in {args.fixtures} (use --live?)")
    with tempfile.TemporaryDirectory(prefix="govcrawler-check-") as scratch:
        report = run_check(profile, check_settings(args.live, args.fixtures, Path(scratch)))
    report.proposal = propose_rules(report, profile)
    print(
        json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
        if args.json
        else format_report(report, profile)
    )
    return 0 if report.ok else 1
