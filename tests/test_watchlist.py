"""`watch add/remove/list` edit a hand-written file, so these tests compare whole texts:
anything outside the edited table that changes by a single byte is a bug."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tracker.config import load_config
from tracker.tickers import tickers
from tracker.watchlist import (
    WatchError,
    WatchRow,
    add_watch,
    format_rows,
    list_watch,
    remove_watch,
)

from conftest import EXAMPLE_CONFIG

EXAMPLE = EXAMPLE_CONFIG
AAPL_BLOCK = '\n[[companies]]\nticker = "AAPL"\ncik = 320193\nname = "Apple Inc."\n'
HEAD = '[edgar]\nuser_agent = "Example Research ops@example.com"\n\n[slack]\n'
THREE = (
    HEAD
    + """\
default_channel = "#filings"

# Companies we watch
[[companies]]
ticker = "BPUR"   # delisted
cik = 815508
# forms = ["8-K"]

# Apple: only results
[[companies]]
ticker = "AAPL"
categories = [
    "results",  # earnings
    # "legal",
]
# channel = "#apple"

[[companies]]
cik = 1682852     # Moderna, by CIK only
"""
)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A refreshed snapshot in ./state would make results depend on the machine, and each
    test's lock file would otherwise be left behind in the system temp dir."""
    monkeypatch.setenv("TRACKER_STATE", str(tmp_path / "no-state"))
    locks = tmp_path / "locks"
    locks.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(locks))


@pytest.fixture
def example(tmp_path: Path) -> Path:
    path = tmp_path / "watch.toml"
    path.write_bytes(EXAMPLE.read_bytes())
    return path


@pytest.fixture
def three(tmp_path: Path) -> Path:
    path = tmp_path / "three.toml"
    path.write_text(THREE)
    return path


def test_add_by_ticker_appends_resolved_table_and_keeps_the_rest(example: Path) -> None:
    before = example.read_text()
    row = add_watch(str(example), "aapl")
    assert row == WatchRow(
        cik=320193, ticker="AAPL", name="Apple Inc.", channel=None, categories=None, forms=None
    )
    assert example.read_text() == before + AAPL_BLOCK
    assert load_config(str(example)).company(320193) is not None


@pytest.mark.parametrize(
    ("ident", "block"),
    [
        ("320193", AAPL_BLOCK),
        ("0000320193", AAPL_BLOCK),
        (
            "1067983",
            '\n[[companies]]\nticker = "BRK-B"\ncik = 1067983\nname = "BERKSHIRE HATHAWAY INC"\n',
        ),
        ("0001234567", "\n[[companies]]\ncik = 1234567\n"),
    ],
)
def test_add_by_cik_takes_ticker_and_name_from_snapshot_when_known(
    example: Path, ident: str, block: str
) -> None:
    assert 1234567 not in {cik for cik, _ in tickers().values()}
    before = example.read_text()
    row = add_watch(str(example), ident)
    assert example.read_text() == before + block
    assert row.cik == int(ident)
    assert [c.cik for c in load_config(str(example)).companies] == [815508, int(ident)]


def test_add_with_options_writes_keys_in_contract_order(example: Path) -> None:
    before = example.read_text()
    row = add_watch(
        str(example),
        "BRK.B",
        channel="#value",
        categories=["financing", "legal"],
        forms=["8-k", " 424B "],
    )
    assert example.read_text() == before + (
        '\n[[companies]]\nticker = "BRK.B"\ncik = 1067983\nname = "BERKSHIRE HATHAWAY INC"\n'
        'channel = "#value"\ncategories = ["financing", "legal"]\nforms = ["8-K", "424B"]\n'
    )
    assert row == WatchRow(
        cik=1067983,
        ticker="BRK.B",
        name="BERKSHIRE HATHAWAY INC",
        channel="#value",
        categories=("financing", "legal"),
        forms=("8-K", "424B"),
    )


MSFT_BLOCK = '\n[[companies]]\nticker = "MSFT"\ncik = 789019\nname = "MICROSOFT CORP"\n'


