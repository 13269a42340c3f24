"""The loopback-only network guard (`sitecustomize.py`, so that child processes load it too)."""
