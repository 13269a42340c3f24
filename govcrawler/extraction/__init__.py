"""Extraction: pure functions from page bytes/HTML to article fields (no Scrapy here)."""
