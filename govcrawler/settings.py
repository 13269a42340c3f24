"""Scrapy settings: polite defaults for government sites, the incremental JSONL archive, replay.

Per-site politeness comes from each profile's [politeness] table (see spiders/site_spider.py).
"""

from govcrawler import __version__

BOT_NAME = "govcrawler"
SPIDER_MODULES = ["govcrawler.spiders.sites"]
NEWSPIDER_MODULE = "govcrawler.spiders"
# `scrapy crawl` checks arguments and the site lock first, and exits with govcrawler's codes.
COMMANDS_MODULE = "govcrawler.cli.scrapy_commands"

# An honest User-Agent that names the project; set GOVCRAWLER_CONTACT (or USER_AGENT) to add yours.
USER_AGENT = (
    f"govcrawler/{__version__} (+https://github.com/govcrawler/govcrawler; archival crawler)"
)
ROBOTSTXT_OBEY = True

# One request at a time per host, a delay between them, and AutoThrottle on top.
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 3.0
DOWNLOAD_DELAY_JITTER = 0.5  # ±50 % around DOWNLOAD_DELAY
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 3.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
RETRY_ENABLED = True
RETRY_TIMES = 3
# 420: CCDI's answer to concurrent fetches (2021-12); 521: Jiasule challenge (2015).
RETRY_HTTP_CODES = [420, 429, 500, 502, 503, 504, 521, 522, 524, 408]
COOKIES_ENABLED = True
REFERER_ENABLED = True
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024

DOWNLOAD_FAIL_ON_DATALOSS = True  # a body shorter than its Content-Length is an error (retried)
# No telnet console: an unattended run has no one to log in, and a multi-site run (one crawler per
# site) would bind one of ports 6023–6073 each — two `crawl --all` at once ran out of ports and
# logged a CannotListenError traceback per crawler (seen 2026-12-06).
TELNETCONSOLE_ENABLED = False

# Downloader middlewares (a response passes them from the highest number down). Everything that
# reads a body sits below HttpCompressionMiddleware (590), so it sees the decompressed page.
# Redirect stubs (spiders/redirects.py): meta refresh (Scrapy's, counted) and a plain JS
# `self.location=` stub followed once; both answer before the blocked-page check sees a stub.
# Every redirect (3xx too) is checked against the profile's domains and for loops
# (spiders/domains.py); hostile pages and documents served as HTML: spiders/middlewares.py;
# Retry-After and the host gate: spiders/pacing.py.
DOWNLOADER_MIDDLEWARES = {
    "govcrawler.spiders.domains.AllowedDomainsMiddleware": 55,
    "govcrawler.spiders.pacing.RetryAfterMiddleware": 555,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "govcrawler.spiders.domains.GuardedMetaRefreshMiddleware": 580,
    "govcrawler.spiders.middlewares.BlockedPageMiddleware": 584,
    "govcrawler.spiders.domains.GuardedJsRedirectMiddleware": 586,
    "govcrawler.spiders.middlewares.BinaryBodyMiddleware": 588,
    # Decode and classify each HTML answer once (spiders/page_response.py).
    "govcrawler.spiders.page_response.PageMiddleware": 587,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "govcrawler.spiders.domains.GuardedRedirectMiddleware": 600,
    "govcrawler.spiders.middlewares.HostCookiesMiddleware": 690,
    # WARC capture (archive/warc_middleware.py): next to the download handler, so it sees every
    # response as received, before Redirect (600) and HttpCompression (590) change it.
    "govcrawler.archive.warc_middleware.WarcCaptureMiddleware": 950,
    # Last before the download: holds each request until its host may be asked (spiders/pacing.py).
    "govcrawler.spiders.pacing.HostGateMiddleware": 990,
}
GOVCRAWLER_JS_REDIRECT_ENABLED = True
# Blocked pages (challenge, captcha): each one multiplies the host's download delay by this much
# (at most GOVCRAWLER_BLOCKED_MAX_DELAY s); this many in a row stop the site's crawl (0: never).
GOVCRAWLER_BLOCKED_BACKOFF = 2.0
GOVCRAWLER_BLOCKED_MAX_DELAY = 300.0
GOVCRAWLER_BLOCKED_STOP_AFTER = 5
# A stub whose script sets a cookie as a plain literal is asked for once more with that cookie.
GOVCRAWLER_SCRIPT_COOKIE_RETRY = True
# Retry-After longer than this (seconds): not retried in this run, asked again next run.
GOVCRAWLER_RETRY_AFTER_MAX = 120.0
# Cookies per host, sent with every request to it and its subdomains (README: Cookies per host):
# -s 'GOVCRAWLER_COOKIES={"www.ccdi.gov.cn": "C3VK=e9cf61"}'
GOVCRAWLER_COOKIES: dict[str, str] = {}
# A callback that raises leaves its article pending (spiders/callback_errors.py).
SPIDER_MIDDLEWARES = {"govcrawler.spiders.callback_errors.CallbackErrorMiddleware": 900}
ITEM_PIPELINES = {
    "govcrawler.export.pipelines.VersioningPipeline": 250,
    "govcrawler.export.pipelines.SchemaValidationPipeline": 300,
    "govcrawler.export.pipelines.DuplicateArticlePipeline": 400,
}
ADDONS = {
    "govcrawler.archive.replay.ReplayAddon": 0,
    # GOVCRAWLER_FRONTIER: workers sharing a frontier in Redis (spiders/frontier.py).
    "govcrawler.spiders.frontier.FrontierAddon": 0,
}
# Several workers on one frontier (`govcrawler crawl --frontier redis://HOST:PORT/DB --worker W`;
# README: Running on several machines). A worker silent for GOVCRAWLER_FRONTIER_TIMEOUT seconds is
# taken for dead and its in-flight requests go back to the others.
GOVCRAWLER_FRONTIER = ""
GOVCRAWLER_WORKER = ""
GOVCRAWLER_FRONTIER_TIMEOUT = 10.0
# Seconds the shared host limiter adds to a host's delay, for the time between its grant and the
# request leaving the worker: at the site, two requests stay at least the delay apart.
GOVCRAWLER_FRONTIER_MARGIN = 0.1

