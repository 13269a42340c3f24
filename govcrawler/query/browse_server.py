"""Datasette over the browsing database: the app `govcrawler serve` runs (and the tests drive).

The database is opened by Datasette as a mutable file, which it reads through `mode=ro`
connections: SQLite itself refuses every write, whatever SQL the page is given, and the file
can still be brought up to date by `govcrawler serve --build-only` while a server runs.
"""

from __future__ import annotations

import asyncio
import importlib
import sqlite3
from pathlib import Path

import uvicorn
from datasette.app import Datasette
from datasette.database import Database
from datasette.plugins import pm

from govcrawler.query import browse_plugin
from govcrawler.query.browse_metadata import DATABASE, SETTINGS, metadata

TEMPLATES = Path(__file__).parent / "templates"


def has_cases(browse: Path) -> bool:
    """Whether the browsing database has the cases and persons tables."""
    conn = sqlite3.connect(browse.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return bool(
            conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='cases'"
            ).fetchone()
        )
    finally:
        conn.close()


def make_datasette(browse: Path, index: Path, replay: str | None = None) -> Datasette:
    """The Datasette app over `browse` (searching through `index`), started and ready."""
    # Datasette 0.65.5 prints every error with rich when rich is importable, also for a 404 that
    # raised nothing, and rich 15 then raises ValueError ("Value for 'trace' required"): the
    # error page becomes a crash. rich comes with wacz (frictionless → typer). Seen 2026-12-06.
    # (Imported here, after datasette.plugins: imported first, its hook would never register.)
    vars(importlib.import_module("datasette.handle_exception"))["rich"] = None
    if not pm.is_registered(browse_plugin):
        pm.register(browse_plugin, name=browse_plugin.NAME)
    meta = metadata(str(index.resolve()), replay, has_cases(browse))
    ds = Datasette(metadata=meta, settings=SETTINGS, template_dir=str(TEMPLATES))
    ds.add_database(Database(ds, path=str(browse.resolve()), is_mutable=True), name=DATABASE)
    asyncio.run(ds.invoke_startup())
    return ds


def serve(ds: Datasette, host: str, port: int) -> int:
    """Run the app until Ctrl-C; 0 when it served and was stopped, 1 when it could not run."""
    config = uvicorn.Config(ds.app(), host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else 1
