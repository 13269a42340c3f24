"""Archive: captured pages on disk (the replay capture format) and replaying them into Scrapy."""
