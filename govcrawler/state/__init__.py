"""Crawl state: the SQLite ledger of what the archive holds and the rules that make reruns incremental.

`ledger` is pure data access (stdlib sqlite3), `rules` the pure decisions (due for a re-check?
which version? may pagination stop?), `locks` keeps two runs off the same site, `site_state` is
the per-crawl shell the spider, pipelines and the archive extension share, and `manifest` writes
the run manifest.
"""
