"""Cleaning: pure functions that turn page text into article text (no Scrapy here)."""
