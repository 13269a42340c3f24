"""Crawl state: the SQLite ledger of what the archive holds and the rules that make reruns incremental.

`ledger` is pure data access (stdlib sqlite3), `rules` the pure decisions (due for a re-check?
which version? may pagination stop?), `locks` keeps two runs off the same site, `site_state` is one
site's ledger seen through the rules during a crawl, `crawl_state` the Scrapy extension that owns
it (lock, ledger, walks, manifest entry), `manifest` the run manifest, `files` names, fsyncs and
hashes the files that outlive a run.
"""