# The run files (export/run_file.py): clean article JSONL (UTF-8, one record per line), each record
# fsynced to `<run file>.part` before the crawl ledger (state/) marks its article archived; renamed
# when the run closes. Paths take %(data)s; the run file also %(name)s (the site) and %(run_start)s
# (UTC, 20261128T134512Z). A killed run's .part file is completed at the site's next start.
GOVCRAWLER_DATA = "data"
GOVCRAWLER_OUTPUT = "%(data)s/articles/%(name)s/%(run_start)s.jsonl"
# The crawl ledger (SQLite); "" = none: every linked article is fetched, every record version 1.
GOVCRAWLER_STATE = "%(data)s/state.sqlite"
# Group commit (state/group_commit.py): the run file's lines, the WARC captures and the ledger marks
# of this many seconds are fsynced together, files first, ledger after; 0 = one fsync per record.
GOVCRAWLER_SYNC_WINDOW = 0.05
GOVCRAWLER_MANIFEST = "%(data)s/runs/%(run_start)s.json"  # "" = none
# Re-fetch an archived article after this many days (a profile's [incremental] recheck_days wins).
GOVCRAWLER_RECHECK_DAYS = 30
# Besides the articles list pages link, re-check at most this many due ones per site and run.
GOVCRAWLER_RECHECK_LIMIT = 100
# The crawl state of a site (state/crawl_state.py: lock, ledger, walks, manifest entry), and the
# run file it is written to (export/run_file.py).
EXTENSIONS = {
    "govcrawler.state.crawl_state.CrawlState": 100,
    "govcrawler.export.run_file.RunFileExport": 500,
    # Per-host pace beyond Scrapy's delay (blocked pages, Retry-After, stop): spiders/pacing.py.
    "govcrawler.spiders.pacing.HostPace": 100,
    # Case rows next to the run files, with -s GOVCRAWLER_CASES=1 (export/cases.py).
    "govcrawler.export.cases.CaseExport": 510,
    # Each article's attachments and images, fetched and archived before its record is written.
    "govcrawler.spiders.files.FileArchiver": 100,
}
# Attachments and in-body images (spiders/files.py): fetched through the same middlewares as
# pages (robots.txt, pacing, retries, WARC), from the site's domains and its profile's
# `[files] hosts` only, at most this many bytes each (bigger ones: reason `too_large`).
# False: none fetched (entries say `disabled`).
GOVCRAWLER_FILES = True
GOVCRAWLER_FILE_MAX_SIZE = 20 * 1024 * 1024
# `-o/-O file.jsonl` feeds still work, written beside the archive (atomically: export/storage.py).
FEEDS: dict[str, dict[str, object]] = {}
FEED_EXPORT_ENCODING = "utf-8"
FEED_STORAGES = {
    "": "govcrawler.export.storage.AtomicFileFeedStorage",
    "file": "govcrawler.export.storage.AtomicFileFeedStorage",
}

# WARC 1.1 capture of every response as received (archive/warc_middleware.py), into
# <folder>/<site>-<run start>-<serial>.warc.gz, a new file past GOVCRAWLER_WARC_MAX_SIZE bytes;
# "" = none (records then carry no warc_* evidence). GOVCRAWLER_CONTACT (e.g.
# "mailto:you@example.org") is written into each file's warcinfo record as the operator.
GOVCRAWLER_WARC = "%(data)s/warc"
GOVCRAWLER_WARC_MAX_SIZE = 1024 * 1024 * 1024
GOVCRAWLER_CONTACT = ""

# Replay: a folder of captures (fixtures/ layout) answers every request instead of the network.
GOVCRAWLER_REPLAY = ""

# Cross-page boilerplate learned per site (cleaning/learned.py), kept between runs; "" = in memory.
GOVCRAWLER_BOILERPLATE_DIR = "%(data)s/state/boilerplate"

# A callback yields at most one record (an article page) or one list page's links, and the item
# pipelines are synchronous: Scrapy starts CONCURRENT_ITEMS asyncio tasks per response to work
# through its output, so its default of 100 costs 100 tasks per page (a fifth of the crawl's CPU at
# full speed, BENCHMARKS.md) for nothing; pages are still processed side by side.
CONCURRENT_ITEMS = 1
# Scrapy re-reads and parses each generator callback's source to warn about `return value` in it,
# for nearly every response (its cache is keyed by bound methods); tests/test_group_commit.py
# runs that check over our callbacks once instead.
WARN_ON_GENERATOR_RETURN_VALUE = False

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
