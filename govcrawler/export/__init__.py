"""Export: feed storage, feed URI parameters and item pipelines for the article JSONL."""
