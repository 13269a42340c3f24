"""A file feed storage that never shows a half-written file: write `<name>.part`, rename at close."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import IO, Any

from scrapy.extensions.feedexport import FileFeedStorage

from govcrawler.state.files import part_path


class AtomicFileFeedStorage(FileFeedStorage):
    """Like Scrapy's FileFeedStorage, but readers only ever see complete files.

    Appending (`-o`) to an existing file copies it to the temporary name first, so the rename
    still replaces it in one step. A killed run leaves only `<name>.part` behind.
    """

    def open(self, spider: Any) -> IO[bytes]:
        final = Path(self.path)
        final.parent.mkdir(parents=True, exist_ok=True)
        part = part_path(final)
        if self.write_mode == "ab" and final.exists():
            shutil.copyfile(final, part)
        else:
            part.unlink(missing_ok=True)
        return part.open(self.write_mode)

    def store(self, file: IO[bytes]) -> None:
        file.flush()
        os.fsync(file.fileno())
        file.close()
        final = Path(self.path)
        os.replace(part_path(final), final)
