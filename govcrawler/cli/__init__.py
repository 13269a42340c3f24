"""Command line: `govcrawler demo | extract | sites` (crawls themselves run with `scrapy crawl`)."""
