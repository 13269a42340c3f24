"""Spiders: one generic SiteSpider; `spiders.sites` makes one spider per profile."""
