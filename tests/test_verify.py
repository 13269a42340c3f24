"""Fixity: the run manifest lists every WARC file a run wrote (size, sha256), and `govcrawler
verify` re-hashes the archive against the manifests, naming any file changed or missing."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from govcrawler.archive.fixity import verify, warc_entries
from govcrawler.archive.warc_reader import warc_files
from govcrawler.cli.verify import EXIT_CHANGED, EXIT_USAGE
from tests.conftest import ROOT
from tests.warc_crawls import chunked_archive, govcrawler, replay_archive

pytestmark = pytest.mark.e2e


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A private copy of the replay crawl's data folder (two runs of two sites), to damage."""
    data = tmp_path / "data"
    shutil.copytree(replay_archive(), data)
    return data


def manifest_files(data: Path, key: str) -> dict[str, dict[str, object]]:
    return {
        entry["path"]: entry
        for path in sorted((data / "runs").glob("*.json"))
        for site in json.loads(path.read_text("utf-8"))["sites"].values()
        for entry in site[key]
    }


def test_the_run_manifests_list_every_warc_file_with_size_and_sha256() -> None:
    for data in (replay_archive(), chunked_archive().data):  # govcrawler crawl, scrapy crawl
        listed = manifest_files(data, "warc")
        on_disk = warc_files(data / "warc")
        assert sorted(listed) == sorted(p.relative_to(data).as_posix() for p in on_disk)
        for path in on_disk:
            entry = listed[path.relative_to(data).as_posix()]
            assert entry["bytes"] == path.stat().st_size
            assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_warc_entries_paths_are_relative_inside_the_data_folder_else_absolute(
    tmp_path: Path,
) -> None:
    inside, outside = tmp_path / "data" / "warc" / "a.warc.gz", tmp_path / "b.warc.gz"
    inside.parent.mkdir(parents=True)
    inside.write_bytes(b"one")
    outside.write_bytes(b"two")
    entries = warc_entries([outside, inside, inside], tmp_path / "data")
    assert entries == [
        {"path": str(outside.resolve()), "bytes": 3, "sha256": hashlib.sha256(b"two").hexdigest()},
        {"path": "warc/a.warc.gz", "bytes": 3, "sha256": hashlib.sha256(b"one").hexdigest()},
    ]


def test_verify_passes_an_untouched_archive(archive: Path) -> None:
    result = govcrawler("verify", "--data", str(archive))
    assert result.returncode == 0, result.stdout + result.stderr
    jsonl = len(list((archive / "articles").rglob("*.jsonl")))
    warcs = len(warc_files(archive / "warc"))
    assert jsonl == 2 and warcs == 4  # two sites; the second run wrote WARCs but no records
    assert result.stdout.strip().splitlines()[-1] == (
        f"{jsonl + warcs} file(s) listed in 2 run manifest(s): "
        f"{jsonl + warcs} as written, 0 changed or missing"
    )


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x20
    path.write_bytes(bytes(data))


def test_verify_detects_one_flipped_byte_in_a_jsonl_and_in_a_warc_file(archive: Path) -> None:
    jsonl = sorted((archive / "articles").rglob("*.jsonl"))[0]
    warc = warc_files(archive / "warc")[-1]
    flip_a_byte(jsonl)
    flip_a_byte(warc)
    result = govcrawler("verify", "--data", str(archive))
    assert result.returncode == EXIT_CHANGED
    changed = [line for line in result.stdout.splitlines() if line.startswith("changed: ")]
    assert sorted(line.split()[1] for line in changed) == sorted(
        p.relative_to(archive).as_posix() for p in (jsonl, warc)
    )
    assert all("sha256 " in line and "the manifest says" in line for line in changed)
    assert "4 as written, 2 changed or missing" in result.stdout


def test_verify_detects_a_missing_or_truncated_file_and_names_unlisted_ones(archive: Path) -> None:
    gone = warc_files(archive / "warc")[0]
    gone.unlink()
    cut = sorted((archive / "articles").rglob("*.jsonl"))[-1]
    cut.write_bytes(cut.read_bytes()[:-1])
    extra = archive / "articles" / "anhui" / "20990101T000000Z.jsonl"
    extra.write_text("{}\n", "utf-8")
    report = verify(archive)
    assert not report.ok
    assert sorted((f.problem, f.listed.path) for f in report.findings) == sorted(
        [
            ("missing", gone.relative_to(archive).as_posix()),
            ("changed", cut.relative_to(archive).as_posix()),
        ]
    )
    assert report.unlisted == ["articles/anhui/20990101T000000Z.jsonl"]


def test_an_unlisted_file_alone_is_named_but_not_a_failure(archive: Path) -> None:
    (archive / "warc" / "old-20200101T000000Z-00000.warc.gz").write_bytes(b"")
    result = govcrawler("verify", "--data", str(archive))
    assert result.returncode == 0
    assert "not in any manifest: warc/old-20200101T000000Z-00000.warc.gz" in result.stdout


def test_an_unreadable_manifest_fails_the_check(archive: Path) -> None:
    manifest = sorted((archive / "runs").glob("*.json"))[0]
    manifest.write_text(manifest.read_text("utf-8")[:-20], "utf-8")
    result = govcrawler("verify", "--data", str(archive))
    assert result.returncode == EXIT_CHANGED
    assert f"unreadable manifest runs/{manifest.name}" in result.stdout


def test_usage_errors_exit_2_and_help_states_the_exit_codes(tmp_path: Path) -> None:
    assert govcrawler("verify", "--data", str(tmp_path / "none")).returncode == EXIT_USAGE
    assert govcrawler("verify", "--data", str(tmp_path)).returncode == EXIT_USAGE  # no runs/
    usage = govcrawler("verify", "--help").stdout
    assert "exit status:" in usage and "changed or is missing" in usage


def test_a_killed_runs_warc_completed_by_the_next_run_is_in_its_manifest(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "warc").mkdir(parents=True)
    earlier = next(p for p in warc_files(replay_archive() / "warc") if p.name.startswith("anhui-"))
    killed = data / "warc" / "anhui-20200101T000000Z-00000.warc.gz"
    shutil.copyfile(earlier, killed.with_name(killed.name + ".part"))
    result = govcrawler(
        *("crawl", "anhui", "--data", str(data)),
        *("-s", f"GOVCRAWLER_REPLAY={ROOT / 'fixtures'}", "-s", "GOVCRAWLER_BOILERPLATE_DIR="),
    )
    assert result.returncode == 1, result.stderr[-3000:]  # only the captures' planted empty page
    listed = manifest_files(data, "warc")
    assert sorted(listed) == sorted(p.relative_to(data).as_posix() for p in warc_files(data))
    assert listed["warc/anhui-20200101T000000Z-00000.warc.gz"]["bytes"] == earlier.stat().st_size