@pytest.mark.parametrize(
    ("tail", "expected_tail"),
    [
        (
            "\n# state tuning\n[state]\nkeep_delivered_days = 30\n",
            MSFT_BLOCK + "\n# state tuning\n[state]\nkeep_delivered_days = 30\n",
        ),
        # a comment glued to the next header introduces that header, so the new table goes above it
        (
            "# state tuning\n[state]\nkeep_delivered_days = 30\n",
            MSFT_BLOCK + "\n# state tuning\n[state]\nkeep_delivered_days = 30\n",
        ),
    ],
)
def test_add_goes_after_last_company_not_at_end_of_file(
    tmp_path: Path, tail: str, expected_tail: str
) -> None:
    path = tmp_path / "w.toml"
    path.write_text(THREE + tail)
    add_watch(str(path), "MSFT")
    assert path.read_text() == THREE + expected_tail


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HEAD + 'default_channel = "#f"\n', HEAD + 'default_channel = "#f"\n' + AAPL_BLOCK),
        (HEAD + 'default_channel = "#f"', HEAD + 'default_channel = "#f"\n' + AAPL_BLOCK),
        (HEAD + "\n", HEAD + "\n" + AAPL_BLOCK[1:]),
    ],
)
def test_add_to_a_config_without_companies_appends_at_the_end(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "w.toml"
    path.write_text(text)
    add_watch(str(path), "AAPL")
    assert path.read_text() == expected


def test_add_keeps_crlf_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "w.toml"
    original = EXAMPLE.read_text().replace("\n", "\r\n").encode()
    path.write_bytes(original)
    add_watch(str(path), "AAPL")
    assert path.read_bytes() == original + AAPL_BLOCK.replace("\n", "\r\n").encode()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (None, "815508"),  # listed by cik in the file
        (None, "0000815508"),
        ("AAPL", "aapl"),  # same ticker again
        ("AAPL", "320193"),  # same company by CIK
        ("320193", "AAPL"),
    ],
)
def test_adding_a_watched_company_is_refused(example: Path, first: str | None, second: str) -> None:
    if first:
        add_watch(str(example), first)
    before = example.read_bytes()
    with pytest.raises(WatchError, match="already watched") as err:
        add_watch(str(example), second)
    assert str(example) in str(err.value)
    assert example.read_bytes() == before


def test_ticker_only_entry_counts_as_its_cik(tmp_path: Path) -> None:
    path = tmp_path / "w.toml"
    path.write_text(HEAD + '\n[[companies]]\nticker = "MSFT"\n')
    with pytest.raises(WatchError, match=r"MSFT \(CIK 789019\) is already watched"):
        add_watch(str(path), "789019")


def test_unknown_ticker_lists_close_matches(example: Path) -> None:
    before = example.read_bytes()
    with pytest.raises(WatchError, match=r"unknown ticker 'MODRNA'.*close matches: MRNA"):
        add_watch(str(example), "MODRNA")
    assert example.read_bytes() == before


@pytest.mark.parametrize("ident", ["", "not a ticker", "0", "00000000000", "12345678901"])
def test_malformed_identifier_is_refused(example: Path, ident: str) -> None:
    with pytest.raises(WatchError, match=r"ticker|CIK"):
        add_watch(str(example), ident)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"channel": "biopure"}, r"watch\.toml: new entry: channel: 'biopure' is not a channel"),
        ({"categories": ["fda", "gossip"]}, "unknown category 'gossip'"),
        ({"forms": [""]}, "must be a list of form types"),
    ],
)
def test_invalid_values_are_refused_without_touching_the_file(
    example: Path, options: dict[str, object], message: str
) -> None:
    before = example.read_bytes()
    with pytest.raises(WatchError, match=message) as err:
        add_watch(str(example), "MRNA", **options)  # type: ignore[arg-type]
    assert "nothing was changed" in str(err.value)
    assert example.read_bytes() == before
    assert sorted(os.listdir(example.parent)) == ["locks", example.name]


