"""The command line's structure: global options anywhere, where the state lives, tickers in
any case, `watch list --json`, `--version`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker import __version__
from tracker.cli import main
from tracker.config import load_config, state_dir_for
from tracker.fakes.edgar import FakeEdgar

from conftest import ACME, write_config


def project(tmp_path: Path, edgar_url: str, extra: str = "") -> Path:
    """The repository layout: <root>/config/watch.toml, state in <root>/state."""
    (tmp_path / "proj" / "config").mkdir(parents=True)
    cfg = tmp_path / "proj" / "config" / "watch.toml"
    write_config(cfg, edgar_url, companies=ACME)
    if extra:
        cfg.write_text(cfg.read_text() + extra)
    return cfg


def test_global_options_after_the_command(
    tmp_path: Path, edgar: FakeEdgar, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write_config(tmp_path / "w.toml", edgar.base_url, companies=ACME)
    state = tmp_path / "state"
    assert main(["poll", "--config", str(cfg), "--state", str(state), "-q"]) == 0
    capsys.readouterr()
    assert main(["status", "--json", "--state", str(state), "--config", str(cfg)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["state"] == str(state)
    assert [c["cik"] for c in data["companies"]] == [1111111]
    assert main(["watch", "list", "--config", str(cfg), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["cik"] == 1111111


def test_an_option_after_the_command_wins_and_one_before_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_config(tmp_path / "good.toml", "http://127.0.0.1:9", companies=ACME)
    missing = tmp_path / "missing.toml"
    assert main(["--config", str(missing), "check-config", "--config", str(good)]) == 0
    assert main(["--config", str(good), "check-config"]) == 0
    assert main(["check-config", "--config", str(missing)]) == 2
    assert "missing.toml" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [["--version"], ["poll", "--version"], ["watch", "list", "--version"]]
)
def test_version(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == f"tracker {__version__}"


def test_state_follows_the_config_from_any_directory(
    tmp_path: Path,
    edgar: FakeEdgar,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("TRACKER_STATE", raising=False)
    cfg = project(tmp_path, edgar.base_url)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["--config", str(cfg), "poll"]) == 0
    expected = tmp_path / "proj" / "state"
    assert (expected / "companies" / "1111111.json").exists()
    assert not (elsewhere / "state").exists()
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRACKER_CONFIG", str(cfg))
    assert main(["status", "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["state"] == str(expected)
    assert data["companies"][0]["baselined"]
    assert f"state directory: {expected}" in captured.err


def test_state_dir_key_is_relative_to_the_config_file(tmp_path: Path) -> None:
    cfg = project(tmp_path, "http://127.0.0.1:9", '\n[state]\ndir = "../var/tracker"\n')
    assert load_config(str(cfg)).state_dir == str(tmp_path / "proj" / "var" / "tracker")
    assert state_dir_for(str(cfg)) == str(tmp_path / "proj" / "var" / "tracker")
    absolute = tmp_path / "abs"
    cfg.write_text(cfg.read_text().replace("../var/tracker", str(absolute)))
    assert state_dir_for(str(cfg)) == str(absolute)


def test_state_dir_is_found_in_a_config_that_does_not_parse(tmp_path: Path) -> None:
    """`status` during a broken edit must still read the running daemon's state."""
    cfg = project(tmp_path, "http://127.0.0.1:9", '\n[state]\ndir = "st"\n')
    cfg.write_text(cfg.read_text() + "\n[[companies]\nticker = \n")
    assert state_dir_for(str(cfg)) == str(tmp_path / "proj" / "config" / "st")
    assert state_dir_for(str(tmp_path / "nowhere" / "watch.toml")) == str(tmp_path / "state")


def test_the_state_dir_is_never_put_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRACKER_STATE", raising=False)
    seen: list[str | None] = []
    import os

    import tracker.cli as cli

    real = cli.cmd_check_config

    def spy(args: object) -> int:
        seen.append(os.environ.get("TRACKER_STATE"))
        return real(args)  # type: ignore[arg-type]

    monkeypatch.setitem(cli.COMMANDS, "check-config", spy)
    cfg = write_config(tmp_path / "w.toml", "http://127.0.0.1:9", companies=ACME)
    assert main(["--config", str(cfg), "--state", str(tmp_path / "s"), "check-config"]) == 0
    assert seen == [None]


def test_tickers_match_in_any_case(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path / "w.toml", "http://127.0.0.1:9")
    base = ["--config", str(cfg), "--state", str(tmp_path / "s")]
    (tmp_path / "s").mkdir()  # as after a first poll: timeline reads, never creates, state
    assert main([*base, "watch", "add", "mrna"]) == 0
    assert main([*base, "watch", "add", "Pfe"]) == 0
    assert main([*base, "timeline", "pfe", "--json"]) == 0
    assert main([*base, "timeline", "MRNA", "--json"]) == 0
    capsys.readouterr()
    assert main([*base, "watch", "add", "PFE"]) == 2  # already watched, whatever the case
    assert main([*base, "watch", "remove", "pfe"]) == 0
    assert main([*base, "watch", "remove", "mRNA"]) == 0
    assert main([*base, "watch", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1]) == []


def test_watch_list_json_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path / "w.toml", "http://127.0.0.1:9")
    base = ["--config", str(cfg)]
    assert main([*base, "watch", "add", "PFE", "--channel", "#pfe", "--forms", "8-K"]) == 0
    assert main([*base, "watch", "add", "1111111"]) == 0
    capsys.readouterr()
    assert main(["watch", "list", "--json", *base]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {
            "ticker": "PFE",
            "cik": 78003,
            "name": "PFIZER INC",
            "channel": "#pfe",
            "categories": None,
            "forms": ["8-K"],
        },
        {
            "ticker": None,
            "cik": 1111111,
            "name": None,
            "channel": None,
            "categories": None,
            "forms": None,
        },
    ]


def test_watch_add_and_remove_name_what_they_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write_config(tmp_path / "w.toml", "http://127.0.0.1:9", companies=ACME)
    assert main(["watch", "add", "9999997", "--config", str(cfg)]) == 0
    assert capsys.readouterr().out.startswith(f"watching CIK 9999997 (in {cfg}; ")
    assert main(["watch", "remove", "9999997", "--config", str(cfg)]) == 0
    assert capsys.readouterr().out.strip() == f"no longer watching CIK 9999997 (in {cfg})"


def test_watch_add_refuses_a_form_no_filing_has(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write_config(tmp_path / "w.toml", "http://127.0.0.1:9", companies=ACME)
    before = cfg.read_text()
    assert main(["watch", "add", "9999997", "--forms", "8K", "--config", str(cfg)]) == 2
    assert 'did you mean "8-K"' in capsys.readouterr().err
    assert cfg.read_text() == before
    assert main(["watch", "add", "9999997", "--forms", "8-K,424B", "--config", str(cfg)]) == 0


@pytest.mark.parametrize("command", [["timeline", "1111111"], ["upcoming"], ["digest", "--print"]])
def test_reading_commands_never_create_a_missing_state_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    cfg = write_config(tmp_path / "w.toml", "http://127.0.0.1:9", companies=ACME)
    typo = tmp_path / "stat"
    assert main(["--config", str(cfg), "--state", str(typo), *command]) == 1
    assert f"no state in {typo} yet" in capsys.readouterr().err
    assert not typo.exists()
