"""What a person sees: `govcrawler sites` fits a 100-column terminal, and `stats --plot` draws a
screen-sized chart with one readable panel per site, however many sites there are."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from rich.cells import cell_len as display_width

from govcrawler.cli.main import main
from govcrawler.query.stats import PANELS, Row, plot_months, site_months
from govcrawler.sites import all_profiles


def test_sites_fits_a_100_column_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["sites"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(display_width(line) for line in lines) <= 100
    assert lines[0].split() == ["key", "name", "status", "evidence", "columns"]
    assert [line.split()[0] for line in lines[1:]] == list(all_profiles())
    ccdi = next(line for line in lines if line.startswith("ccdi "))
    assert "中央纪委国家监委" in ccdi and "captured" in ccdi and "执纪审查" in ccdi


def test_sites_wide_cuts_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["sites", "--wide"]) == 0
    out = capsys.readouterr().out
    assert "…" not in out
    for profile in all_profiles().values():
        assert " ".join(profile.domains) in out
        assert ", ".join(c.name for c in profile.columns) in out


def rows_for(sites: int, years: int = 5) -> list[Row]:
    """(site, month) rows: site i publishes i+1 articles in every third month, none undated
    except one site."""
    rows = [
        Row((f"site{i:02d}", f"{2020 + m // 12}-{m % 12 + 1:02d}"), i + 1, i + 1, 0)
        for i in range(sites)
        for m in range(0, 12 * years, 3)
    ]
    return [*rows, Row(("site00", "unknown"), 7, 7, 0)]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("sites", [1, 32])
def test_plot_is_screen_sized_at_any_site_count(tmp_path: Path, sites: int) -> None:
    chart = tmp_path / "months.png"
    plot_months(rows_for(sites), chart)
    width, height = png_size(chart)
    assert 800 <= width <= 1920 and 200 <= height <= 1200, (width, height)


def test_plot_has_one_panel_per_site_busiest_first_with_undated_counted() -> None:
    months, panels = site_months(rows_for(32))
    assert months[0] == "2020-01" and months[-1] == "2024-10" and len(months) == 58
    assert [name for name, _, _ in panels] == [f"site{i:02d}" for i in reversed(range(32))]
    assert panels[-1][2] == 7  # site00's undated articles are counted, not dropped
    assert all(sum(per_month) == 20 * (int(name[4:]) + 1) for name, per_month, _ in panels)


def test_plot_merges_sites_beyond_the_panel_limit_into_others() -> None:
    _, panels = site_months(rows_for(50))
    assert len(panels) == PANELS
    name, per_month, undated = panels[-1]
    assert name == f"others ({50 - PANELS + 1} sites)"
    assert sum(per_month) == sum(20 * (i + 1) for i in range(50 - PANELS + 1)) and undated == 7
