"""The capture format (fixtures/README.md): body bytes + `<name>.capture.json` (url, status, headers)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from govcrawler.archive.warc_reader import header_value
from govcrawler.extraction.urls import dedup_key

CAPTURE_SUFFIX = ".capture.json"


class CaptureError(ValueError):
    """A capture sidecar that is malformed or names a missing body file."""


@dataclass(frozen=True)
class Capture:
    name: str
    url: str
    status: int
    headers: dict[str, str]
    fetched_at: str
    body_path: Path
    expected_path: Path | None = field(default=None, compare=False)

    @property
    def body(self) -> bytes:
        return self.body_path.read_bytes()

    @property
    def content_type(self) -> str | None:
        return header_value(self.headers.items(), "Content-Type")


def read_capture(sidecar: Path) -> Capture:
    """Load one capture from its sidecar."""
    try:
        meta = json.loads(sidecar.read_text("utf-8"))
        name = sidecar.name[: -len(CAPTURE_SUFFIX)]
        body_path = sidecar.with_name(meta.get("body") or f"{name}.html")
        expected = sidecar.with_name(f"{name}.expected.json")
        capture = Capture(
            name=name,
            url=str(meta["url"]),
            status=int(meta.get("status", 200)),
            headers={str(k): str(v) for k, v in meta.get("headers", {}).items()},
            fetched_at=str(meta["fetched_at"]),
            body_path=body_path,
            expected_path=expected if expected.exists() else None,
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CaptureError(f"{sidecar}: {exc}") from exc
    if not body_path.is_file():
        raise CaptureError(f"{sidecar}: body file {body_path.name} is missing")
    return capture


def load_captures(folder: Path) -> list[Capture]:
    """Every capture under `folder` (recursively), sorted by path."""
    return [read_capture(p) for p in sorted(folder.rglob(f"*{CAPTURE_SUFFIX}"))]


class CaptureIndex:
    """Captures by canonical URL, for the replay download handler."""

    def __init__(self, captures: list[Capture]) -> None:
        self._by_url: dict[str, Capture] = {}
        for capture in captures:
            key = dedup_key(capture.url)
            if key in self._by_url:
                raise CaptureError(
                    f"two captures for {capture.url}: {self._by_url[key].name}, {capture.name}"
                )
            self._by_url[key] = capture

    @classmethod
    def from_folder(cls, folder: Path) -> CaptureIndex:
        if not folder.is_dir():
            raise CaptureError(f"replay folder {folder} does not exist")
        return cls(load_captures(folder))

    def get(self, url: str) -> Capture | None:
        return self._by_url.get(dedup_key(url))

    def urls(self) -> set[str]:
        return {c.url for c in self._by_url.values()}

    def __len__(self) -> int:
        return len(self._by_url)
