"""govcrawler: an archival Scrapy crawler for China's discipline-inspection commission sites."""

__version__ = "0.1.0"
