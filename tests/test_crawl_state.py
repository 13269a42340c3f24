"""The CrawlState extension (state/crawl_state.py) owns a site's crawl state for one crawler: it
works with export turned off, records completed column walks, and gives the site's lock back when
the crawl ends — while the process goes on (several sites run in one process)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

pytestmark = pytest.mark.e2e

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path

    from scrapy import signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from govcrawler.state.crawl_state import CrawlState
    from govcrawler.state.locks import FileLock, LockHeld

    fixtures, data, output = sys.argv[1], sys.argv[2], sys.argv[3]
    lock_path = Path(data) / "locks" / "anhui.lock"
    settings = Settings()
    settings.setmodule("govcrawler.settings", priority="project")
    for name, value in {
        "GOVCRAWLER_REPLAY": fixtures, "GOVCRAWLER_DATA": data, "GOVCRAWLER_OUTPUT": output,
        "GOVCRAWLER_BOILERPLATE_DIR": "", "LOG_LEVEL": "WARNING",
    }.items():
        settings.set(name, value, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("anhui")
    process.crawl(crawler)
    held_during = []

    def check_lock():
        try:
            FileLock(lock_path).acquire()
            held_during.append(False)
        except LockHeld:
            held_during.append(True)

    crawler.signals.connect(check_lock, signal=signals.spider_opened, weak=False)
    process.start()
    lock = FileLock(lock_path)
    lock.acquire()  # LockHeld here would mean the extension kept the lock after the crawl
    lock.release()
    report = crawler.get_extension(CrawlState).report
    print(json.dumps({"held_during": held_during, "report": report}))
    """
)


def run(data: Path, output: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(FIXTURES), str(data), output],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    parsed: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


def test_without_export_the_walks_are_recorded_and_the_lock_given_back(tmp_path: Path) -> None:
    data = tmp_path / "data"
    outcome = run(data, "")
    assert outcome["held_during"] == [True]
    report = outcome["report"]
    assert isinstance(report, dict)
    assert report["outputs"] == [] and report["failures"] == {"empty": 1}  # the planted page
    assert not (data / "articles").exists()
    with sqlite3.connect(data / "state.sqlite") as db:
        walks = db.execute("SELECT column_url FROM walks WHERE site = 'anhui'").fetchall()
    assert len(walks) == 2  # both 安徽 columns walked to their last page


def test_with_export_the_report_lists_the_run_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    outcome = run(data, "%(data)s/articles/%(name)s/%(run_start)s.jsonl")
    report = outcome["report"]
    assert isinstance(report, dict)
    (output,) = report["outputs"]
    assert output["records"] > 0 and (data / output["path"]).is_file()
    # README "The run manifest": paths relative to the data folder, the completed file's sha256.
    assert output["path"].startswith("articles/anhui/") and report["ledger"] == "state.sqlite"
    written = (data / output["path"]).read_bytes()
    assert output["bytes"] == len(written)
    assert output["sha256"] == hashlib.sha256(written).hexdigest()
