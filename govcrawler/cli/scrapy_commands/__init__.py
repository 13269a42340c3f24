"""Scrapy commands of the project (COMMANDS_MODULE): `scrapy crawl` with govcrawler's checks."""
