"""SiteState: the incremental rules applied to one site's crawl, with a real ledger and a fake clock."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from scrapy.settings import Settings

from govcrawler.cli import exit_codes
from govcrawler.extraction.drift import list_drift
from govcrawler.extraction.listing import ListEntry
from govcrawler.item import Article, Tombstone
from govcrawler.sites import PROFILE_DIR, ProfileError, get_profile, load_profile
from govcrawler.spiders.site_spider import SiteSpider
from govcrawler.state import manifest
from govcrawler.state.ledger import Ledger
from govcrawler.state.rules import DAY
from govcrawler.state.site_state import SiteState
from tests.test_crash_recovery import make_article

COLUMN = "https://www.ccdi.gov.cn/yaowenn/index.html"


class Stats:
    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] += count

    def outcomes(self) -> dict[str, int]:
        prefix = "govcrawler/outcome/"
        return {k[len(prefix) :]: v for k, v in self.values.items() if k.startswith(prefix)}


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    return tmp_path / "state.sqlite"


def run(ledger_path: Path, clock: Clock, **kwargs: float) -> SiteState:
    """The state of one new crawl of ccdi (each run opens the ledger afresh)."""
    return SiteState(get_profile("ccdi"), Ledger(ledger_path), stats=Stats(), clock=clock, **kwargs)


def archive(state: SiteState, record: Article | Tombstone) -> None:
    """What the archive extension does once the record's line is on disk."""
    state.written(record, Path("articles/ccdi/run.jsonl"))


def url(n: int) -> str:
    return make_article(n).url


def test_known_articles_are_not_requested_until_their_recheck_is_due(ledger_path: Path) -> None:
    clock = Clock()
    first = run(ledger_path, clock)
    plan = first.plan(url(1))
    assert plan is not None and not plan.known and plan.headers == {}
    assert first.plan(url(1)) is None  # once per run
    record = make_article(1)
    assert first.assign_version(record) and record.version == 1
    first.remember_validators(record.id, '"etag-1"', None)
    archive(first, record)
    assert first.stats.outcomes() == {"new": 1}

    clock.now += 29 * DAY
    second = run(ledger_path, clock)
    assert second.plan(url(1)) is None
    assert second.stats.outcomes() == {"known": 1}

    clock.now += 1 * DAY
    third = run(ledger_path, clock)
    plan = third.plan(url(1))
    assert plan is not None and plan.known
    assert plan.headers == {"If-None-Match": '"etag-1"'}
    third.not_modified(url(1))
    assert third.stats.outcomes() == {"unchanged": 1}
    assert run(ledger_path, clock).plan(url(1)) is None  # checked just now


def test_versions_follow_the_clean_body(ledger_path: Path) -> None:
    clock = Clock()
    first = run(ledger_path, clock)
    archive(first, make_article(1))

    second = run(ledger_path, clock, recheck_days=0)
    same = make_article(1)
    assert not second.assign_version(same)  # nothing to write
    assert second.stats.outcomes() == {"unchanged": 1}

    changed = make_article(1)
    changed.body += "\n补充一段。"
    changed.content_sha256 = ""
    changed.__post_init__()
    assert second.assign_version(changed)
    assert (changed.version, changed.supersedes) == (2, make_article(1).content_sha256)
    archive(second, changed)
    assert second.stats.outcomes() == {"unchanged": 1, "changed": 1}
    known = second.ledger.article("ccdi:1") if second.ledger else None
    assert known is not None and known.version == 2
    assert known.content_sha256 == changed.content_sha256


def test_a_gone_article_gets_one_tombstone(ledger_path: Path) -> None:
    clock = Clock()
    first = run(ledger_path, clock)
    archive(first, make_article(1))

    second = run(ledger_path, clock)
    tombstone = second.tombstone(url(1), 410, "2026-11-28T00:00:00Z")
    assert tombstone is not None
    assert (tombstone.version, tombstone.supersedes) == (2, make_article(1).content_sha256)
    assert (tombstone.title, tombstone.http_status, tombstone.removed) == ("第1篇", 410, True)
    archive(second, tombstone)
    assert second.stats.outcomes() == {"removed": 1}

    third = run(ledger_path, clock)
    assert third.tombstone(url(1), 404, "2026-11-29T00:00:00Z") is None
    assert third.stats.outcomes() == {"unchanged": 1}

    restored = make_article(1)  # the page is back, unchanged
    assert third.assign_version(restored)
    assert (restored.version, restored.supersedes) == (3, make_article(1).content_sha256)


