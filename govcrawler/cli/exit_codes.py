"""Exit codes of `govcrawler crawl`, `govcrawler demo` and `scrapy crawl`, from the run manifest.

0 every site archived everything it was asked to; 1 something is pending, blocked, failed or
raised (see the summary and the manifest); 2 usage error (nothing ran); 3 only network failures
(DNS, refused, timeouts, TLS): probably this machine's connection, not the sites; 4 only drift
(a profile parted from its site's pages: what discovery and the generic extractor could stand in
for was archived, and nothing is pending; a site was redesigned); 75 another run holds the lock
(EX_TEMPFAIL: the next scheduled run tries again).
"""

from __future__ import annotations

from typing import Any

OK = 0
FAILED = 1
USAGE = 2
NETWORK = 3
DRIFT = 4
LOCKED = 75

HELP = """exit codes:
  0   every site archived everything it was asked to
  1   something is pending, blocked, failed or raised (see the summary and the run manifest)
  2   usage error: nothing ran
  3   only network failures (DNS, refused, timeout, TLS): check this machine's connection
  4   only drift: a profile no longer fits its site's pages; what they showed was archived
      (a site was redesigned: govcrawler check-site KEY --live)
  75  another run holds the lock: the next scheduled run tries again"""


def for_sites(reports: list[dict[str, Any]]) -> int:
    """The exit code of a run whose sites reported `reports` (manifest site entries)."""
    if all(r.get("status") == "ok" for r in reports):
        return OK
    classes = {
        c for r in reports if r.get("status") != "ok" for c in r.get("problem_classes") or ["error"]
    }
    if classes == {"network"}:
        return NETWORK
    if classes == {"drift"}:
        return DRIFT
    return FAILED
