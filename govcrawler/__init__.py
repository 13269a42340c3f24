"""govcrawler: an archival Scrapy crawler for China's discipline-inspection commission sites."""

import os

__version__ = "0.1.0"

# No run downloads the public suffix list. Scrapy's cookie middleware builds a tldextract
# extractor when it is imported, and tldextract fetches the list over HTTP on first use unless
# this variable names other sources; empty means none, so the snapshot that ships with
# tldextract (>= 5.4) is used — offline replays and demos make no network attempt, and live
# crawls do not depend on publicsuffix.org. Set before anything imports Scrapy's middlewares
# (every entry point imports this package first); a value the user set is kept.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