def test_an_article_never_archived_is_pending_until_it_is(ledger_path: Path) -> None:
    clock = Clock()
    first = run(ledger_path, clock)
    first.failed(url(1), "要闻", "blocked", "captcha")
    assert first.tombstone(url(2), 404, "2026-11-28T00:00:00Z") is None  # not archived: a failure
    archive(first, make_article(3))
    first.failed(url(3), "要闻", "failed", "http_500")  # archived already: nothing pending
    assert first.stats.outcomes() == {"blocked": 1, "failed": 2, "new": 1}

    second = run(ledger_path, clock, recheck_days=0, recheck_limit=5)
    assert second.retries() == [(url(1), "要闻"), (url(2), None), (url(3), "要闻")]
    archive(second, make_article(1))
    assert [u for u, _ in run(ledger_path, clock).retries()] == [url(2)]


def test_pagination_stops_only_on_a_page_covered_by_a_complete_walk(ledger_path: Path) -> None:
    clock = Clock()
    entries = [ListEntry(url(n), f"第{n}篇", "2026-03-01") for n in (1, 2)]
    first = run(ledger_path, clock)
    archive(first, make_article(1))
    archive(first, make_article(2))
    first.list_page_read(COLUMN, COLUMN, 1, entries)
    assert not first.page_is_covered([url(1), url(2)], COLUMN)  # no complete walk yet
    first.walk_complete(COLUMN, 1)
    first.close(finished=False)  # killed or stopped: the walk does not count

    clock.now += 60
    second = run(ledger_path, clock)
    assert not second.page_is_covered([url(1), url(2)], COLUMN)
    second.walk_complete(COLUMN, 1)
    second.close(finished=True)

    clock.now += 60
    third = run(ledger_path, clock)
    assert third.page_is_covered([url(1), url(2)], COLUMN)
    archive(third, make_article(3))  # new since the last complete walk
    assert not third.page_is_covered([url(3), url(1)], COLUMN)
    djcf = "https://www.ccdi.gov.cn/scdcn/zggb/djcf/index.html"
    third.expect_columns([("要闻", COLUMN), ("党纪政务处分", djcf)])
    assert [c.status() for c in third.columns.values()] == ["not_reached", "not_reached"]
    third.list_page_read(COLUMN, COLUMN, 1, entries)
    third.list_page_read(djcf, djcf, 1, [])
    assert [c.status() for c in third.columns.values()] == ["ok", "drift"]
    page = third.ledger.list_page(COLUMN) if third.ledger else None
    assert page is not None and (page.entries, page.newest_id) == (2, "ccdi:1")


def test_reconcile_applies_only_records_newer_than_the_ledger(ledger_path: Path) -> None:
    clock = Clock()
    state = run(ledger_path, clock)
    archive(state, make_article(1))
    v1 = make_article(1).to_dict()
    v2 = dict(v1, version=2, supersedes=v1["content_sha256"], content_sha256="c" * 64)
    gone = Tombstone(
        id="ccdi:1",
        site="ccdi",
        site_name="中央纪委国家监委",
        url=url(1),
        column="要闻",
        title="第1篇",
        published_at=None,
        fetched_at="2026-11-28T00:00:00Z",
        http_status=404,
        version=3,
        supersedes="c" * 64,
    ).to_dict()
    applied = state.reconcile([v1, v2, make_article(2).to_dict(), gone], Path("recovered.jsonl"))
    assert applied == 3
    assert state.ledger is not None
    one, two = state.ledger.article("ccdi:1"), state.ledger.article("ccdi:2")
    assert one is not None and (one.version, one.removed, one.content_sha256) == (3, True, "c" * 64)
    assert two is not None and two.file == "recovered.jsonl"
    assert state.reconcile([v2], Path("again.jsonl")) == 0


def test_a_profile_sets_its_own_recheck_days(tmp_path: Path) -> None:
    text = (PROFILE_DIR / "anhui.toml").read_text("utf-8") + "\n[incremental]\nrecheck_days = 7\n"
    path = tmp_path / "anhui.toml"
    path.write_text(text, "utf-8")
    profile = load_profile(path)
    assert profile.recheck_days == 7
    spider = type("AnhuiSpider", (SiteSpider,), {"name": "anhui", "profile": profile})
    settings = Settings({"GOVCRAWLER_RECHECK_DAYS": 30})
    spider.update_settings(settings)
    assert settings.getfloat("GOVCRAWLER_RECHECK_DAYS") == 7
    path.write_text(text.replace("recheck_days = 7", "recheck_days = -1"), "utf-8")
    with pytest.raises(ProfileError, match=r"'incremental\.recheck_days' must be 0 or more"):
        load_profile(path)
    path.write_text(text.replace("recheck_days = 7", "recheck_every = 7"), "utf-8")
    with pytest.raises(ProfileError, match="unknown key"):
        load_profile(path)