def test_existing_error_is_reported_with_its_line_on_disk(example: Path) -> None:
    text = example.read_text().replace('channel = "#biopure"', 'channel = "biopure"')
    example.write_text(text)
    line = (
        text.splitlines().index('channel = "biopure"        # optional, else slack.default_channel')
        + 1
    )
    with pytest.raises(WatchError, match=rf"watch\.toml:{line}: channel: 'biopure'"):
        add_watch(str(example), "AAPL")
    assert example.read_text() == text


@pytest.mark.parametrize(
    "edit",
    [
        lambda p: add_watch(p, "AAPL"),
        lambda p: remove_watch(p, "BPUR"),
    ],
)
def test_invalid_toml_is_refused_without_touching_the_file(
    example: Path, edit: Callable[[str], WatchRow]
) -> None:
    broken = example.read_text() + '\n[[companies]\nticker = "X\n'
    example.write_text(broken)
    with pytest.raises(WatchError, match=r"watch\.toml: invalid TOML.*line") as err:
        edit(str(example))
    assert "\n" not in str(err.value)
    assert example.read_text() == broken


def test_inline_companies_array_is_left_to_the_user(tmp_path: Path) -> None:
    path = tmp_path / "w.toml"
    text = "companies = [{ cik = 815508 }]\n" + HEAD
    path.write_text(text)
    with pytest.raises(WatchError, match="edit the file by hand"):
        add_watch(str(path), "AAPL")
    assert path.read_text() == text


