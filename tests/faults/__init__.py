"""The fault-injection server and the small site it serves, for crawling tests."""
