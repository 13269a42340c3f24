"""`govcrawler demo`: the scheduled crawl (`govcrawler crawl --all --replay <captures>`) over the
bundled captures, offline, into data/ — ledger, run manifest and all. A second run archives
nothing new and says so. The captures include a challenge, a captcha and an empty page on
purpose: they are counted, kept pending and never exported, which is what the demo shows."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from govcrawler.cli import exit_codes
from govcrawler.cli.crawl import crawl_settings, data_folder, locked_crawl
from govcrawler.sites import all_profiles
from govcrawler.spiders.process import summary

# The bundled captures (the repository's fixtures/, shipped inside the package as well).
DEMO_CAPTURES = Path(__file__).resolve().parents[1] / "demo_captures"
# What the captures contain on purpose: pages that are not articles, and blocked pages.
EXPECTED_CLASSES = {"blocked", "content"}


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "demo",
        help="the scheduled crawl, offline, over the bundled captures (into data/)",
        description="Run `govcrawler crawl` over the bundled captures instead of the network: "
        "the real crawl, with its ledger and run manifest, into the data folder. A second run "
        "adds nothing.",
        epilog=exit_codes.HELP.replace(
            "1   something", "1   something beyond the captures' planted blocked/empty pages"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--fixtures",
        type=Path,
        default=DEMO_CAPTURES,
        help="capture folder (default: the bundled captures)",
    )
    parser.add_argument(
        "--data", type=Path, default=Path("data"), help="archive folder (default: %(default)s)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="Scrapy's INFO log")
    parser.add_argument("sites", nargs="*", help="site keys (default: every site with captures)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    fixtures: Path = args.fixtures
    if not fixtures.is_dir():
        raise ValueError(f"no capture folder at {fixtures} (pass --fixtures)")
    keys = args.sites or [k for k in all_profiles() if (fixtures / k).is_dir()]
    unknown = [k for k in keys if k not in all_profiles()]
    if unknown:
        raise ValueError(f"unknown site(s): {', '.join(unknown)}")
    crawl_args = argparse.Namespace(settings=[], data=args.data, replay=fixtures)
    result = locked_crawl(keys, {}, crawl_settings(crawl_args), verbose=args.verbose)
    if result is None:
        return exit_codes.LOCKED
    sites = result.manifest["sites"]
    exported = sum(
        site["counts"].get(o, 0) for site in sites.values() for o in ("new", "changed", "removed")
    )
    print(summary(result.manifest, result.written, data_folder(result.settings)))
    print()
    if exported:
        print(f"govcrawler demo: {exported} records archived from the bundled captures.")
    else:
        known = sum(site["counts"].get("known", 0) for site in sites.values())
        ledger = data_folder(result.settings) / "state.sqlite"
        print(
            f"govcrawler demo: nothing new, 0 records written: the {known} articles the list "
            f"pages linked this time are archived already (ledger: {ledger})."
        )
    unexpected = [
        key
        for key, site in sites.items()
        if site["status"] != "ok"
        and set(site.get("problem_classes") or ["error"]) - EXPECTED_CLASSES
    ]
    if unexpected:
        print(f"govcrawler demo: unexpected problems in {', '.join(unexpected)} (see above)")
        return exit_codes.for_sites([sites[k] for k in unexpected])
    print(
        "The captures include challenge, captcha and empty pages on purpose: they are counted, "
        "kept pending and never exported."
    )
    return exit_codes.OK