def test_missing_config_tells_user_to_create_it(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(WatchError, match=r"absent\.toml: does not exist; create it.*watch\.toml"):
        add_watch(str(path), "AAPL")
    assert not path.exists()


REMOVED_AAPL = THREE.replace(
    """\
# Apple: only results
[[companies]]
ticker = "AAPL"
categories = [
    "results",  # earnings
    # "legal",
]
# channel = "#apple"

""",
    "",
)
# The heading above the first table is the file's, so it stays, with its blank line.
REMOVED_BPUR = THREE.replace(
    """\
[[companies]]
ticker = "BPUR"   # delisted
cik = 815508
# forms = ["8-K"]
""",
    "",
)
REMOVED_MRNA = THREE.replace(
    """
[[companies]]
cik = 1682852     # Moderna, by CIK only
""",
    "",
)


@pytest.mark.parametrize(
    ("ident", "expected", "cik"),
    [
        ("aapl", REMOVED_AAPL, 320193),  # ticker as written, any case
        ("320193", REMOVED_AAPL, 320193),  # ticker-only entry, found by its resolved CIK
        ("BPUR", REMOVED_BPUR, 815508),  # ticker not in SEC's list: as written
        ("0000815508", REMOVED_BPUR, 815508),
        ("MRNA", REMOVED_MRNA, 1682852),  # cik-only entry, found by the resolved ticker
        ("1682852", REMOVED_MRNA, 1682852),
    ],
)
def test_remove_deletes_the_whole_table_and_nothing_else(
    three: Path, ident: str, expected: str, cik: int
) -> None:
    row = remove_watch(str(three), ident)
    assert row.cik == cik
    assert three.read_text() == expected
    assert cik not in {c.cik for c in load_config(str(three)).companies}


def test_remove_returns_the_removed_company(three: Path) -> None:
    assert remove_watch(str(three), "AAPL") == WatchRow(
        cik=320193,
        ticker="AAPL",
        name="Apple Inc.",
        channel=None,
        categories=("results",),
        forms=None,
    )


def test_remove_only_company_keeps_file_comments(example: Path) -> None:
    before = example.read_text()
    remove_watch(str(example), "815508")
    assert example.read_text() == before[: before.index("\n\n[[companies]]") + 1]
    assert load_config(str(example)).companies == ()


def test_add_then_remove_restores_the_file_byte_for_byte(example: Path) -> None:
    before = example.read_bytes()
    add_watch(str(example), "MRNA", channel="#vaccines", categories=["fda", "financing"])
    add_watch(str(example), "AAPL")
    remove_watch(str(example), "AAPL")
    remove_watch(str(example), "mrna")
    assert example.read_bytes() == before


def test_remove_unknown_lists_what_is_watched(three: Path) -> None:
    before = three.read_bytes()
    with pytest.raises(
        WatchError,
        match=r"'MSFT' is not watched \(watched: BPUR, AAPL, "
        r"CIK 1682852\)",
    ):
        remove_watch(str(three), "MSFT")
    assert three.read_bytes() == before


def test_list_in_file_order(three: Path) -> None:
    assert list_watch(str(three)) == [
        WatchRow(815508, "BPUR", None, None, None, None),
        WatchRow(320193, "AAPL", "Apple Inc.", None, ("results",), None),
        WatchRow(1682852, None, None, None, None, None),
    ]


def test_list_of_example_and_format(example: Path) -> None:
    rows = list_watch(str(example))
    assert rows == [
        WatchRow(
            815508,
            "BPUR",
            "Biopure Corp",
            "#biopure",
            ("fda", "financing", "workforce", "results"),
            None,
        )
    ]
    rows.append(WatchRow(320193, "AAPL", "Apple Inc.", None, None, ("8-K",)))
    lines = format_rows(rows).splitlines()
    assert lines[0].split() == ["TICKER", "CIK", "NAME", "CHANNEL", "CATEGORIES", "FORMS"]
    assert lines[1].split("  ")[0] == "BPUR"
    assert "fda,financing,workforce,results" in lines[1]
    assert "(default)" in lines[2] and "(all)" in lines[1]
    for column in ("CIK", "NAME", "CHANNEL", "CATEGORIES", "FORMS"):
        start = lines[0].index(column)
        assert all(line[start - 2 : start] == "  " and line[start] != " " for line in lines)


def test_format_empty() -> None:
    assert format_rows([]) == "(no companies watched)"


def test_list_reports_invalid_config_as_watch_error(tmp_path: Path) -> None:
    path = tmp_path / "w.toml"
    path.write_text("[edgar]\n")
    with pytest.raises(WatchError, match=r"w\.toml.*user_agent"):
        list_watch(str(path))


def test_write_keeps_permissions_and_leaves_no_temp_files(example: Path) -> None:
    example.chmod(0o640)
    add_watch(str(example), "AAPL")
    assert stat.S_IMODE(example.stat().st_mode) == 0o640
    assert sorted(os.listdir(example.parent)) == ["locks", example.name]


def test_symlinked_config_stays_a_symlink(example: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.toml"
    link.symlink_to(example)
    add_watch(str(link), "AAPL")
    assert link.is_symlink()
    assert load_config(str(example)).company(320193) is not None


def test_concurrent_adds_are_all_kept(example: Path) -> None:
    names = ["AAPL", "MSFT", "MRNA", "BRK.B", "AAP", "320193"]
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        results = list(pool.map(lambda t: _try_add(str(example), t), names))
    assert sum(r == "already" for r in results) == 1  # AAPL and 320193 are one company
    assert len(load_config(str(example)).companies) == 6


def _try_add(path: str, ident: str) -> str:
    try:
        add_watch(path, ident)
    except WatchError as exc:
        assert "already watched" in str(exc)
        return "already"
    return "added"


def test_file_changed_during_edit_is_not_overwritten(
    example: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracker.watchlist as watchlist

    validated = watchlist._validated

    def hand_edit_meanwhile(*args: object, **kwargs: object) -> object:
        example.write_text(example.read_text() + "# typed in an editor\n")
        return validated(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(watchlist, "_validated", hand_edit_meanwhile)
    with pytest.raises(WatchError, match="changed while it was being edited"):
        add_watch(str(example), "AAPL")
    assert example.read_text().endswith("# typed in an editor\n")
    assert load_config(str(example)).company(320193) is None