def test_each_column_says_what_went_wrong_in_words_of_its_class(ledger_path: Path) -> None:
    state = run(ledger_path, Clock())
    state.expect_columns(
        [("甲", "http://a/1/"), ("乙", "http://a/2/"), ("丙", "http://a/3/"), ("丁", "http://a/4/")]
    )
    state.list_failed("http://a/1/", "http://a/1/", 1, "failed", "dns")
    state.list_failed("http://a/2/", "http://a/2/", 1, "blocked", "captcha")
    state.list_page_read("http://a/3/", "http://a/3/", 1, [])
    state.list_page_read("http://a/4/", "http://a/4/", 1, [ListEntry(url(1), "一", None)])
    state.list_failed("http://a/4/p2", "http://a/4/", 2, "failed", "http_500")
    columns = list(state.columns.values())
    assert [c.status() for c in columns] == ["network", "blocked", "drift", "http"]
    assert (
        columns[0].problem()
        == "column 甲 (http://a/1/): its first list page could not be read (network: dns)"
    )
    assert "neither the profile nor discovery found article links (drift" in (
        columns[2].problem() or ""
    )
    assert (
        columns[3].problem()
        == "column 丁 (http://a/4/): list page 2 could not be read (http: http_500)"
    )


def test_drift_that_was_survived_is_reported_per_column_and_for_the_manifest(
    ledger_path: Path,
) -> None:
    """Issue 14: a list page where discovery stood in for the profile, a pager it found, and
    bodies the generic extractor made; the column archived its links, so it is drift, survived
    (class drift: exit 4 when nothing else went wrong), not a failure."""
    entries = [ListEntry(url(n), f"标题{n}", None) for n in (1, 2)]
    first = run(ledger_path, Clock())
    first.expect_columns([("要闻", COLUMN)])
    assert first.last_list_entries(COLUMN) is None
    first.list_page_read(COLUMN, COLUMN, 1, entries)
    first.close(finished=True)

    state = run(ledger_path, Clock())
    state.expect_columns([("要闻", COLUMN), ("其他", "http://a/5/")])
    last = state.last_list_entries(COLUMN)
    assert last == 2
    verdict = list_drift([], [e.url for e in entries], last)
    assert state.new_links(COLUMN, entries) == entries
    state.list_page_read(COLUMN, COLUMN, 1, entries, drift=verdict, discovered=2)
    assert state.new_links(COLUMN, entries) == []
    state.pagination_drifted(COLUMN, 1, COLUMN, "pagination (trs) found no next page; …")
    state.body_fell_back("要闻", "profile body selectors matched nothing")
    state.body_fell_back("要闻", "profile body selectors matched nothing")
    state.body_fell_back("旧栏目", "profile body selectors matched nothing")  # a retried article
    walk = state.columns[COLUMN]
    assert (walk.status(), walk.classes()) == ("drift", ["drift"])
    assert walk.problem() == (
        f"column 要闻 ({COLUMN}): drift, survived (2 of 2 links from discovery): list page 1:"
        " list selector matched 0 of last run's 2; discovery found 2; pagination after list"
        " page 1: pagination (trs) found no next page; …; article body: the generic extractor"
        " made 2 record(s) (profile body selectors matched nothing)"
    )
    assert walk.to_dict()["drift"] == walk.drift_notes() and walk.to_dict()["discovered"] == 2
    report = state.drift_report()
    assert [(d["column"], d["what"]) for d in report] == [
        ("要闻", "list"),
        ("要闻", "pagination"),
        ("要闻", "body"),
        ("旧栏目", "body"),
    ]
    assert report[2]["articles"] == 2
    assert state.stats.values["govcrawler/drift/list_pages"] == 1
    assert state.stats.values["govcrawler/drift/discovered_links"] == 2
    assert state.stats.values["govcrawler/drift/pagination"] == 1
    assert state.columns["http://a/5/"].classes() == []  # not reached: no problem of its own


def test_a_failed_walk_keeps_its_drift_and_both_classes(ledger_path: Path) -> None:
    state = run(ledger_path, Clock())
    state.expect_columns([("要闻", COLUMN)])
    verdict = list_drift([], [url(1)], None)
    state.list_page_read(COLUMN, COLUMN, 1, [ListEntry(url(1), "一", None)], drift=verdict)
    state.list_failed(COLUMN + "?p=2", COLUMN, 2, "failed", "timeout")
    walk = state.columns[COLUMN]
    assert (walk.status(), walk.classes()) == ("network", ["drift", "network"])
    assert "drift before that: list page 1: list selector matched 0; discovery found 1" in (
        walk.problem() or ""
    )


def test_site_and_run_status_say_drift_when_drift_is_all() -> None:
    assert manifest.site_status([], []) == "ok"
    assert manifest.site_status(["column …: drift, survived: …"], ["drift"]) == "drift"
    assert manifest.site_status(["…", "…"], ["drift", "network"]) == "failed"
    assert manifest.run_status(["ok", "drift"]) == "drift"
    assert manifest.run_status(["drift", "failed", "ok"]) == "failed"
    assert manifest.run_status(["ok"]) == "ok"
    drifted = {"status": "drift", "problem_classes": ["drift"]}
    assert exit_codes.for_sites([drifted, {"status": "ok"}]) == exit_codes.DRIFT
