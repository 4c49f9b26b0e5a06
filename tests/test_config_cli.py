"""The config and the command line, driven as a user would: files in, messages and codes out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.cli import main
from tracker.config import load_config, parse_config
from tracker.errors import ConfigError
from tracker.fakes.edgar import FakeEdgar

from conftest import ACME, EXAMPLE_CONFIG, ROOT, example_config, make_filing, write_config

GOOD = """\
[edgar]
user_agent = "Example Research ops@example.com"

[[companies]]
ticker = "BPUR"
cik = 815508
"""


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        pytest.param(
            "[edgar]\nuser_agent = 'x@y.z'\nbogus = 1\n",
            3,
            "edgar.bogus",
            "unknown key",
            id="unknown-key",
        ),
        pytest.param(
            "[edgar]\nuser_agent = 'x@y.z'\npoll_interval_seconds = 0.5\n",
            3,
            "edgar.poll_interval_seconds",
            "at least 1",
            id="interval-too-short",
        ),
        pytest.param(
            "[edgar]\nuser_agent = 'x@y.z'\nmax_requests_per_second = 20\n",
            3,
            "edgar.max_requests_per_second",
            "at most 10",
            id="too-fast-for-sec",
        ),
        pytest.param(
            "[edgar]\npoll_interval_seconds = 60\n",
            1,
            "edgar.user_agent",
            "SEC fair-access",
            id="missing-user-agent",
        ),
        pytest.param(
            "[edgar]\nuser_agent = 'x@y.z'\npoll_interval_seconds = 'soon'\n",
            3,
            "edgar.poll_interval_seconds",
            "must be a number",
            id="wrong-type",
        ),
        pytest.param(
            GOOD + "\n[[companies]]\ncik = 815508\n", 9, "cik", "duplicate", id="duplicate-company"
        ),
        pytest.param(
            GOOD + 'channel = "biopure"\n', 7, "channel", "not a channel", id="channel-without-hash"
        ),
        pytest.param(
            GOOD + 'categories = ["fda", "gossip"]\n',
            7,
            "categories",
            "unknown category",
            id="unknown-category",
        ),
        pytest.param(
            "[edgar]\nuser_agent = 'x@y.z'\n[slack]\ndefault_channel = '#a'\nfoo = 1\n",
            5,
            "slack.foo",
            "unknown key",
            id="unknown-slack-key",
        ),
        pytest.param("[edgar\nuser_agent = 'x'\n", 1, None, "invalid TOML", id="invalid-toml"),
        pytest.param(
            GOOD.replace('ticker = "BPUR"\ncik = 815508', 'ticker = "ZZZZQ"'),
            5,
            "ticker",
            "unknown ticker",
            id="unknown-ticker",
        ),
    ],
)
def test_bad_config_names_file_line_key(
    text: str, line: int | None, key: str | None, words: str
) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, "config/watch.toml")
    err = info.value
    assert err.path == "config/watch.toml"
    assert err.line == line
    assert err.key == key
    assert words in str(err)


def test_example_config_is_valid() -> None:
    config = load_config(str(EXAMPLE_CONFIG))
    assert [c.cik for c in config.companies] == [815508]
    assert config.edgar.max_requests_per_second <= 10


def test_ticker_resolves_from_bundled_snapshot() -> None:
    config = parse_config(GOOD.replace('ticker = "BPUR"\ncik = 815508', 'ticker = "aapl"'), "x")
    assert config.companies[0].cik == 320193 and config.companies[0].ticker == "AAPL"


def test_check_config_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.toml"
    good.write_text(GOOD)
    assert main(["--config", str(good), "check-config"]) == 0
    # Biopure is delisted: its CIK is not in SEC's ticker list, a warning only.
    assert "CIK 815508 is not in SEC's ticker list" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD + "colour = 'blue'\n")
    assert main(["--config", str(bad), "check-config"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{bad}:7" in err[0] and "colour" in err[0]
    assert main(["--config", str(tmp_path / "missing.toml"), "check-config"]) == 2
    assert "file not found" in capsys.readouterr().err


def test_unknown_command_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "frobnicate" in err[0]


def test_poll_prints_alerts_to_stdout_without_token(
    tmp_path: Path,
    edgar: FakeEdgar,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_WEBHOOK_URL", raising=False)
    cfg = write_config(tmp_path / "w.toml", edgar.base_url, companies=ACME)
    args = ["--config", str(cfg), "--state", str(tmp_path / "state"), "poll"]
    assert main(args) == 0
    assert capsys.readouterr().out == ""  # baseline: nothing to say
    edgar.add(make_filing(1111111, "0000950123-24-000002"))
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Acme Bio · 8-K · 2024-03-01" in out and "Results" in out
    assert main(args) == 0
    assert capsys.readouterr().out == ""


def test_poll_with_edgar_down_exits_0_and_retries(tmp_path: Path, edgar: FakeEdgar) -> None:
    cfg = write_config(tmp_path / "w.toml", "http://127.0.0.1:9", companies=ACME)
    assert main(["--config", str(cfg), "--state", str(tmp_path / "s"), "poll"]) == 0


def test_status_and_timeline_json(
    tmp_path: Path, edgar: FakeEdgar, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = write_config(tmp_path / "w.toml", edgar.base_url, companies=ACME)
    base = ["--config", str(cfg), "--state", str(tmp_path / "state")]
    main([*base, "poll"])
    edgar.add(
        make_filing(
            1111111,
            "0000950123-24-000002",
            release=(
                "Acme Bio plans to submit a new drug application for Zelvora in the second "
                "half of 2024. The company expects its cash to fund operations into the third "
                "quarter of 2025."
            ),
        )
    )
    main([*base, "poll"])
    capsys.readouterr()
    assert main([*base, "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["last_poll_ok"] is True
    [company] = status["companies"]
    assert company["newest_filing"] == "0000950123-24-000002"
    assert main([*base, "timeline", "1111111", "--json"]) == 0
    timeline = json.loads(capsys.readouterr().out)
    kinds = {m["milestone"] for m in timeline["milestones"]}
    assert any("submission" in k for k in kinds) and "cash runway" in kinds


def test_classify_json_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed = ROOT / "tracker/data/biopure/2004-02-19_424b5.txt"
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    binary = tmp_path / "logo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\x00\x00JFIF" * 100)
    assert main(["classify", "--json", str(seed), str(empty), str(binary)]) == 1
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(lines) == 3
    assert lines[0]["categories"] == ["fda", "financing", "workforce", "results"]
    assert set(lines[0]) == {"path", "categories", "evidence", "facts"}
    facts = {(f["kind"], f["value"]) for f in lines[0]["facts"]}
    assert ("workforce_reduction_percent", 35) in facts
    assert ("financing_needed", 8500000) in facts
    assert "error" in lines[1] and "error" in lines[2]


def test_watch_add_list_remove_via_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = example_config(tmp_path)
    base = ["--config", str(cfg), "watch"]
    assert main([*base, "add", "AAPL", "--channel", "#apple", "--categories", "results"]) == 0
    assert main([*base, "add", "AAPL"]) == 2
    assert "already" in capsys.readouterr().err
    assert main([*base, "list"]) == 0
    assert "AAPL" in capsys.readouterr().out
    assert main([*base, "remove", "aapl"]) == 0
    assert cfg.read_text() == EXAMPLE_CONFIG.read_text()


# -- property-based: any text gives a Config or a ConfigError, never another exception ------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

KEYS = [
    "user_agent",
    "base_url",
    "poll_interval_seconds",
    "max_requests_per_second",
    "mode",
    "backfill",
    "default_channel",
    "category_channels",
    "mentions",
    "ticker",
    "cik",
    "name",
    "channel",
    "categories",
    "forms",
    "bogus",
    "keep_seen_per_company",
]
VALUES = st.one_of(
    st.integers(-5, 10**11),
    st.floats(allow_nan=True),
    st.booleans(),
    st.text(max_size=20),
    st.lists(st.text(max_size=8), max_size=3),
    st.sampled_from(['"#ok"', '"fda"', '"x@y.z"', '"http://h"']),
)


def _toml_value(v: object) -> str:
    import json as _json

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return repr(v) if v == v and abs(v) != float("inf") else "nan"
    if isinstance(v, str) and v.startswith('"'):
        return v
    return _json.dumps(v)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_is_a_config_or_a_clear_error(text: str) -> None:
    try:
        parse_config(text, "fuzz.toml")
    except ConfigError as exc:
        assert str(exc).startswith("fuzz.toml")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["edgar", "slack", "state", "companies"]), st.sampled_from(KEYS), VALUES
        ),
        max_size=8,
    )
)
def test_mutated_configs_are_a_config_or_a_clear_error(
    edits: list[tuple[str, str, object]],
) -> None:
    tables: dict[str, dict[str, object]] = {"edgar": {"user_agent": '"a b@c.d"'}}
    for table, key, value in edits:
        tables.setdefault(table, {})[key] = value
    lines = []
    for table, values in tables.items():
        lines.append("[[companies]]" if table == "companies" else f"[{table}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in values.items()]
    try:
        parse_config("\n".join(lines) + "\n", "fuzz.toml")
    except ConfigError as exc:
        assert str(exc).startswith("fuzz.toml")


def test_user_agent_without_address_is_accepted_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = parse_config(GOOD.replace("ops@example.com", "ops"), "w.toml")
    assert config.edgar.user_agent == "Example Research ops"
    assert "no contact e-mail" in caplog.text and "w.toml:2" in caplog.text


def test_first_use_creates_the_config_from_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    # The autouse fixture runs each test in an empty directory: this is a fresh clone's
    # config/ with only the example in it.
    Path("config").mkdir()
    Path("config/watch.example.toml").write_text(EXAMPLE_CONFIG.read_text())
    assert main(["check-config"]) == 0
    err = capsys.readouterr().err
    assert "created config/watch.toml from config/watch.example.toml" in err
    assert Path("config/watch.toml").read_text() == EXAMPLE_CONFIG.read_text()
    Path("config/watch.toml").write_text(GOOD)  # the user's edit is never overwritten
    assert main(["check-config"]) == 0
    assert "created" not in capsys.readouterr().err
    assert Path("config/watch.toml").read_text() == GOOD


def test_no_example_no_config_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config"]) == 2
    assert "config/watch.toml: file not found" in capsys.readouterr().err
    assert main(["--config", "elsewhere.toml", "check-config"]) == 2
    assert not Path("elsewhere.toml").exists()
