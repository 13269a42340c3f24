"""cdxj-indexer indexes our WARCs; `govcrawler wacz` packages them (with the `wacz` package) into a
WACZ that `wacz validate` accepts, its pages list naming every archived article version."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

from govcrawler.archive.warc_reader import warc_files
from govcrawler.cli.main import main
from govcrawler.cli.wacz import EXIT_FAILED, EXIT_USAGE
from tests.warc_crawls import chunked_archive, govcrawler, records_of, replay_archive

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent


def captures(files: list[Path]) -> dict[tuple[str, str], dict[str, Any]]:
    """(URL, 14-digit timestamp) → what an index should say of each response/revisit record."""
    found = {}
    for path in files:
        with path.open("rb") as fh:
            records = ArchiveIterator(fh)
            for record in records:
                if record.rec_type not in ("response", "revisit"):
                    continue
                headers = record.rec_headers
                record.raw_stream.read()
                url = headers.get_header("WARC-Target-URI")
                key = (url, iso_date_to_timestamp(headers.get_header("WARC-Date")))
                found.setdefault(key, {})[record.rec_type] = {
                    "digest": headers.get_header("WARC-Payload-Digest"),
                    "offset": str(records.get_record_offset()),
                    "length": str(records.get_record_length()),
                    "filename": path.name,
                }
    return found


def cdxj(lines: list[str]) -> list[tuple[str, str, dict[str, Any]]]:
    parsed = []
    for line in lines:
        urlkey, ts, fields = line.split(" ", 2)
        parsed.append((urlkey, ts, json.loads(fields)))
    return parsed


def test_cdxj_indexer_indexes_every_response_and_revisit() -> None:
    files = warc_files(replay_archive() / "warc")
    result = subprocess.run(
        [str(BIN / "cdxj-indexer"), *map(str, files)], capture_output=True, text=True, check=True
    )
    expected = captures(files)
    index = cdxj(result.stdout.splitlines())
    seen = set()
    for _, ts, fields in index:
        kind = "revisit" if fields["mime"] == "warc/revisit" else "response"
        want = expected[(fields["url"], ts)][kind]
        assert {k: fields[k] for k in want} == want
        seen.add((fields["url"], ts, kind))
    assert seen == {(u, t, kind) for (u, t), kinds in expected.items() for kind in kinds}
    assert any(f["mime"] == "warc/revisit" for _, _, f in index)


def zip_sha256(z: zipfile.ZipFile, name: str) -> str:
    return "sha256:" + hashlib.sha256(z.read(name)).hexdigest()


@pytest.fixture(scope="module")
def replay_wacz(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wacz") / "replay.wacz"
    result = govcrawler("wacz", "--data", str(replay_archive()), str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def validate(wacz: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "wacz"), "validate", "-f", str(wacz)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_wacz_passes_wacz_validate(replay_wacz: Path, tmp_path: Path) -> None:
    result = validate(replay_wacz)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation succeeded" in result.stdout
    chunked = tmp_path / "chunked.wacz"
    made = govcrawler("wacz", "--data", str(chunked_archive().data), str(chunked))
    assert made.returncode == 0, made.stderr
    assert validate(chunked).returncode == 0


def test_the_wacz_holds_the_warcs_unchanged_an_index_and_hashes_of_everything(
    replay_wacz: Path,
) -> None:
    data = replay_archive()
    with zipfile.ZipFile(replay_wacz) as z:
        names = set(z.namelist())
        for path in warc_files(data / "warc"):
            assert z.read(f"archive/{path.name}") == path.read_bytes()
        package = json.loads(z.read("datapackage.json"))
        resources = {r["path"]: r for r in package["resources"]}
        assert set(resources) == names - {"datapackage.json", "datapackage-digest.json"}
        for name, resource in resources.items():
            assert resource["hash"] == zip_sha256(z, name)
        digest = json.loads(z.read("datapackage-digest.json"))
        assert digest["hash"] == zip_sha256(z, "datapackage.json")
        index = cdxj(gzip.decompress(z.read("indexes/index.cdx.gz")).decode().splitlines())
    assert {(f["url"], ts) for _, ts, f in index} == set(captures(warc_files(data / "warc")))
    assert package["title"] == "govcrawler: anhui, guangxi"


def test_the_pages_list_names_every_article_version_with_its_title(replay_wacz: Path) -> None:
    with zipfile.ZipFile(replay_wacz) as z:
        header, *pages = [json.loads(x) for x in z.read("pages/pages.jsonl").splitlines()]
    assert header["format"] == "json-pages-1.0"
    records = [r for r in records_of(replay_archive()) if not r.get("removed")]
    assert len(records) == len(pages) > 0
    assert sorted((p["title"], p["ts"]) for p in pages) == sorted(
        (r["title"], r["fetched_at"]) for r in records
    )
    urls = {p["url"] for p in pages}
    assert any("gxjjw" in u for u in urls) and any("ahjjjc" in u for u in urls)


def test_a_changed_byte_fails_wacz_validate(replay_wacz: Path, tmp_path: Path) -> None:
    """The validation above can fail: a WARC altered inside the WACZ no longer matches."""
    altered = tmp_path / "altered.wacz"
    with zipfile.ZipFile(replay_wacz) as src, zipfile.ZipFile(altered, "w") as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename.startswith("archive/") and info.filename.endswith(".warc.gz"):
                content = content[:-3] + bytes([content[-3] ^ 1]) + content[-2:]
            dst.writestr(info, content)
    assert validate(altered).returncode == 1


def test_site_filter_and_usage_errors(tmp_path: Path) -> None:
    data = replay_archive()
    out = tmp_path / "anhui.wacz"
    result = govcrawler("wacz", "--data", str(data), "--site", "anhui", str(out))
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as z:
        archived = [n for n in z.namelist() if n.startswith("archive/")]
        pages = z.read("pages/pages.jsonl").decode()
    assert archived and all(n.startswith("archive/anhui-") for n in archived)
    assert "gxjjw" not in pages and "ahjjjc" in pages
    assert govcrawler("wacz", "--data", str(tmp_path), str(out)).returncode == EXIT_USAGE
    assert govcrawler("wacz", "--data", str(data), str(tmp_path / "x.zip")).returncode == EXIT_USAGE


def test_site_takes_commas_as_query_and_reextract_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "warc").mkdir()
    code = main(["wacz", "--data", str(tmp_path), "--site", "anhui,ccdi", str(tmp_path / "o.wacz")])
    assert code == EXIT_USAGE and "of anhui, ccdi" in capsys.readouterr().err


def test_a_warc_file_the_wacz_package_cannot_read_fails_and_leaves_no_output(
    tmp_path: Path,
) -> None:
    (tmp_path / "warc").mkdir()
    (tmp_path / "warc" / "x-20200101T000000Z-00000.warc.gz").write_bytes(gzip.compress(b"junk"))
    out = tmp_path / "out.wacz"
    result = govcrawler("wacz", "--data", str(tmp_path), str(out))
    assert result.returncode == EXIT_FAILED
    assert "wacz create failed: ArchiveLoadFailed" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["warc"]
