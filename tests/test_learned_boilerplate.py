"""Cross-page boilerplate learning: recurring lines go, datelines and content stay, state persists."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from govcrawler.cleaning.learned import MIN_PAGES, BoilerplateLearner, learnable, strip_learned
from tests.conftest import DATA, ROOT

FOOTER = "本栏目由某某区纪委监委宣传部编辑制作"


def pages(n: int) -> list[list[str]]:
    return [
        ["某某区纪委监委讯", f"第{i}篇的正文内容，各不相同。", FOOTER, "联系我们：0000-1234567"]
        for i in range(n)
    ]


def test_lines_recurring_on_enough_pages_are_learned() -> None:
    learner = BoilerplateLearner()
    for lines in pages(MIN_PAGES - 1):
        learner.observe(lines)
    assert strip_learned([FOOTER], learner.learned()) == [FOOTER]  # not yet: too few pages
    learner.observe(pages(1)[0])
    learned = learner.learned()
    assert strip_learned(["正文。", FOOTER, "联系我们：0000-1234567"], learned) == ["正文。"]


def test_datelines_and_long_lines_are_never_learned() -> None:
    assert not learnable("某某区纪委监委讯")
    assert not learnable("中央纪委国家监委网站讯")
    assert not learnable("据安徽省纪委监委消息")
    assert not learnable("新华社北京3月1日电")
    assert not learnable("某某社北京3月1日电（记者 王五）会议指出")  # no outlet named in the rule
    assert not learnable("某某网十二月三日讯 近日")
    assert not learnable("很长的段落" * 30)
    learner = BoilerplateLearner()
    for lines in pages(10):
        learner.observe(lines)
    assert strip_learned(["某某区纪委监委讯"], learner.learned()) == ["某某区纪委监委讯"]


def test_learning_is_script_agnostic() -> None:
    learner = BoilerplateLearner()
    for _ in range(MIN_PAGES):
        learner.observe(["本欄目由某某區紀委監委宣傳部編輯製作"])
    assert strip_learned([FOOTER], learner.learned()) == []


def test_state_round_trips_and_a_missing_file_starts_fresh_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    learner = BoilerplateLearner()
    for lines in pages(6):
        learner.observe(lines)
    path = tmp_path / "state" / "site.json"
    learner.save(path)
    again = BoilerplateLearner.load(path)
    assert again.pages == 6 and again.learned() == learner.learned()
    with caplog.at_level(logging.WARNING):
        assert BoilerplateLearner.load(tmp_path / "missing.json").pages == 0
    assert caplog.records == []


@pytest.mark.parametrize(
    "damage",
    [
        b'{"pages": 6, "counts": {',  # a torn write from another tool
        b'{"pages": "six", "counts": {}}',
        b"[1, 2]",
        b"\xff\xfe not utf-8",
    ],
)
def test_a_corrupt_file_is_reported_kept_aside_and_learning_starts_fresh(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: bytes
) -> None:
    path = tmp_path / "state" / "site.json"
    path.parent.mkdir()
    path.write_bytes(damage)
    with caplog.at_level(logging.WARNING, logger="govcrawler.cleaning.learned"):
        learner = BoilerplateLearner.load(path)
    assert learner.pages == 0 and learner.learned() == frozenset()
    [kept] = path.parent.glob("site.json.corrupt-*")
    assert kept.read_bytes() == damage  # nothing lost: the bad file, byte for byte
    assert not path.exists()  # the next save starts a clean file
    [warning] = caplog.records
    assert warning.levelno == logging.WARNING
    assert str(path) in warning.getMessage() and str(kept) in warning.getMessage()
    learner.observe(["某某区纪委监委宣传部"])
    learner.save(path)
    assert BoilerplateLearner.load(path).pages == 1 and kept.read_bytes() == damage


def test_extract_learn_drops_shared_footers_and_keeps_datelines() -> None:
    files = sorted((DATA / "learning").glob("page_*.html"))

    def bodies(*flags: str) -> list[str]:
        out = subprocess.run(
            [sys.executable, "-m", "govcrawler.cli.main", "extract", *flags, *map(str, files)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return [json.loads(line)["body"] for line in out.splitlines()]

    plain, learned = bodies(), bodies("--learn")
    assert all(FOOTER in body for body in plain)  # no rule names this footer
    assert not any(FOOTER in body or "联系我们" in body for body in learned)
    assert all(body.startswith("某某区纪委监委讯\n") for body in learned)
