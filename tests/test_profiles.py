"""Every bundled profile loads; a broken profile fails at load time naming file and key."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from govcrawler.sites import PROFILE_DIR, ProfileError, all_profiles, load_profile
from govcrawler.sites.minimal import minimal_profile, minimal_toml

VALID = """
key = "{key}"
name = "某省纪委监委"
domains = ["www.example.gov.cn"]
[[columns]]
name = "审查调查"
url = "http://www.example.gov.cn/scdc/index.html"
[list]
article_url = '/t\\d{{8}}_\\d+\\.html$'
[evidence]
status = "described"
date = "2018-06-07"
"""


def write(tmp_path: Path, text: str, key: str = "demo") -> Path:
    path = tmp_path / f"{key}.toml"
    top_level = not text.startswith("[")  # a top-level key must come before the first table
    body = text + VALID.format(key=key) if top_level else VALID.format(key=key) + text
    path.write_text(body, "utf-8")
    return path


@pytest.mark.parametrize("path", sorted(PROFILE_DIR.glob("*.toml")), ids=lambda p: p.stem)
def test_every_bundled_profile_loads(path: Path) -> None:
    profile = load_profile(path)
    assert profile.key == path.stem
    assert profile.columns and profile.domains
    assert all(profile.allows(c.url) for c in profile.columns)
    assert profile.evidence.status in ("captured", "described")


def test_bundled_profiles_include_ccdi_and_anhui() -> None:
    assert {"ccdi", "anhui"} <= set(all_profiles())


def test_minimal_profile_loads(tmp_path: Path) -> None:
    profile = load_profile(write(tmp_path, ""))
    assert profile.pagination.kind == "none"
    assert (
        profile.column_for("http://www.example.gov.cn/scdc/202001/t20200101_1.html") == "审查调查"
    )


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ("colour = 'red'\n", "'colour'"),
        ("[article]\ntitel = 'h1'\n", "'article.titel'"),
        ("[article]\ntitle = 'h2..tit'\n", "'article.title'"),
        ("[article]\nbody = 'xpath://div[@class='\n", "'article.body'"),
        ("[pagination]\nkind = 'infinite'\n", "'pagination.kind'"),
        ("[pagination]\nkind = 'next_link'\n", "'pagination.next_link'"),
        ("[politeness]\ndownload_delay = 'slow'\n", "'politeness.download_delay'"),
        ("id_pattern = '(unclosed'\n", "'id_pattern'"),
    ],
)
def test_broken_profiles_fail_loudly(tmp_path: Path, extra: str, named: str) -> None:
    path = write(tmp_path, extra)
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    assert str(path) in str(err.value) and named in str(err.value)


def test_missing_required_key(tmp_path: Path) -> None:
    path = tmp_path / "demo.toml"
    path.write_text(VALID.format(key="demo").replace('name = "某省纪委监委"\n', ""), "utf-8")
    with pytest.raises(ProfileError, match="'name'"):
        load_profile(path)


def test_key_must_match_file_name(tmp_path: Path) -> None:
    path = tmp_path / "other.toml"
    path.write_text(VALID.format(key="demo"), "utf-8")
    with pytest.raises(ProfileError, match="file name"):
        load_profile(path)


def test_profile_of_key_name_domains_and_columns_only_loads(tmp_path: Path) -> None:
    """A minimal profile (issue 14): no [list], no [pagination], no [evidence]."""
    path = tmp_path / "demo.toml"
    path.write_text(
        'key = "demo"\nname = "某市纪委监委"\ndomains = ["www.example.gov.cn"]\n'
        '[[columns]]\nname = "审查调查"\nurl = "http://www.example.gov.cn/scdc/"\n',
        "utf-8",
    )
    profile = load_profile(path)
    assert profile.list.items is None and profile.list.article_url is None
    assert profile.evidence.status == "inferred" and profile.evidence.date == ""


def test_minimal_profile_is_what_its_minimal_file_loads_as(tmp_path: Path) -> None:
    """minimal_profile and minimal_toml describe one thing: every rule table dropped, [files]
    included, whatever the full profile held."""
    full = load_profile(
        write(
            tmp_path,
            "id_pattern = '_(\\d+)\\.html$'\nboilerplate = [\"版权所有\"]\n",
            key="full",
        )
    )
    full = replace(full, files=replace(full.files, images=False, hosts=("files.example.cn",)))
    path = tmp_path / "small" / "full.toml"
    path.parent.mkdir()
    path.write_text(minimal_toml(full), "utf-8")
    assert minimal_profile(full) == replace(load_profile(path), path=None)


def test_inferred_status_is_accepted_and_a_partial_evidence_table_is_not(tmp_path: Path) -> None:
    inferred = VALID.replace('status = "described"', 'status = "inferred"')
    path = tmp_path / "demo.toml"
    path.write_text(inferred.format(key="demo"), "utf-8")
    assert load_profile(path).evidence.status == "inferred"
    path.write_text(VALID.format(key="demo").replace('date = "2018-06-07"\n', ""), "utf-8")
    with pytest.raises(ProfileError, match=r"'evidence\.date'"):
        load_profile(path)


def test_an_empty_list_table_is_discovery_but_a_date_alone_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    path.write_text(path.read_text("utf-8").replace("article_url", "date = 'span'\n#"), "utf-8")
    with pytest.raises(ProfileError, match="needs 'article_url'"):
        load_profile(path)
